package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// errNotYet is an attempt that got no answer at all: the connection
// ended or was reset before the first byte of a response. QEMU's user
// networking accepts a forwarded connection on the host before the
// guest has seen it, and closes it when the guest resets it (nothing
// listens yet) or cannot be reached: the server is not up yet.
var errNotYet = errors.New("no answer yet")

// request is the GET / of every attempt. Connection: close, so that the
// server ends the connection after its answer, as a first client would.
const request = "GET / HTTP/1.1\r\nHost: first200\r\nUser-Agent: bench-boot\r\nConnection: close\r\n\r\n"

// readAnswer reads one HTTP/1.1 response from r, body included, and
// returns nil when it is a complete 200 with a body, errNotYet when r
// ended (or failed) before the response's first byte, and otherwise
// what is wrong with it: another status, a truncated response. Its
// return is the moment the answer is complete.
func readAnswer(r io.Reader) error {
	cr := &countingReader{r: r}
	resp, err := http.ReadResponse(bufio.NewReader(cr), nil)
	if err != nil {
		if cr.n == 0 {
			return errNotYet
		}
		return fmt.Errorf("reading the response (%d bytes): %w", cr.n, err)
	}
	defer resp.Body.Close()
	// A body without a length ends with the connection (Connection:
	// close): ReadAll reads to the end either way.
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: reading the body: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 1 || resp.ProtoMinor != 1 {
		return fmt.Errorf("%s %s, not HTTP/1.1 200", resp.Proto, resp.Status)
	}
	if len(body) == 0 {
		return errors.New("HTTP/1.1 200 with an empty body")
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
