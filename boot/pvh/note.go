package pvh

import "encoding/binary"

// AppendNote appends the PVH entry note for entry to b: namesz, descsz,
// type, "Xen\0", then the entry address as a 64-bit little-endian value.
func AppendNote(b []byte, entry uint32) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, uint32(len(NoteName)+1))
	b = le.AppendUint32(b, NoteDescSize)
	b = le.AppendUint32(b, XEN_ELFNOTE_PHYS32_ENTRY)
	b = append(b, NoteName...)
	b = append(b, 0)
	return le.AppendUint64(b, uint64(entry))
}
