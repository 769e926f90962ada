package newc

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/internal/newc/newctest"
)

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
	got := newctest.Read(t, buf.Bytes())
	want := []newctest.Entry{
		{Name: "dev", Ino: 1, Mode: 0o040755, Nlink: 2},
		{Name: "dev/console", Ino: 2, Mode: 0o020600, Nlink: 1, RdevMajor: 5, RdevMinor: 1},
		{Name: "init", Ino: 3, Mode: 0o100755, Nlink: 1, Data: "hello"},
		{Name: "x", Ino: 4, Mode: 0o100644, Nlink: 1, Data: "1234"},
		{Name: trailer, Ino: 0, Mode: 0, Nlink: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		g.HeaderOffset, g.DataEnd = 0, 0
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
