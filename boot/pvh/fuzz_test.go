package pvh

import (
	"encoding/binary"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes as guest memory starting at physical
// address 0, with the start info at address 0 (so small numbers in the
// input are addresses the fuzzer can aim at).
func FuzzParse(f *testing.F) {
	seed := func(im *image, r *rawStartInfo) {
		mem, _ := im.finish(r)
		f.Add(mem.b)
	}
	{
		im, r := qemuImageAt(0)
		seed(im, r)
	}
	{
		im, r := qemuImageAt(0)
		blob := im.alloc([]byte("initrd"))
		r.NrModules = 2
		r.ModlistPaddr = im.modList(
			rawModule{Paddr: blob, Size: 6, CmdlinePaddr: im.cstring("m=1")},
			rawModule{Paddr: blob, Size: 3},
		)
		seed(im, r)
	}
	{
		im, r := qemuImageAt(0)
		r.CmdlinePaddr = 0
		r.RsdpPaddr = 0
		seed(im, r)
	}
	{
		im, r := qemuImageAt(0)
		ents := make([]MemMapEntry, MaxMemMap)
		for i := range ents {
			ents[i] = MemMapEntry{Addr: uint64(i) << 20, Size: 1 << 20, Type: MemRAM}
		}
		r.MemmapPaddr = im.memMap(ents...)
		r.MemmapEntries = MaxMemMap
		seed(im, r)
	}
	f.Add([]byte{})
	f.Add(make([]byte, startInfoSize))

	f.Fuzz(func(t *testing.T, data []byte) {
		mem := &testMem{base: 0, b: data}
		var si StartInfo
		err := Parse(mem, 0, &si)
		if err != nil {
			if _, ok := err.(Error); !ok {
				t.Fatalf("Parse returned %T %v, want a pvh.Error", err, err)
			}
			return
		}
		if len(data) < startInfoSize {
			t.Fatalf("Parse succeeded on %d bytes, fewer than a start info", len(data))
		}
		if m := binary.LittleEndian.Uint32(data); m != StartMagic {
			t.Fatalf("Parse succeeded with magic %#x", m)
		}
		if si.Version < 1 {
			t.Fatalf("Parse succeeded with version %d", si.Version)
		}
		mm := si.MemMap()
		if len(mm) < 1 || len(mm) > MaxMemMap {
			t.Fatalf("len(MemMap()) = %d, want 1..%d", len(mm), MaxMemMap)
		}
		ram := false
		for i, e := range mm {
			if e.End() < e.Addr {
				t.Fatalf("MemMap()[%d] = %+v wraps past 2^64", i, e)
			}
			if e.Type == MemRAM && e.Size > 0 {
				ram = true
			}
		}
		if !ram {
			t.Fatalf("Parse succeeded without a RAM range: %+v", mm)
		}
		if len(si.Cmdline) > MaxCmdline {
			t.Fatalf("Cmdline has %d bytes, more than MaxCmdline", len(si.Cmdline))
		}
		if strings.IndexByte(si.Cmdline, 0) >= 0 {
			t.Fatalf("Cmdline %q contains NUL", si.Cmdline)
		}
		if !mem.contains(si.Cmdline) {
			t.Fatalf("Cmdline does not point into guest memory")
		}
		mods := si.Modules()
		if len(mods) > MaxModules {
			t.Fatalf("len(Modules()) = %d, more than MaxModules", len(mods))
		}
		for i, m := range mods {
			if mem.Bytes(m.Addr, m.Size) == nil {
				t.Fatalf("Modules()[%d] = {%#x, %#x} lies outside memory", i, m.Addr, m.Size)
			}
			if len(m.Cmdline) > maxModuleCl || strings.IndexByte(m.Cmdline, 0) >= 0 {
				t.Fatalf("Modules()[%d].Cmdline %q is too long or contains NUL", i, m.Cmdline)
			}
		}
	})
}
