package vdso

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"
)

// lookup finds symbol name of version ver in img the way the Go runtime
// does (runtime/vdso_linux.go): load offset from the first PT_LOAD,
// tables from PT_DYNAMIC, the SysV hash chain, then the version index
// from the version definitions.
func lookup(t *testing.T, img []byte, base uint64, name, ver string) uint64 {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("not an ELF file: %v", err)
	}
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_DYN {
		t.Fatalf("class %v machine %v type %v", f.Class, f.Machine, f.Type)
	}
	le := binary.LittleEndian
	var loadOffset uint64
	var dyn []byte
	foundLoad := false
	for _, p := range f.Progs {
		switch {
		case p.Type == elf.PT_LOAD && !foundLoad:
			loadOffset, foundLoad = base+p.Off-p.Vaddr, true
		case p.Type == elf.PT_DYNAMIC:
			dyn = img[p.Off:]
		}
	}
	if !foundLoad || dyn == nil {
		t.Fatal("no PT_LOAD or PT_DYNAMIC")
	}
	at := func(v uint64) []byte { return img[loadOffset+v-base:] }
	var strs, syms, hash, versym, verdef []byte
	for i := 0; ; i += 16 {
		tag, val := elf.DynTag(le.Uint64(dyn[i:])), le.Uint64(dyn[i+8:])
		if tag == elf.DT_NULL {
			break
		}
		switch tag {
		case elf.DT_STRTAB:
			strs = at(val)
		case elf.DT_SYMTAB:
			syms = at(val)
		case elf.DT_HASH:
			hash = at(val)
		case elf.DT_VERSYM:
			versym = at(val)
		case elf.DT_VERDEF:
			verdef = at(val)
		}
	}
	if strs == nil || syms == nil || hash == nil || verdef == nil || versym == nil {
		t.Fatal("a dynamic table is missing")
	}
	cstr := func(off uint32) string { return string(strs[off : off+uint32(bytes.IndexByte(strs[off:], 0))]) }
	want := -1
	for d := verdef; ; {
		flags, ndx, aux, next := le.Uint16(d[2:]), le.Uint16(d[4:]), le.Uint32(d[12:]), le.Uint32(d[16:])
		if flags&1 == 0 && cstr(le.Uint32(d[aux:])) == ver {
			if le.Uint32(d[8:]) != sysvHash(ver) {
				t.Errorf("version %s: hash %#x, want %#x", ver, le.Uint32(d[8:]), sysvHash(ver))
			}
			want = int(ndx & 0x7fff)
		}
		if next == 0 {
			break
		}
		d = d[next:]
	}
	if want < 0 {
		t.Fatalf("no version %s", ver)
	}
	nbucket, nchain := le.Uint32(hash), le.Uint32(hash[4:])
	bucket := func(i uint32) uint32 { return le.Uint32(hash[8+4*i:]) }
	chain := func(i uint32) uint32 { return le.Uint32(hash[8+4*nbucket+4*i:]) }
	for i := bucket(sysvHash(name) % nbucket); i != 0; i = chain(i) {
		if i >= nchain {
			t.Fatalf("chain index %d beyond nchain %d", i, nchain)
		}
		s := syms[i*24:]
		info, shndx := s[4], le.Uint16(s[6:])
		if elf.ST_TYPE(info) != elf.STT_FUNC || elf.ST_BIND(info) != elf.STB_GLOBAL || shndx == 0 {
			continue
		}
		if cstr(le.Uint32(s)) != name || int(le.Uint16(versym[2*i:])&0x7fff) != want {
			continue
		}
		return loadOffset + le.Uint64(s[8:])
	}
	t.Fatalf("no symbol %s@%s", name, ver)
	return 0
}

func sysvHash(s string) uint32 {
	var h uint32
	for _, c := range []byte(s) {
		h = h<<4 + uint32(c)
		g := h & 0xf0000000
		if g != 0 {
			h ^= g >> 24
		}
		h &^= g
	}
	return h
}

func TestBuild(t *testing.T) {
	// The function may lie below or above the image.
	for _, c := range []struct{ base, fn uint64 }{
		{0x7c00_0000_1000, 0x40_2340},
		{0x40_0000, 0x50_1230},
	} {
		var img [Size]byte
		for i := range img {
			img[i] = 0xAA // Build must not rely on a zeroed array
		}
		Build(&img, c.base, c.fn)
		if got := lookup(t, img[:], c.base, SymbolClock, VersionLinux); got != c.fn {
			t.Errorf("base %#x: %s at %#x, want %#x", c.base, SymbolClock, got, c.fn)
		}
	}
	// The runtime's key for the version (runtime/vdso_linux_amd64.go).
	if h := sysvHash(VersionLinux); h != 0x3ae75f6 {
		t.Errorf("hash of %s = %#x, want 0x3ae75f6", VersionLinux, h)
	}
}
