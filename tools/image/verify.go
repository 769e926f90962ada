package image

import (
	"bytes"
	"debug/elf"
	"fmt"

	"github.com/coracle-os/coracle/boot/pvh"
)

// fourGiB bounds physical addresses: the PVH entry runs in 32-bit mode
// with paging off, so everything it loads must lie below 4 GiB.
const fourGiB = 1 << 32

// Verify checks that img is an image a PVH loader (QEMU, Firecracker,
// Cloud Hypervisor) boots: a little-endian ELF64 x86-64 executable; exactly
// one PT_NOTE segment holding exactly one note, "Xen" of type
// XEN_ELFNOTE_PHYS32_ENTRY, whose descriptor is e_entry; e_entry in
// [pvh.MinEntry, pvh.MaxEntry] and inside an executable PT_LOAD segment;
// every PT_LOAD loaded at its virtual address (p_paddr == p_vaddr) below
// 4 GiB. It returns the entry point.
func Verify(img []byte) (entry uint32, err error) {
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNotELF, err)
	}
	if err := checkHeader(f); err != nil {
		return 0, err
	}
	if f.Entry < pvh.MinEntry || f.Entry > pvh.MaxEntry {
		return 0, fmt.Errorf("%w: e_entry is %#x; PVH loaders need it in [%#x, %#x]", ErrEntryRange, f.Entry, pvh.MinEntry, uint64(pvh.MaxEntry))
	}
	if err := verifyNote(f); err != nil {
		return 0, err
	}
	if err := verifyLoads(f); err != nil {
		return 0, err
	}
	return uint32(f.Entry), nil
}

func verifyNote(f *elf.File) error {
	var notes []*elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_NOTE {
			notes = append(notes, p)
		}
	}
	if len(notes) != 1 {
		return fmt.Errorf("%w: the image has %d PT_NOTE segments; it needs exactly one", ErrNoPVHNote, len(notes))
	}
	seg := notes[0]
	if seg.Filesz != pvh.NoteSize {
		return fmt.Errorf("%w: the PT_NOTE segment has %d bytes; exactly one PVH note is %d", ErrNoPVHNote, seg.Filesz, pvh.NoteSize)
	}
	b := make([]byte, seg.Filesz)
	if _, err := seg.ReadAt(b, 0); err != nil {
		return fmt.Errorf("%w: reading the PT_NOTE segment: %v", ErrNotELF, err)
	}
	namesz, descsz, typ := le.Uint32(b[0:]), le.Uint32(b[4:]), le.Uint32(b[8:])
	name := b[12:16]
	switch {
	case namesz != uint32(len(pvh.NoteName)+1) || string(name) != pvh.NoteName+"\x00":
		return fmt.Errorf("%w: the note is named %q (namesz %d); want %q", ErrNoPVHNote, bytes.TrimRight(name, "\x00"), namesz, pvh.NoteName)
	case typ != pvh.XEN_ELFNOTE_PHYS32_ENTRY:
		return fmt.Errorf("%w: the note has type %d; want %d (XEN_ELFNOTE_PHYS32_ENTRY)", ErrNoPVHNote, typ, pvh.XEN_ELFNOTE_PHYS32_ENTRY)
	case descsz != pvh.NoteDescSize:
		return fmt.Errorf("%w: the note's descriptor has %d bytes; want %d", ErrNoPVHNote, descsz, pvh.NoteDescSize)
	}
	if desc := le.Uint64(b[16:]); desc != f.Entry {
		return fmt.Errorf("%w: the note names entry %#x but e_entry is %#x", ErrNoPVHNote, desc, f.Entry)
	}
	return nil
}

func verifyLoads(f *elf.File) error {
	entryInText := false
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if p.Paddr != p.Vaddr {
			return fmt.Errorf("%w: PT_LOAD at %#x has p_paddr %#x; the kernel runs where it is loaded, so they must be equal", ErrBadLoad, p.Vaddr, p.Paddr)
		}
		if p.Paddr < LoadAddress {
			return fmt.Errorf("%w: PT_LOAD at %#x is below 1 MiB, which is the firmware's", ErrBadLoad, p.Paddr)
		}
		if end := p.Paddr + p.Memsz; end > fourGiB || end < p.Paddr {
			return fmt.Errorf("%w: PT_LOAD [%#x, %#x) reaches above 4 GiB", ErrBadLoad, p.Paddr, end)
		}
		if p.Flags&elf.PF_X != 0 && p.Vaddr <= f.Entry && f.Entry < p.Vaddr+p.Memsz {
			entryInText = true
		}
	}
	if !entryInText {
		return fmt.Errorf("%w: e_entry %#x is in no executable PT_LOAD segment", ErrEntryNotText, f.Entry)
	}
	return nil
}
