package image

import (
	"bytes"
	"debug/elf"
	"fmt"

	"github.com/coracle-os/coracle/boot/pvh"
)

// pvhNoteSectionName is the new name of the section that now describes
// the PVH note.
const pvhNoteSectionName = ".note.pvh"

// RewritePVHNote returns a copy of the linked ELF image img whose PT_NOTE
// segment holds exactly one note: the PVH entry note (pvh.AppendNote) for
// e_entry. It does not modify img.
//
// The Go linker emits one PT_NOTE segment that starts with its build-ID
// note(s). They are of no use at run time, and a PVH loader looks at every
// note in the segment, so the segment shrinks to the PVH note, which
// overwrites its first bytes; the rest of the old notes' bytes are zeroed.
// The section headers are made to match so that readelf and other tools
// see a consistent file: the note section at the segment's start becomes
// ".note.pvh" of the PVH note's size, and note sections that lay in the old
// segment but outside the new one become SHT_PROGBITS.
func RewritePVHNote(img []byte) ([]byte, error) {
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotELF, err)
	}
	if err := checkHeader(f); err != nil {
		return nil, err
	}
	if f.Entry < pvh.MinEntry || f.Entry > pvh.MaxEntry {
		return nil, fmt.Errorf("%w: e_entry is %#x; the PVH entry must lie in [%#x, %#x] (is the entry symbol %s linked in?)",
			ErrEntryRange, f.Entry, pvh.MinEntry, uint64(pvh.MaxEntry), EntrySymbol)
	}

	noteIndex := -1
	for i, p := range f.Progs {
		if p.Type == elf.PT_NOTE {
			noteIndex = i
			break
		}
	}
	if noteIndex < 0 {
		return nil, fmt.Errorf("%w: the linker wrote no PT_NOTE segment to hold it", ErrNoPVHNote)
	}
	seg := f.Progs[noteIndex]
	switch {
	case seg.Filesz < pvh.NoteSize:
		return nil, fmt.Errorf("%w: the PT_NOTE segment has %d bytes; the PVH note needs %d", ErrNoPVHNote, seg.Filesz, pvh.NoteSize)
	case seg.Off%4 != 0:
		return nil, fmt.Errorf("%w: the PT_NOTE segment at file offset %#x is not 4-byte aligned", ErrNoPVHNote, seg.Off)
	case seg.Off+seg.Filesz > uint64(len(img)):
		return nil, fmt.Errorf("%w: the PT_NOTE segment runs past the end of the file", ErrNotELF)
	}

	out := bytes.Clone(img)
	h, err := newRawHeaders(out, f)
	if err != nil {
		return nil, err
	}
	oldStart, oldEnd := seg.Off, seg.Off+seg.Filesz
	copy(out[oldStart:], pvh.AppendNote(nil, uint32(f.Entry)))
	clear(out[oldStart+pvh.NoteSize : oldEnd])

	ph := h.prog(noteIndex)
	le.PutUint64(ph[phFileszOff:], pvh.NoteSize)
	le.PutUint64(ph[phMemszOff:], pvh.NoteSize)
	le.PutUint64(ph[phAlignOff:], 4)
	// A loader reads the notes of every PT_NOTE segment. The Go linker
	// writes only one; should another appear, it must not add notes.
	for i := noteIndex + 1; i < len(f.Progs); i++ {
		if f.Progs[i].Type == elf.PT_NOTE {
			le.PutUint32(h.prog(i)[phTypeOff:], uint32(elf.PT_NULL))
		}
	}

	for i, s := range f.Sections {
		if s.Type != elf.SHT_NOTE || s.Offset < oldStart || s.Offset >= oldEnd {
			continue
		}
		sh := h.section(i)
		if s.Offset != oldStart {
			// Its bytes are now zeros outside any PT_NOTE; as a
			// note section readelf would complain about it.
			le.PutUint32(sh[shTypeOff:], uint32(elf.SHT_PROGBITS))
			continue
		}
		le.PutUint64(sh[shSizeOff:], pvh.NoteSize)
		le.PutUint64(sh[shAlignOff:], 4)
		renameSection(h, f, i, pvhNoteSectionName)
	}
	return out, nil
}

// renameSection renames section i to name in place in .shstrtab, padding
// with NULs, when name fits in the old name's bytes and no other section's
// name points into them (linkers may share a name's tail between
// sections). Otherwise the old name stays: it is only cosmetic.
func renameSection(h rawHeaders, f *elf.File, i int, name string) {
	shstrndx := int(le.Uint16(h.img[ehShstrndxOff:]))
	if shstrndx <= 0 || shstrndx >= len(f.Sections) {
		return
	}
	strtab := f.Sections[shstrndx]
	off := h.sectionNameOffset(i)
	oldLen := uint64(len(f.Sections[i].Name))
	if uint64(len(name)) > oldLen || off+oldLen >= strtab.Size {
		return
	}
	for j := range f.Sections {
		if other := h.sectionNameOffset(j); j != i && j != 0 && other >= off && other <= off+oldLen {
			return
		}
	}
	old := h.img[strtab.Offset+off:][:oldLen]
	clear(old)
	copy(old, name)
}
