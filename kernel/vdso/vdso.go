// Package vdso builds the virtual dynamic shared object the kernel gives
// the program through AT_SYSINFO_EHDR: a minimal ELF image whose dynamic
// symbol table names the functions the Go runtime looks up there
// (__vdso_clock_gettime, version LINUX_2.6), so that time.Now and the
// scheduler's clock reads run in the program's ring 3 without a system
// call. The functions themselves are code in the kernel image; the ELF
// image only points at them.
//
// What the runtime reads (runtime/vdso_linux.go, vdso_elf64.go): the
// first PT_LOAD for the load offset, PT_DYNAMIC, and in it DT_STRTAB,
// DT_SYMTAB, DT_HASH and DT_VERDEF/DT_VERSYM (it walks the version
// definitions unconditionally, so they must be there).
//
// Trap context: none, but Build runs on the boot path before the Go
// runtime exists: it writes into the caller's array and never
// allocates.
package vdso

import "encoding/binary"

// Size is the size of the image Build writes.
const Size = 0x200

// ELF constants (System V gABI; elf(5)).
const (
	elfClass64   = 2
	elfData2LSB  = 1
	evCurrent    = 1
	etDyn        = 3
	emX86_64     = 62
	ptLoad       = 1
	ptDynamic    = 2
	pfR, pfX     = 4, 1
	dtNull       = 0
	dtHash       = 4
	dtStrtab     = 5
	dtSymtab     = 6
	dtStrsz      = 10
	dtSyment     = 11
	dtVersym     = 0x6ffffff0
	dtVerdef     = 0x6ffffffc
	dtVerdefnum  = 0x6ffffffd
	stbGlobal    = 1
	sttFunc      = 2
	verFlgBase   = 1
	shnAbs       = 0xfff1
	symSize      = 24
	versionBase  = 1 // the object's own version definition
	versionLinux = 2 // LINUX_2.6
)

// Layout of the image.
const (
	offPhdrs   = 0x40
	offDynamic = 0xb0  // 9 entries of 16 bytes
	offHash    = 0x140 // nbucket, nchain, bucket, 2 chain entries
	offSyms    = 0x158 // null symbol + one
	offVersym  = 0x188 // 2 entries
	offVerdef  = 0x190 // 2 verdefs of 20 bytes + 2 verdaux of 8
	offStrtab  = 0x1c8
)

// Names in the string table and their offsets.
const (
	strtab       = "\x00__vdso_clock_gettime\x00LINUX_2.6\x00linux-vdso.so.1\x00"
	nameClock    = 1
	nameLinux    = 22
	nameSoname   = 32
	SymbolClock  = "__vdso_clock_gettime"
	VersionLinux = "LINUX_2.6"
)

// Build writes the image into img, which will live at address base, with
// __vdso_clock_gettime at address clockGettime.
func Build(img *[Size]byte, base, clockGettime uint64) {
	*img = [Size]byte{}
	le := binary.LittleEndian
	b := img[:]

	// ELF header.
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = elfClass64, elfData2LSB, evCurrent
	le.PutUint16(b[16:], etDyn)
	le.PutUint16(b[18:], emX86_64)
	le.PutUint32(b[20:], evCurrent)
	le.PutUint64(b[32:], offPhdrs) // e_phoff
	le.PutUint16(b[52:], 64)       // e_ehsize
	le.PutUint16(b[54:], 56)       // e_phentsize
	le.PutUint16(b[56:], 2)        // e_phnum
	le.PutUint16(b[58:], 64)       // e_shentsize (no sections)

	// Program headers: the image is loaded at its own offsets, and its
	// dynamic section.
	phdr := func(at int, typ, flags uint32, off, size, align uint64) {
		le.PutUint32(b[at:], typ)
		le.PutUint32(b[at+4:], flags)
		le.PutUint64(b[at+8:], off)   // p_offset
		le.PutUint64(b[at+16:], off)  // p_vaddr
		le.PutUint64(b[at+24:], off)  // p_paddr
		le.PutUint64(b[at+32:], size) // p_filesz
		le.PutUint64(b[at+40:], size) // p_memsz
		le.PutUint64(b[at+48:], align)
	}
	phdr(offPhdrs, ptLoad, pfR|pfX, 0, Size, 16)
	phdr(offPhdrs+56, ptDynamic, pfR, offDynamic, offHash-offDynamic, 8)

	// Dynamic section.
	at := offDynamic
	for _, d := range [...][2]uint64{
		{dtHash, offHash}, {dtStrtab, offStrtab}, {dtSymtab, offSyms},
		{dtStrsz, uint64(len(strtab))}, {dtSyment, symSize},
		{dtVersym, offVersym}, {dtVerdef, offVerdef}, {dtVerdefnum, 2},
		{dtNull, 0},
	} {
		le.PutUint64(b[at:], d[0])
		le.PutUint64(b[at+8:], d[1])
		at += 16
	}

	// SysV hash table: one bucket holding symbol 1, which ends its chain.
	for i, v := range [...]uint32{1, 2, 1, 0, 0} { // nbucket, nchain, bucket[0], chain[0], chain[1]
		le.PutUint32(b[offHash+4*i:], v)
	}

	// Symbols: the null symbol, then __vdso_clock_gettime as an absolute
	// value relative to the load offset (base), wrapping like the
	// runtime's uintptr addition.
	sym := b[offSyms+symSize:]
	le.PutUint32(sym, nameClock)
	sym[4] = stbGlobal<<4 | sttFunc
	le.PutUint16(sym[6:], shnAbs)
	le.PutUint64(sym[8:], clockGettime-base)

	// Version of each symbol, and the definitions: the object itself,
	// then LINUX_2.6.
	le.PutUint16(b[offVersym+2:], versionLinux)
	verdef := func(at int, flags, ndx uint16, name uint32, next uint32) {
		le.PutUint16(b[at:], 1) // vd_version
		le.PutUint16(b[at+2:], flags)
		le.PutUint16(b[at+4:], ndx)
		le.PutUint16(b[at+6:], 1) // vd_cnt
		le.PutUint32(b[at+8:], elfHash(name))
		le.PutUint32(b[at+12:], 40-uint32(at-offVerdef)+uint32(ndx-1)*8) // vd_aux: to its verdaux
		le.PutUint32(b[at+16:], next)
		aux := offVerdef + 40 + int(ndx-1)*8
		le.PutUint32(b[aux:], name) // vda_name; vda_next 0
	}
	verdef(offVerdef, verFlgBase, versionBase, nameSoname, 20)
	verdef(offVerdef+20, 0, versionLinux, nameLinux, 0)

	copy(b[offStrtab:], strtab)
}

// elfHash is the System V ELF hash of the string at offset name in the
// string table.
func elfHash(name uint32) uint32 {
	var h uint32
	for i := name; strtab[i] != 0; i++ {
		h = h<<4 + uint32(strtab[i])
		g := h & 0xf0000000
		if g != 0 {
			h ^= g >> 24
		}
		h &^= g
	}
	return h
}
