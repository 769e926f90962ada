package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// failingReader returns data, then err.
type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadAnswer(t *testing.T) {
	const ok = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"
	reset := errors.New("connection reset by peer")
	for _, c := range []struct {
		name    string
		r       io.Reader
		want    error // nil, errNotYet, or errOther: any other error
		wantErr string
	}{
		{name: "complete 200", r: strings.NewReader(ok)},
		{name: "200 read a byte at a time", r: &oneByteReader{s: ok}},
		{name: "200 without a length, ended by the close", r: strings.NewReader("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody")},
		{name: "chunked 200", r: strings.NewReader("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")},
		{name: "closed before a byte (slirp)", r: strings.NewReader(""), want: errNotYet},
		{name: "reset before a byte", r: &failingReader{err: reset}, want: errNotYet},
		{name: "404", r: strings.NewReader("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n"), wantErr: "404"},
		{name: "HTTP/1.0 200", r: strings.NewReader("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"), wantErr: "not HTTP/1.1 200"},
		{name: "body cut short", r: strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello"), wantErr: "reading the body"},
		{name: "headers cut short", r: &failingReader{data: "HTTP/1.1 200 OK\r\nContent-Le", err: reset}, wantErr: "reading the response"},
		{name: "empty body", r: strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), wantErr: "empty body"},
		{name: "not HTTP", r: strings.NewReader("SSH-2.0-OpenSSH\r\n\r\n"), wantErr: "reading the response"},
	} {
		err := readAnswer(c.r)
		switch {
		case c.wantErr != "":
			if err == nil || errors.Is(err, errNotYet) || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: got %v, want an error with %q", c.name, err, c.wantErr)
			}
		case err != c.want:
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// oneByteReader returns s a byte per Read.
type oneByteReader struct{ s string }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if o.s == "" {
		return 0, io.EOF
	}
	p[0], o.s = o.s[0], o.s[1:]
	return 1, nil
}
