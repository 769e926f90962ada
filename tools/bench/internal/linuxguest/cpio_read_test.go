package linuxguest

import (
	"strconv"
	"testing"
)

// cpioTrailer names the entry that ends an archive.
const cpioTrailer = "TRAILER!!!"

// cpioEntry is one entry read back by readCPIO.
type cpioEntry struct {
	name                  string
	ino, mode, nlink      uint64
	rdevMajor, rdevMinor  uint64
	data                  string
	headerOffset, dataEnd int
}

// readCPIO parses a newc archive independently of newc.Writer.
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
		if e.name == cpioTrailer {
			if off != len(b) {
				t.Errorf("%d bytes after the cpioTrailer", len(b)-off)
			}
			return entries
		}
	}
}
