package cpio

import (
	"bytes"
	"fmt"
	"testing"
)

// entry builds one newc entry the way the format describes it, without
// the reader's help.
func entry(name string, mode, mtime uint32, data string) string {
	h := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		1, mode, 0, 0, 1, mtime, len(data), 0, 0, 0, 0, len(name)+1, 0)
	s := h + name + "\x00"
	s += string(make([]byte, (4-len(s)%4)%4))
	s += data
	return s + string(make([]byte, (4-len(s)%4)%4))
}

func archive(entries ...string) []byte {
	s := ""
	for _, e := range entries {
		s += e
	}
	return []byte(s + entry(trailer, 0, 0, ""))
}

func TestReadEntries(t *testing.T) {
	b := archive(
		entry("etc", TypeDir|0o755, 7, ""),
		entry("etc/app.conf", TypeRegular|0o644, 8, "key=value\n"),
		entry("bin/run", TypeRegular|0o4755, 9, "abc"),
		entry("etc/link", TypeSymlink|0o777, 10, "app.conf"),
	)
	want := []Entry{
		{Name: []byte("etc"), Mode: TypeDir | 0o755, Mtime: 7},
		{Name: []byte("etc/app.conf"), Mode: TypeRegular | 0o644, Mtime: 8, Data: []byte("key=value\n")},
		{Name: []byte("bin/run"), Mode: TypeRegular | 0o4755, Mtime: 9, Data: []byte("abc")},
		{Name: []byte("etc/link"), Mode: TypeSymlink | 0o777, Mtime: 10, Data: []byte("app.conf")},
	}
	r := NewReader(b)
	for i, w := range want {
		e, err := r.Next()
		if err != 0 {
			t.Fatalf("entry %d: %v", i, err)
		}
		if !bytes.Equal(e.Name, w.Name) || e.Mode != w.Mode || e.Mtime != w.Mtime || !bytes.Equal(e.Data, w.Data) {
			t.Errorf("entry %d = %q %o %d %q, want %q %o %d %q", i, e.Name, e.Mode, e.Mtime, e.Data, w.Name, w.Mode, w.Mtime, w.Data)
		}
	}
	for range 2 {
		if _, err := r.Next(); err != End {
			t.Fatalf("after the last entry: %v, want End", err)
		}
	}
}

func TestEmptyArchive(t *testing.T) {
	r := NewReader(nil)
	if _, err := r.Next(); err != End {
		t.Fatalf("empty archive: %v, want End", err)
	}
}

func TestMalformed(t *testing.T) {
	good := entry("a", TypeRegular|0o644, 0, "hello")
	tests := []struct {
		name string
		b    []byte
		want Error
	}{
		{"no trailer", []byte(good), ErrTruncated},
		{"short header", []byte(good[:50]), ErrTruncated},
		{"bad magic", archive("070702" + good[6:]), ErrMagic},
		{"bad hex", archive(good[:14] + "0000z1a4" + good[22:]), ErrHex},
		{"data past end", []byte(good[:len(good)-4]), ErrTruncated},
		{"absolute", archive(entry("/etc/x", TypeRegular, 0, "")), ErrName},
		{"dotdot", archive(entry("a/../../x", TypeRegular, 0, "")), ErrName},
		{"dot", archive(entry("./x", TypeRegular, 0, "")), ErrName},
		{"empty component", archive(entry("a//x", TypeRegular, 0, "")), ErrName},
		{"trailing slash", archive(entry("a/", TypeDir, 0, "")), ErrName},
		{"nul in name", archive(entry("a\x00b", TypeRegular, 0, "")), ErrName},
		{"device", archive(entry("dev/null", 0o020666, 0, "")), ErrType},
		{"empty link", archive(entry("l", TypeSymlink|0o777, 0, "")), ErrLink},
		{"nul in link", archive(entry("l", TypeSymlink|0o777, 0, "a\x00b")), ErrLink},
	}
	for _, tt := range tests {
		r := NewReader(tt.b)
		var err Error
		for err == 0 {
			_, err = r.Next()
		}
		if err != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestNextDoesNotAllocate(t *testing.T) {
	b := archive(entry("a", TypeRegular|0o644, 0, "hello"), entry("b", TypeDir|0o755, 0, ""))
	n := testing.AllocsPerRun(100, func() {
		r := NewReader(b)
		for {
			if _, err := r.Next(); err != 0 {
				break
			}
		}
	})
	if n != 0 {
		t.Fatalf("Next allocates %v times per archive", n)
	}
}

// FuzzReader checks that no input makes the reader panic or hand out an
// entry outside the buffer or with an unclean name.
func FuzzReader(f *testing.F) {
	f.Add(archive(entry("etc/app.conf", TypeRegular|0o644, 8, "key=value\n"), entry("l", TypeSymlink, 0, "x")))
	f.Add([]byte(entry("a", TypeDir, 0, "")))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b)
		for i := 0; ; i++ {
			e, err := r.Next()
			if err != 0 {
				return
			}
			if i > len(b) {
				t.Fatal("more entries than bytes")
			}
			for _, s := range [][]byte{e.Name, e.Data} {
				if len(s) > 0 && !within(b, s) {
					t.Fatalf("entry %q lies outside the buffer", e.Name)
				}
			}
			if !clean(e.Name) || len(e.Name) == 0 {
				t.Fatalf("unclean name %q accepted", e.Name)
			}
		}
	})
}

// within reports whether s is a sub-slice of b.
func within(b, s []byte) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if &b[i] == &s[0] {
			return true
		}
	}
	return false
}
