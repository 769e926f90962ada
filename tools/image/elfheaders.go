package image

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// Offsets of the ELF64 header, program header and section header fields
// that this package reads or patches (System V gABI, ELF-64 format).
const (
	ehPhoffOff     = 32 // e_phoff
	ehShoffOff     = 40 // e_shoff
	ehPhentsizeOff = 54 // e_phentsize
	ehShentsizeOff = 58 // e_shentsize
	ehShstrndxOff  = 62 // e_shstrndx

	phTypeOff   = 0  // p_type
	phFileszOff = 32 // p_filesz
	phMemszOff  = 40 // p_memsz
	phAlignOff  = 48 // p_align

	shNameOff  = 0  // sh_name
	shTypeOff  = 4  // sh_type
	shSizeOff  = 32 // sh_size
	shAlignOff = 48 // sh_addralign

	elf64PhdrSize = 56
	elf64ShdrSize = 64
)

var le = binary.LittleEndian

// rawHeaders gives byte-level access to the program and section headers
// of an ELF64 file. debug/elf parses them but does not say where they are.
type rawHeaders struct {
	img                  []byte
	phoff, phentsize     uint64
	shoff, shentsize     uint64
	numProgs, numSection int
}

func newRawHeaders(img []byte, f *elf.File) (rawHeaders, error) {
	h := rawHeaders{
		img:        img,
		phoff:      le.Uint64(img[ehPhoffOff:]),
		phentsize:  uint64(le.Uint16(img[ehPhentsizeOff:])),
		shoff:      le.Uint64(img[ehShoffOff:]),
		shentsize:  uint64(le.Uint16(img[ehShentsizeOff:])),
		numProgs:   len(f.Progs),
		numSection: len(f.Sections),
	}
	// debug/elf has already checked that the tables lie inside the file.
	if h.numProgs > 0 && h.phentsize < elf64PhdrSize {
		return h, fmt.Errorf("%w: e_phentsize %d is smaller than an ELF64 program header", ErrNotELF, h.phentsize)
	}
	if h.numSection > 0 && h.shentsize < elf64ShdrSize {
		return h, fmt.Errorf("%w: e_shentsize %d is smaller than an ELF64 section header", ErrNotELF, h.shentsize)
	}
	return h, nil
}

// prog returns the bytes of program header i.
func (h rawHeaders) prog(i int) []byte {
	return h.img[h.phoff+uint64(i)*h.phentsize:][:elf64PhdrSize]
}

// section returns the bytes of section header i.
func (h rawHeaders) section(i int) []byte {
	return h.img[h.shoff+uint64(i)*h.shentsize:][:elf64ShdrSize]
}

// sectionNameOffset is section i's sh_name: its name's offset in .shstrtab.
func (h rawHeaders) sectionNameOffset(i int) uint64 {
	return uint64(le.Uint32(h.section(i)[shNameOff:]))
}

// checkHeader checks the ELF header fields RewritePVHNote and Verify
// depend on.
func checkHeader(f *elf.File) error {
	switch {
	case f.Class != elf.ELFCLASS64:
		return fmt.Errorf("%w: the file is %v; PVH images are ELFCLASS64", ErrNotELF64, f.Class)
	case f.Data != elf.ELFDATA2LSB:
		return fmt.Errorf("%w: the file is %v; x86-64 is little-endian", ErrNotELF64, f.Data)
	case f.Machine != elf.EM_X86_64:
		return fmt.Errorf("%w: e_machine is %v, not EM_X86_64", ErrWrongMachine, f.Machine)
	case f.Type != elf.ET_EXEC:
		return fmt.Errorf("%w: e_type is %v, not ET_EXEC (was it built with -buildmode=pie?)", ErrNotExecutable, f.Type)
	}
	return nil
}
