package main

import (
	"cmp"
	"debug/elf"
	"fmt"
	"os"
	"slices"
)

// sizes is what one ELF file (an image or a native program) puts where.
type sizes struct {
	File     int64  // bytes on disk (with DWARF and the symbol table)
	LoadFile uint64 // PT_LOAD filesz: text, read-only and initialised data
	LoadMem  uint64 // PT_LOAD memsz: LoadFile and the zero-initialised data

	// Loaded and Zero are, per group, the bytes of its symbols in
	// file-backed loaded sections and in zero-initialised ones.
	Loaded, Zero [numGroups]uint64
	// Unattributed is the loaded file-backed bytes no symbol covers:
	// .gopclntab, .typelink, .itablink, section padding.
	Unattributed uint64

	symbols []symbol // every sized symbol in a loaded section
}

// symbol is one sized symbol in a loaded section.
type symbol struct {
	name  string
	size  uint64
	group group
	zero  bool // in a zero-initialised section (.bss, .noptrbss)
}

// measure reads the ELF file at path and sorts its symbols into groups
// with c.
func measure(path string, c classifier) (sizes, error) {
	var s sizes
	st, err := os.Stat(path)
	if err != nil {
		return s, err
	}
	s.File = st.Size()
	f, err := elf.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			s.LoadFile += p.Filesz
			s.LoadMem += p.Memsz
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	for _, sym := range syms {
		if sym.Size == 0 || sym.Section < elf.SHN_UNDEF+1 || int(sym.Section) >= len(f.Sections) {
			continue
		}
		sec := f.Sections[sym.Section]
		if sec.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		sy := symbol{name: sym.Name, size: sym.Size, group: c.groupOf(sym.Name), zero: sec.Type == elf.SHT_NOBITS}
		s.symbols = append(s.symbols, sy)
		if sy.zero {
			s.Zero[sy.group] += sy.size
		} else {
			s.Loaded[sy.group] += sy.size
		}
	}
	var attributed uint64
	for _, n := range s.Loaded {
		attributed += n
	}
	if attributed <= s.LoadFile {
		s.Unattributed = s.LoadFile - attributed
	}
	return s, nil
}

// entry is a name (a package or a symbol) and its bytes.
type entry struct {
	name string
	size uint64
}

// largest returns the n largest contributors to group g: packages, by
// their symbols in file-backed sections, or, when zero is set, single
// symbols in zero-initialised ones (the kernel's tables); largest
// first. Symbols of no package count each on its own.
func (s sizes) largest(g group, zero bool, n int) []entry {
	by := map[string]uint64{}
	for _, sy := range s.symbols {
		if sy.group != g || sy.zero != zero {
			continue
		}
		key := sy.name
		if pkg := packageOf(sy.name); pkg != "" && !zero {
			key = pkg
		}
		by[key] += sy.size
	}
	out := make([]entry, 0, len(by))
	for name, size := range by {
		out = append(out, entry{name, size})
	}
	slices.SortFunc(out, func(a, b entry) int {
		return cmp.Or(cmp.Compare(b.size, a.size), cmp.Compare(a.name, b.name))
	})
	return out[:min(n, len(out))]
}
