package newc

import (
	"bytes"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// cpioEntry is one entry read back by readCPIO.
type cpioEntry struct {
	name                  string
	ino, mode, nlink      uint64
	rdevMajor, rdevMinor  uint64
	data                  string
	headerOffset, dataEnd int
}

// readCPIO parses a newc archive independently of Writer.
func readCPIO(t *testing.T, b []byte) []cpioEntry {
	t.Helper()
	var entries []cpioEntry
	off := 0
	for {
		if off%4 != 0 {
			t.Fatalf("entry at offset %d is not 4-byte aligned", off)
		}
		if len(b)-off < 110 || string(b[off:off+6]) != "070701" {
			t.Fatalf("no newc header at offset %d", off)
		}
		field := func(i int) uint64 {
			s := string(b[off+6+8*i : off+14+8*i])
			v, err := strconv.ParseUint(s, 16, 32)
			if err != nil {
				t.Fatalf("header field %d %q at offset %d: %v", i, s, off, err)
			}
			return v
		}
		e := cpioEntry{ino: field(0), mode: field(1), nlink: field(4), rdevMajor: field(9), rdevMinor: field(10), headerOffset: off}
		size, namesize := int(field(6)), int(field(11))
		for _, i := range []int{2, 3, 5, 7, 8, 12} { // uid gid mtime devmajor devminor check
			if field(i) != 0 {
				t.Errorf("header field %d = %d, want 0", i, field(i))
			}
		}
		name := b[off+110 : off+110+namesize]
		if name[len(name)-1] != 0 {
			t.Fatalf("name %q is not NUL-terminated", name)
		}
		e.name = string(name[:len(name)-1])
		off += 110 + namesize
		off += (4 - off%4) % 4
		e.data = string(b[off : off+size])
		off += size
		e.dataEnd = off
		off += (4 - off%4) % 4
		entries = append(entries, e)
		if e.name == trailer {
			if off != len(b) {
				t.Errorf("%d bytes after the trailer", len(b)-off)
			}
			return entries
		}
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Dir("dev", 0o755)
	w.CharDev("dev/console", 0o600, 5, 1)
	w.File("init", 0o755, []byte("hello")) // 5 bytes: padded
	w.File("x", 0o644, []byte("1234"))     // already aligned
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readCPIO(t, buf.Bytes())
	want := []cpioEntry{
		{name: "dev", ino: 1, mode: 0o040755, nlink: 2},
		{name: "dev/console", ino: 2, mode: 0o020600, nlink: 1, rdevMajor: 5, rdevMinor: 1},
		{name: "init", ino: 3, mode: 0o100755, nlink: 1, data: "hello"},
		{name: "x", ino: 4, mode: 0o100644, nlink: 1, data: "1234"},
		{name: trailer, ino: 0, mode: 0, nlink: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		g.headerOffset, g.dataEnd = 0, 0
		if g != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, g, want[i])
		}
	}
}

func TestCPIOHeaderBytes(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.File("a", 0o755, []byte("xy"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// 110-byte header, "a\0" (112, aligned), "xy" and two bytes of
	// padding, then the trailer.
	wantHead := "070701" + "00000001" + "000081ed" + "00000000" + "00000000" + "00000001" + "00000000" +
		"00000002" + "00000000" + "00000000" + "00000000" + "00000000" + "00000002" + "00000000" +
		"a\x00" + "xy\x00\x00" + "070701"
	if got := buf.String()[:len(wantHead)]; got != wantHead {
		t.Errorf("archive starts\n%q\nwant\n%q", got, wantHead)
	}
}

// cpio(1), when installed, must list what Writer wrote.
func TestCPIOReadByCpioCommand(t *testing.T) {
	path, err := exec.LookPath("cpio")
	if err != nil {
		t.Skip("cpio is not installed")
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Dir("dev", 0o755)
	w.File("init", 0o755, []byte("#!/bin/true\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-t", "--quiet")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cpio -t: %v", err)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != "dev init" {
		t.Errorf("cpio -t lists %q, want dev init", got)
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(b []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(b), nil
}

func TestWriterReportsFirstError(t *testing.T) {
	w := NewWriter(&failingWriter{n: 1})
	w.File("init", 0o755, []byte("data"))
	w.Dir("dev", 0o755)
	err := w.Close()
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Close() = %v, want the write error", err)
	}
}
