package procfs

// Mapping is one line of /proc/PID/maps: an area of the address space,
// its rights, and what backs it.
type Mapping struct {
	Start, End         uint64
	Read, Write, Exec  bool
	Shared             bool   // 's' instead of 'p'
	Offset             uint64 // in the file, bytes
	DevMajor, DevMinor uint32
	Inode              uint64
	Name               []byte // a path, "[stack]", "[vdso]", or empty
}

// mapsNameColumn is where Linux starts a mapping's name: the header is
// padded to 25 + 6*sizeof(void*) - 1 columns (seq_setwidth in
// fs/proc/task_mmu.c), and one more space follows.
const mapsNameColumn = 25 + 6*8 - 1

// MapsLine writes m as show_map_vma does: "start-end perms offset
// major:minor inode", then the name aligned at column 73, or one space
// and no name for anonymous memory. A line is at most 74 bytes plus
// the name.
func MapsLine(t *Text, m *Mapping) {
	start := t.N
	t.Hex(m.Start, 8)
	t.Byte('-')
	t.Hex(m.End, 8)
	t.Byte(' ')
	t.Byte(flag(m.Read, 'r'))
	t.Byte(flag(m.Write, 'w'))
	t.Byte(flag(m.Exec, 'x'))
	if m.Shared {
		t.Byte('s')
	} else {
		t.Byte('p')
	}
	t.Byte(' ')
	t.Hex(m.Offset, 8)
	t.Byte(' ')
	t.Hex(uint64(m.DevMajor), 2)
	t.Byte(':')
	t.Hex(uint64(m.DevMinor), 2)
	t.Byte(' ')
	t.Dec(m.Inode)
	t.Byte(' ')
	if len(m.Name) > 0 {
		t.Pad(start, mapsNameColumn, ' ')
		t.Byte(' ')
		t.Write(m.Name)
	}
	t.Byte('\n')
}

func flag(on bool, c byte) byte {
	if on {
		return c
	}
	return '-'
}
