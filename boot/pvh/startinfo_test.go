package pvh

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// testMem is guest-physical memory backed by a byte slice that starts at
// physical address base.
type testMem struct {
	base uint64
	b    []byte
}

func (m *testMem) Bytes(pa, n uint64) []byte {
	if pa < m.base {
		return nil
	}
	off := pa - m.base
	size := uint64(len(m.b))
	if off > size || n > size-off {
		return nil
	}
	return m.b[off : off+n : off+n]
}

// contains reports whether s is a view of m's bytes (Parse promises not
// to copy strings out of guest memory).
func (m *testMem) contains(s string) bool {
	if len(s) == 0 || len(m.b) == 0 {
		return true
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	lo := uintptr(unsafe.Pointer(&m.b[0]))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(m.b))
}

// rawStartInfo is hvm_start_info as the hypervisor writes it.
type rawStartInfo struct {
	Magic, Version, Flags, NrModules uint32
	ModlistPaddr, CmdlinePaddr       uint64
	RsdpPaddr, MemmapPaddr           uint64
	MemmapEntries                    uint32
}

// rawModule is one hvm_modlist_entry.
type rawModule struct {
	Paddr, Size, CmdlinePaddr uint64
}

// image lays out a start-info structure and what it points to in a
// buffer that starts at physical address base. The start info itself is
// at base; everything else follows it.
type image struct {
	base uint64
	buf  []byte
}

func newImage(base uint64) *image {
	return &image{base: base, buf: make([]byte, startInfoSize)}
}

// alloc appends b, 8-byte aligned, and returns its physical address.
func (im *image) alloc(b []byte) uint64 {
	for len(im.buf)%8 != 0 {
		im.buf = append(im.buf, 0xcc) // garbage between objects
	}
	pa := im.base + uint64(len(im.buf))
	im.buf = append(im.buf, b...)
	return pa
}

// cstring appends s and a NUL.
func (im *image) cstring(s string) uint64 {
	return im.alloc(append([]byte(s), 0))
}

// memMap appends memory map entries. The reserved field is filled with
// garbage, which Parse must ignore.
func (im *image) memMap(ents ...MemMapEntry) uint64 {
	le := binary.LittleEndian
	var b []byte
	for _, e := range ents {
		b = le.AppendUint64(b, e.Addr)
		b = le.AppendUint64(b, e.Size)
		b = le.AppendUint32(b, e.Type)
		b = le.AppendUint32(b, 0xdeadbeef)
	}
	return im.alloc(b)
}

// modList appends module list entries; the reserved field is garbage.
func (im *image) modList(mods ...rawModule) uint64 {
	le := binary.LittleEndian
	var b []byte
	for _, m := range mods {
		b = le.AppendUint64(b, m.Paddr)
		b = le.AppendUint64(b, m.Size)
		b = le.AppendUint64(b, m.CmdlinePaddr)
		b = le.AppendUint64(b, 0xfeedfacecafebeef)
	}
	return im.alloc(b)
}

// finish writes r at base and returns the memory and r's address.
func (im *image) finish(r *rawStartInfo) (*testMem, uint64) {
	le := binary.LittleEndian
	b := im.buf[:startInfoSize]
	clear(b)
	le.PutUint32(b[0:], r.Magic)
	le.PutUint32(b[4:], r.Version)
	le.PutUint32(b[8:], r.Flags)
	le.PutUint32(b[12:], r.NrModules)
	le.PutUint64(b[16:], r.ModlistPaddr)
	le.PutUint64(b[24:], r.CmdlinePaddr)
	le.PutUint64(b[32:], r.RsdpPaddr)
	le.PutUint64(b[40:], r.MemmapPaddr)
	le.PutUint32(b[48:], r.MemmapEntries)
	return &testMem{base: im.base, b: im.buf}, im.base
}

const (
	qemuBase    = 0x6000 // where QEMU's PVH option ROM puts start info
	qemuCmdline = "console=ttyS0 coracle.arg=hello coracle.env=HOME=/"
	qemuRSDP    = 0xf52e0
	qemuFlags   = 0x1 // SIF_PRIVILEGED, say: Parse passes it through
)

// qemuMemMap is what QEMU (pc machine, 256 MiB) reports.
var qemuMemMap = []MemMapEntry{
	{Addr: 0, Size: 0x9fc00, Type: MemRAM},
	{Addr: 0x9fc00, Size: 0x400, Type: MemReserved},
	{Addr: 0xf0000, Size: 0x10000, Type: MemReserved},
	{Addr: 0x100000, Size: 0xff00000, Type: MemRAM},
	{Addr: 0xfffc0000, Size: 0x40000, Type: MemReserved},
}

// qemuImage is a QEMU-like layout: memory map, command line and RSDP, no
// modules.
func qemuImage() (*image, *rawStartInfo) { return qemuImageAt(qemuBase) }

// qemuImageAt is qemuImage with the start info at physical address base.
func qemuImageAt(base uint64) (*image, *rawStartInfo) {
	im := newImage(base)
	r := &rawStartInfo{
		Magic:         StartMagic,
		Version:       1,
		Flags:         qemuFlags,
		RsdpPaddr:     qemuRSDP,
		MemmapPaddr:   im.memMap(qemuMemMap...),
		MemmapEntries: uint32(len(qemuMemMap)),
		CmdlinePaddr:  im.cstring(qemuCmdline),
	}
	return im, r
}

func parse(t *testing.T, mem Memory, pa uint64) *StartInfo {
	t.Helper()
	var si StartInfo
	if err := Parse(mem, pa, &si); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return &si
}

func TestParseQEMU(t *testing.T) {
	im, r := qemuImage()
	mem, pa := im.finish(r)
	si := parse(t, mem, pa)

	if si.Version != 1 {
		t.Errorf("Version = %d, want 1", si.Version)
	}
	if si.Flags != qemuFlags {
		t.Errorf("Flags = %#x, want %#x", si.Flags, qemuFlags)
	}
	if si.RSDP != qemuRSDP {
		t.Errorf("RSDP = %#x, want %#x", si.RSDP, qemuRSDP)
	}
	if si.Cmdline != qemuCmdline {
		t.Errorf("Cmdline = %q, want %q", si.Cmdline, qemuCmdline)
	}
	if !mem.contains(si.Cmdline) {
		t.Errorf("Cmdline was copied out of guest memory; want a view of it")
	}
	if got := si.MemMap(); !reflect.DeepEqual(got, qemuMemMap) {
		t.Errorf("MemMap() =\n%+v\nwant (same order as given)\n%+v", got, qemuMemMap)
	}
	if got, want := si.RAMBytes(), uint64(0x9fc00+0xff00000); got != want {
		t.Errorf("RAMBytes() = %#x, want %#x", got, want)
	}
	if n := len(si.Modules()); n != 0 {
		t.Errorf("len(Modules()) = %d, want 0", n)
	}
}

func TestParseFirecracker(t *testing.T) {
	// Firecracker: no RSDP, no modules, no command line, RAM from 0.
	im := newImage(0x6000)
	mm := []MemMapEntry{
		{Addr: 0, Size: 0x9fc00, Type: MemRAM},
		{Addr: 0x100000, Size: 127 << 20, Type: MemRAM},
	}
	r := &rawStartInfo{
		Magic:         StartMagic,
		Version:       1,
		MemmapPaddr:   im.memMap(mm...),
		MemmapEntries: uint32(len(mm)),
		// Garbage list address: nr_modules == 0 means it is not read.
		ModlistPaddr: 0xffff_ffff_ffff_fff0,
	}
	mem, pa := im.finish(r)
	si := parse(t, mem, pa)
	if si.Cmdline != "" {
		t.Errorf("Cmdline = %q, want empty", si.Cmdline)
	}
	if si.RSDP != 0 {
		t.Errorf("RSDP = %#x, want 0", si.RSDP)
	}
	if si.Flags != 0 {
		t.Errorf("Flags = %#x, want 0", si.Flags)
	}
	if n := len(si.Modules()); n != 0 {
		t.Errorf("len(Modules()) = %d, want 0", n)
	}
	if got := si.MemMap(); !reflect.DeepEqual(got, mm) {
		t.Errorf("MemMap() = %+v, want %+v", got, mm)
	}
	if got, want := si.RAMBytes(), uint64(0x9fc00+127<<20); got != want {
		t.Errorf("RAMBytes() = %#x, want %#x", got, want)
	}
}

func TestParseNewerVersion(t *testing.T) {
	// Later versions of hvm_start_info only add fields at the end.
	im, r := qemuImage()
	r.Version = 2
	mem, pa := im.finish(r)
	si := parse(t, mem, pa)
	if si.Version != 2 {
		t.Errorf("Version = %d, want 2", si.Version)
	}
}

func TestParseModules(t *testing.T) {
	im, r := qemuImage()
	blob1 := im.alloc([]byte("initrd contents"))
	blob2 := im.alloc([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	cl := im.cstring("rootfstype=ramfs")
	empty := im.cstring("")
	mods := []rawModule{
		{Paddr: blob1, Size: 15, CmdlinePaddr: cl},
		{Paddr: blob2, Size: 9},                      // no command line
		{Paddr: blob2, Size: 0, CmdlinePaddr: empty}, // empty blob, empty command line
	}
	r.NrModules = uint32(len(mods))
	r.ModlistPaddr = im.modList(mods...)
	mem, pa := im.finish(r)
	si := parse(t, mem, pa)

	want := []Module{
		{Addr: blob1, Size: 15, Cmdline: "rootfstype=ramfs"},
		{Addr: blob2, Size: 9, Cmdline: ""},
		{Addr: blob2, Size: 0, Cmdline: ""},
	}
	if got := si.Modules(); !reflect.DeepEqual(got, want) {
		t.Errorf("Modules() =\n%+v\nwant\n%+v", got, want)
	}
	if !mem.contains(si.Modules()[0].Cmdline) {
		t.Errorf("module command line was copied out of guest memory")
	}
	if si.Cmdline != qemuCmdline {
		t.Errorf("Cmdline = %q, want %q", si.Cmdline, qemuCmdline)
	}
}

func TestParseResetsStartInfo(t *testing.T) {
	// A StartInfo reused for a second Parse must not keep the first
	// one's modules, memory map or command line.
	im, r := qemuImage()
	blob := im.alloc([]byte("x"))
	r.NrModules = 2
	r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 1}, rawModule{Paddr: blob, Size: 1})
	var si StartInfo
	mem, pa := im.finish(r)
	if err := Parse(mem, pa, &si); err != nil {
		t.Fatalf("first Parse: %v", err)
	}
	if len(si.Modules()) != 2 {
		t.Fatalf("first Parse: %d modules, want 2", len(si.Modules()))
	}

	im2 := newImage(0x6000)
	r2 := &rawStartInfo{Magic: StartMagic, Version: 1,
		MemmapPaddr: im2.memMap(MemMapEntry{Addr: 0, Size: 4096, Type: MemRAM}), MemmapEntries: 1}
	mem2, pa2 := im2.finish(r2)
	if err := Parse(mem2, pa2, &si); err != nil {
		t.Fatalf("second Parse: %v", err)
	}
	if n := len(si.Modules()); n != 0 {
		t.Errorf("after second Parse: %d modules, want 0", n)
	}
	if n := len(si.MemMap()); n != 1 {
		t.Errorf("after second Parse: %d memory map entries, want 1", n)
	}
	if si.Cmdline != "" || si.RSDP != 0 || si.Flags != 0 {
		t.Errorf("after second Parse: Cmdline %q RSDP %#x Flags %#x, want all empty", si.Cmdline, si.RSDP, si.Flags)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(im *image, r *rawStartInfo)
		pa     func(pa uint64) uint64 // where Parse is pointed; nil: at the start info
		// truncate, if not 0, cuts memory to this many bytes.
		truncate int
		want     error
	}{
		{
			name: "start info below memory",
			pa:   func(uint64) uint64 { return qemuBase - 8 },
			want: ErrUnreadable,
		},
		{
			name: "start info above memory",
			pa:   func(uint64) uint64 { return 1 << 40 },
			want: ErrUnreadable,
		},
		{
			name:     "start info cut short by end of memory",
			truncate: startInfoSize - 1, // only its first 55 bytes exist
			want:     ErrUnreadable,
		},
		{
			name: "start info at top of address space",
			pa:   func(uint64) uint64 { return ^uint64(0) - 8 },
			want: ErrUnreadable,
		},
		{
			name:   "zero magic",
			mutate: func(im *image, r *rawStartInfo) { r.Magic = 0 },
			want:   ErrBadMagic,
		},
		{
			name:   "byte-swapped magic",
			mutate: func(im *image, r *rawStartInfo) { r.Magic = 0x78c56e33 },
			want:   ErrBadMagic,
		},
		{
			name:   "multiboot magic",
			mutate: func(im *image, r *rawStartInfo) { r.Magic = 0x2badb002 },
			want:   ErrBadMagic,
		},
		{
			name:   "version 0",
			mutate: func(im *image, r *rawStartInfo) { r.Version = 0 },
			want:   ErrOldVersion,
		},
		{
			name:   "no memory map entries",
			mutate: func(im *image, r *rawStartInfo) { r.MemmapEntries = 0 },
			want:   ErrNoMemMap,
		},
		{
			name:   "memory map one entry too long",
			mutate: func(im *image, r *rawStartInfo) { r.MemmapEntries = MaxMemMap + 1 },
			want:   ErrMemMapTooLong,
		},
		{
			name:   "memory map 2^32-1 entries",
			mutate: func(im *image, r *rawStartInfo) { r.MemmapEntries = ^uint32(0) },
			want:   ErrMemMapTooLong,
		},
		{
			name:   "memory map outside memory",
			mutate: func(im *image, r *rawStartInfo) { r.MemmapPaddr = 0x1000 },
			want:   ErrMemMapBad,
		},
		{
			name:   "memory map at physical 0",
			mutate: func(im *image, r *rawStartInfo) { r.MemmapPaddr = 0 },
			want:   ErrMemMapBad,
		},
		{
			name: "memory map runs past end of memory",
			mutate: func(im *image, r *rawStartInfo) {
				// The last entry's final byte lies beyond the buffer.
				r.MemmapPaddr = im.base + uint64(len(im.buf)) - uint64(r.MemmapEntries)*memmapEntrySize + 1
			},
			want: ErrMemMapBad,
		},
		{
			name: "memory map address wraps",
			mutate: func(im *image, r *rawStartInfo) {
				r.MemmapPaddr = ^uint64(0) - 10
			},
			want: ErrMemMapBad,
		},
		{
			name: "memory map entry wraps past 2^64",
			mutate: func(im *image, r *rawStartInfo) {
				r.MemmapPaddr = im.memMap(
					MemMapEntry{Addr: 0x100000, Size: 1 << 20, Type: MemRAM},
					MemMapEntry{Addr: 0xffff_ffff_ffff_f000, Size: 0x2000, Type: MemReserved},
				)
				r.MemmapEntries = 2
			},
			want: ErrMemMapOverflow,
		},
		{
			name: "memory map entry of size 2^64-1",
			mutate: func(im *image, r *rawStartInfo) {
				r.MemmapPaddr = im.memMap(MemMapEntry{Addr: 1, Size: ^uint64(0), Type: MemRAM})
				r.MemmapEntries = 1
			},
			want: ErrMemMapOverflow,
		},
		{
			name: "only reserved ranges",
			mutate: func(im *image, r *rawStartInfo) {
				r.MemmapPaddr = im.memMap(
					MemMapEntry{Addr: 0, Size: 0x9fc00, Type: MemReserved},
					MemMapEntry{Addr: 0x100000, Size: 1 << 20, Type: MemACPI},
					MemMapEntry{Addr: 0x200000, Size: 1 << 20, Type: MemPMEM},
				)
				r.MemmapEntries = 3
			},
			want: ErrNoRAM,
		},
		{
			name: "only empty RAM ranges",
			mutate: func(im *image, r *rawStartInfo) {
				r.MemmapPaddr = im.memMap(
					MemMapEntry{Addr: 0x100000, Size: 0, Type: MemRAM},
					MemMapEntry{Addr: 0x200000, Size: 1 << 20, Type: MemReserved},
				)
				r.MemmapEntries = 2
			},
			want: ErrNoRAM,
		},
		{
			name: "RAM beyond the entries counted",
			mutate: func(im *image, r *rawStartInfo) {
				r.MemmapPaddr = im.memMap(
					MemMapEntry{Addr: 0xf0000, Size: 0x10000, Type: MemReserved},
					MemMapEntry{Addr: 0x100000, Size: 1 << 20, Type: MemRAM},
				)
				r.MemmapEntries = 1
			},
			want: ErrNoRAM,
		},
		{
			name:   "too many modules",
			mutate: func(im *image, r *rawStartInfo) { r.NrModules = MaxModules + 1; r.ModlistPaddr = im.base },
			want:   ErrModulesTooMany,
		},
		{
			name:   "2^32-1 modules",
			mutate: func(im *image, r *rawStartInfo) { r.NrModules = ^uint32(0) },
			want:   ErrModulesTooMany,
		},
		{
			name:   "module list outside memory",
			mutate: func(im *image, r *rawStartInfo) { r.NrModules = 1; r.ModlistPaddr = 0x1000 },
			want:   ErrModulesBad,
		},
		{
			name: "module list runs past end of memory",
			mutate: func(im *image, r *rawStartInfo) {
				blob := im.alloc([]byte("abcd"))
				r.NrModules = 2
				// Only one entry is written, and it ends memory.
				r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 4})
			},
			want: ErrModulesBad,
		},
		{
			name: "module outside memory",
			mutate: func(im *image, r *rawStartInfo) {
				r.NrModules = 1
				r.ModlistPaddr = im.modList(rawModule{Paddr: 1 << 30, Size: 4096})
			},
			want: ErrModulesBad,
		},
		{
			name: "module runs past end of memory",
			mutate: func(im *image, r *rawStartInfo) {
				blob := im.alloc([]byte("abcd"))
				r.NrModules = 1
				r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 1 << 20})
			},
			want: ErrModulesBad,
		},
		{
			name: "module wraps past 2^64",
			mutate: func(im *image, r *rawStartInfo) {
				blob := im.alloc([]byte("abcd"))
				r.NrModules = 1
				r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: ^uint64(0)})
			},
			want: ErrModulesBad,
		},
		{
			name: "second module bad",
			mutate: func(im *image, r *rawStartInfo) {
				blob := im.alloc([]byte("abcd"))
				r.NrModules = 2
				r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 4}, rawModule{Paddr: 0x10, Size: 4})
			},
			want: ErrModulesBad,
		},
		{
			name: "module command line outside memory",
			mutate: func(im *image, r *rawStartInfo) {
				blob := im.alloc([]byte("abcd"))
				r.NrModules = 1
				r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 4, CmdlinePaddr: 1 << 33})
			},
			want: ErrModulesBad,
		},
		{
			name: "module command line too long",
			mutate: func(im *image, r *rawStartInfo) {
				blob := im.alloc([]byte("abcd"))
				cl := im.cstring(strings.Repeat("m", maxModuleCl+1))
				r.NrModules = 1
				r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 4, CmdlinePaddr: cl})
			},
			want: ErrModulesBad,
		},
		{
			name:   "command line outside memory",
			mutate: func(im *image, r *rawStartInfo) { r.CmdlinePaddr = 0x1000 },
			want:   ErrCmdlineBad,
		},
		{
			name: "command line not terminated before end of memory",
			mutate: func(im *image, r *rawStartInfo) {
				r.CmdlinePaddr = im.alloc([]byte("console=ttyS0"))
			},
			want: ErrCmdlineBad,
		},
		{
			name: "command line address wraps",
			mutate: func(im *image, r *rawStartInfo) {
				r.CmdlinePaddr = ^uint64(0)
			},
			want: ErrCmdlineBad,
		},
		{
			name: "command line one byte too long",
			mutate: func(im *image, r *rawStartInfo) {
				r.CmdlinePaddr = im.cstring(strings.Repeat("c", MaxCmdline+1))
			},
			want: ErrCmdlineTooLong,
		},
		{
			name: "command line far too long",
			mutate: func(im *image, r *rawStartInfo) {
				r.CmdlinePaddr = im.cstring(strings.Repeat("c", 2*MaxCmdline))
			},
			want: ErrCmdlineTooLong,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, r := qemuImage()
			if tt.mutate != nil {
				tt.mutate(im, r)
			}
			mem, pa := im.finish(r)
			if tt.pa != nil {
				pa = tt.pa(pa)
			}
			if tt.truncate != 0 {
				mem.b = mem.b[:tt.truncate]
			}
			var si StartInfo
			err := Parse(mem, pa, &si)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, want %v", err, tt.want)
			}
			var perr Error
			if !errors.As(err, &perr) {
				t.Errorf("Parse error %T is not a pvh.Error", err)
			}
		})
	}
}

func TestErrorsDistinct(t *testing.T) {
	all := []Error{
		ErrUnreadable, ErrBadMagic, ErrOldVersion, ErrNoMemMap, ErrMemMapTooLong,
		ErrMemMapBad, ErrMemMapOverflow, ErrNoRAM, ErrModulesTooMany, ErrModulesBad,
		ErrCmdlineBad, ErrCmdlineTooLong,
	}
	seen := map[Error]bool{}
	for _, e := range all {
		if e == "" {
			t.Errorf("empty error message")
		}
		if seen[e] {
			t.Errorf("error %q is not distinct", e)
		}
		seen[e] = true
		if e.Error() != string(e) {
			t.Errorf("Error() = %q, want %q", e.Error(), string(e))
		}
	}
}

func TestParseMemMapBoundary(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want error
	}{
		{1, nil},
		{MaxMemMap - 1, nil},
		{MaxMemMap, nil},
		{MaxMemMap + 1, ErrMemMapTooLong},
	} {
		t.Run(strconv.Itoa(tt.n)+" entries", func(t *testing.T) {
			im := newImage(0x6000)
			ents := make([]MemMapEntry, tt.n)
			var ram uint64
			for i := range ents {
				typ := uint32(MemRAM)
				if i%2 == 1 {
					typ = MemReserved
				} else {
					ram += uint64(i+1) << 12
				}
				ents[i] = MemMapEntry{Addr: uint64(i) << 24, Size: uint64(i+1) << 12, Type: typ}
			}
			r := &rawStartInfo{Magic: StartMagic, Version: 1, MemmapPaddr: im.memMap(ents...), MemmapEntries: uint32(tt.n)}
			mem, pa := im.finish(r)
			var si StartInfo
			err := Parse(mem, pa, &si)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse with %d entries = %v, want %v", tt.n, err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if got := si.MemMap(); !reflect.DeepEqual(got, ents) {
				t.Errorf("MemMap() differs from the %d entries given", tt.n)
			}
			if got := si.RAMBytes(); got != ram {
				t.Errorf("RAMBytes() = %#x, want %#x", got, ram)
			}
		})
	}
}

func TestParseModulesBoundary(t *testing.T) {
	for _, tt := range []struct {
		n    uint32
		want error
	}{
		{0, nil},
		{1, nil},
		{MaxModules, nil},
		{MaxModules + 1, ErrModulesTooMany},
	} {
		t.Run(strconv.Itoa(int(tt.n)), func(t *testing.T) {
			im, r := qemuImage()
			var mods []rawModule
			var want []Module
			for i := range tt.n {
				blob := im.alloc([]byte{byte(i), byte(i), byte(i)})
				cl := im.cstring("module" + strconv.Itoa(int(i)))
				mods = append(mods, rawModule{Paddr: blob, Size: 3, CmdlinePaddr: cl})
				want = append(want, Module{Addr: blob, Size: 3, Cmdline: "module" + strconv.Itoa(int(i))})
			}
			r.NrModules = tt.n
			if tt.n > 0 {
				r.ModlistPaddr = im.modList(mods...)
			}
			mem, pa := im.finish(r)
			var si StartInfo
			err := Parse(mem, pa, &si)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse with %d modules = %v, want %v", tt.n, err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if got := si.Modules(); len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				t.Errorf("Modules() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseCmdlineBoundary(t *testing.T) {
	for _, tt := range []struct {
		name string
		n    int
		want error
	}{
		{"empty", 0, nil},
		{"one byte", 1, nil},
		{"MaxCmdline-1", MaxCmdline - 1, nil},
		{"MaxCmdline", MaxCmdline, nil},
		{"MaxCmdline+1", MaxCmdline + 1, ErrCmdlineTooLong},
	} {
		t.Run(tt.name, func(t *testing.T) {
			im, r := qemuImage()
			cl := strings.Repeat("k", tt.n)
			r.CmdlinePaddr = im.cstring(cl)
			mem, pa := im.finish(r)
			var si StartInfo
			err := Parse(mem, pa, &si)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse with a %d-byte command line = %v, want %v", tt.n, err, tt.want)
			}
			if tt.want == nil && si.Cmdline != cl {
				t.Errorf("Cmdline has %d bytes, want %d", len(si.Cmdline), tt.n)
			}
		})
	}
}

func TestParseModuleCmdlineBoundary(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want error
	}{
		{maxModuleCl, nil},
		{maxModuleCl + 1, ErrModulesBad},
	} {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			im, r := qemuImage()
			blob := im.alloc([]byte("abc"))
			cl := strings.Repeat("m", tt.n)
			r.NrModules = 1
			r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 3, CmdlinePaddr: im.cstring(cl)})
			mem, pa := im.finish(r)
			var si StartInfo
			err := Parse(mem, pa, &si)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse with a %d-byte module command line = %v, want %v", tt.n, err, tt.want)
			}
			if tt.want == nil && si.Modules()[0].Cmdline != cl {
				t.Errorf("module Cmdline has %d bytes, want %d", len(si.Modules()[0].Cmdline), tt.n)
			}
		})
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	// Parse runs before the Go runtime has a heap.
	im, r := qemuImage()
	blob := im.alloc([]byte("abc"))
	r.NrModules = 1
	r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 3, CmdlinePaddr: im.cstring("x=y")})
	mem, pa := im.finish(r)
	var si StartInfo
	if n := testing.AllocsPerRun(100, func() {
		if err := Parse(mem, pa, &si); err != nil {
			panic(err)
		}
	}); n != 0 {
		t.Errorf("Parse (success) allocates %v times per run, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		if err := Parse(mem, 0x10, &si); err == nil {
			panic("no error")
		}
	}); n != 0 {
		t.Errorf("Parse (error) allocates %v times per run, want 0", n)
	}
}

func TestMemMapEntryEnd(t *testing.T) {
	for _, tt := range []struct {
		e    MemMapEntry
		want uint64
	}{
		{MemMapEntry{Addr: 0, Size: 0}, 0},
		{MemMapEntry{Addr: 0x100000, Size: 0xff00000}, 0x10000000},
		{MemMapEntry{Addr: 0x9fc00, Size: 0x400}, 0xa0000},
	} {
		if got := tt.e.End(); got != tt.want {
			t.Errorf("%+v.End() = %#x, want %#x", tt.e, got, tt.want)
		}
	}
}

func TestStartInfoLayoutConstants(t *testing.T) {
	// start_info.h, version 1.
	for _, tt := range []struct {
		name      string
		got, want int
	}{
		{"startInfoSize", startInfoSize, 56},
		{"offMagic", offMagic, 0},
		{"offVersion", offVersion, 4},
		{"offFlags", offFlags, 8},
		{"offNrModules", offNrModules, 12},
		{"offModlistPaddr", offModlistPaddr, 16},
		{"offCmdlinePaddr", offCmdlinePaddr, 24},
		{"offRsdpPaddr", offRsdpPaddr, 32},
		{"offMemmapPaddr", offMemmapPaddr, 40},
		{"offMemmapEntries", offMemmapEntries, 48},
		{"memmapEntrySize", memmapEntrySize, 24},
		{"moduleEntrySize", moduleEntrySize, 32},
		{"StartMagic", StartMagic, 0x336ec578},
		{"MemRAM", MemRAM, 1},
		{"MemReserved", MemReserved, 2},
		{"MemACPI", MemACPI, 3},
		{"MemNVS", MemNVS, 4},
		{"MemUnusable", MemUnusable, 5},
		{"MemDisabled", MemDisabled, 6},
		{"MemPMEM", MemPMEM, 7},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
}

// lenientMem checks only that a range starts inside memory, as a Memory
// that maps more than it holds might; reading past the end is the caller's
// problem. Bytes returns what there is.
type lenientMem struct{ *testMem }

func (m lenientMem) Bytes(pa, n uint64) []byte {
	if b := m.testMem.Bytes(pa, n); b != nil {
		return b
	}
	if b := m.testMem.Bytes(pa, 0); b != nil {
		return m.testMem.b[pa-m.base:]
	}
	return nil
}

func TestParseModuleWrapWithLenientMemory(t *testing.T) {
	// Parse refuses a module whose end wraps past 2^64 itself, whatever
	// the Memory says about the range.
	im, r := qemuImage()
	blob := im.alloc([]byte("abcd"))
	r.NrModules = 1
	r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: ^uint64(0) - 2})
	mem, pa := im.finish(r)
	var si StartInfo
	if err := Parse(lenientMem{mem}, pa, &si); !errors.Is(err, ErrModulesBad) {
		t.Errorf("Parse = %v, want %v", err, ErrModulesBad)
	}
	// The same memory accepts a module that merely runs past the end.
	im, r = qemuImage()
	blob = im.alloc([]byte("abcd"))
	r.NrModules = 1
	r.ModlistPaddr = im.modList(rawModule{Paddr: blob, Size: 1 << 20})
	mem, pa = im.finish(r)
	if err := Parse(lenientMem{mem}, pa, &si); err != nil {
		t.Errorf("Parse with a lenient memory = %v, want nil (harness check)", err)
	}
}

func TestErrorsNameTheirLimits(t *testing.T) {
	for _, tt := range []struct {
		err  Error
		want string
	}{
		{ErrMemMapTooLong, strconv.Itoa(MaxMemMap) + " entries"},
		{ErrModulesTooMany, strconv.Itoa(MaxModules) + " modules"},
		{ErrCmdlineTooLong, strconv.Itoa(MaxCmdline>>10) + " KiB"},
		{ErrBadMagic, "0x336ec578"},
	} {
		if !strings.Contains(string(tt.err), tt.want) {
			t.Errorf("%q does not mention %q", tt.err, tt.want)
		}
	}
}
