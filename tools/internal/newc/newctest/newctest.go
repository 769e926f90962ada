// Package newctest reads newc cpio archives for tests, independently of
// the writer in tools/internal/newc and of the kernel's reader.
//
// Trap context: none; host tests only.
package newctest

import (
	"strconv"
	"testing"
)

// trailer names the entry that ends an archive.
const trailer = "TRAILER!!!"

// Entry is one entry as Read finds it.
type Entry struct {
	Name                  string
	Ino, Mode, Nlink      uint64
	RdevMajor, RdevMinor  uint64
	Mtime                 uint64
	Data                  string
	HeaderOffset, DataEnd int
}

// Read parses a newc archive with code of its own, so that a test of
// the writer does not check it against itself, and fails t on anything
// malformed: unaligned entries, a bad magic or field, a name without its
// NUL, uid, gid, devmajor, devminor or check not 0, bytes after the
// trailer.
func Read(t testing.TB, b []byte) []Entry {
	t.Helper()
	var entries []Entry
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
		e := Entry{Ino: field(0), Mode: field(1), Nlink: field(4), Mtime: field(5), RdevMajor: field(9), RdevMinor: field(10), HeaderOffset: off}
		size, namesize := int(field(6)), int(field(11))
		for _, i := range []int{2, 3, 7, 8, 12} { // uid gid devmajor devminor check
			if field(i) != 0 {
				t.Errorf("header field %d = %d, want 0", i, field(i))
			}
		}
		name := b[off+110 : off+110+namesize]
		if name[len(name)-1] != 0 {
			t.Fatalf("name %q is not NUL-terminated", name)
		}
		e.Name = string(name[:len(name)-1])
		off += 110 + namesize
		off += (4 - off%4) % 4
		e.Data = string(b[off : off+size])
		off += size
		e.DataEnd = off
		off += (4 - off%4) % 4
		entries = append(entries, e)
		if e.Name == trailer {
			if off != len(b) {
				t.Errorf("%d bytes after the trailer", len(b)-off)
			}
			return entries
		}
	}
}
