package newc

import (
	"bytes"
	"testing"

	"github.com/coracle-os/coracle/kernel/cpio"
)

// The kernel's reader must read back what Writer writes.
func TestKernelReaderReadsWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Mtime = 1700000000
	w.Dir("srv", 0o755)
	w.File("srv/run.sh", 0o755, []byte("#!/bin/sh\n"))
	w.Symlink("srv/link", "run.sh")
	w.File("srv/big", 0o600, bytes.Repeat([]byte("x"), 100<<10+3))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		mode uint32
		size int
	}{
		{"srv", cpio.TypeDir | 0o755, 0},
		{"srv/run.sh", cpio.TypeRegular | 0o755, 10},
		{"srv/link", cpio.TypeSymlink | 0o777, 6},
		{"srv/big", cpio.TypeRegular | 0o600, 100<<10 + 3},
	}
	r := cpio.NewReader(buf.Bytes())
	for _, w := range want {
		e, err := r.Next()
		if err != 0 {
			t.Fatalf("%s: %v", w.name, err)
		}
		if string(e.Name) != w.name || e.Mode != w.mode || len(e.Data) != w.size || e.Mtime != 1700000000 {
			t.Errorf("entry %q mode %o size %d mtime %d, want %q %o %d", e.Name, e.Mode, len(e.Data), e.Mtime, w.name, w.mode, w.size)
		}
	}
	if _, err := r.Next(); err != cpio.End {
		t.Fatalf("after the entries: %v, want End", err)
	}
}
