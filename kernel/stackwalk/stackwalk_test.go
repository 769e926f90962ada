package stackwalk

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/coracle-os/coracle/kernel/symtab"
)

// fakeMemory is a sparse memory of words; reads elsewhere fail.
type fakeMemory map[uint64]uint64

func (m fakeMemory) Word(addr uint64) (uint64, bool) {
	v, ok := m[addr]
	return v, ok
}

var (
	synthStack = Range{0x10000, 0x11000}
	synthCode  = Range{0x400000, 0x500000}
)

// chain lays out frames at the given frame pointers on a synthetic
// stack: each saves the next one's pointer and a return address.
func chain(fps []uint64, ras []uint64) fakeMemory {
	m := fakeMemory{}
	for i, fp := range fps {
		next := uint64(0)
		if i+1 < len(fps) {
			next = fps[i+1]
		}
		m[fp] = next
		m[fp+8] = ras[i]
	}
	return m
}

func TestWalkSynthetic(t *testing.T) {
	good := chain([]uint64{0x10100, 0x10200, 0x10400}, []uint64{0x400010, 0x400020, 0x400030})
	tests := []struct {
		name string
		mem  fakeMemory
		st   Start
		pcs  []uint64
		stop Stop
		at   uint64
	}{
		{"frame pointers only", good, Start{PC: 0x400000, SP: 0x10080, FP: 0x10100},
			[]uint64{0x400000, 0x400010, 0x400020, 0x400030}, StopEnd, 0},
		{"frameless leaf: its return address at SP", func() fakeMemory {
			m := chain([]uint64{0x10100, 0x10200}, []uint64{0x400020, 0x400030})
			m[0x10080] = 0x400010
			return m
		}(), Start{PC: 0x400000, SP: 0x10080, FP: 0x10100, FrameSizeOK: true},
			[]uint64{0x400000, 0x400010, 0x400020, 0x400030}, StopEnd, 0},
		{"function with a frame: FP is its own", good,
			Start{PC: 0x400000, SP: 0x100e8, FP: 0x10100, FrameSize: 0x20, FrameSizeOK: true},
			[]uint64{0x400000, 0x400010, 0x400020, 0x400030}, StopEnd, 0},
		{"misaligned link", chain([]uint64{0x10100, 0x10203}, []uint64{0x400010, 0x400020}),
			Start{PC: 0x400000, SP: 0x10080, FP: 0x10100},
			[]uint64{0x400000, 0x400010}, StopMisaligned, 0x10203},
		{"link below the previous frame", chain([]uint64{0x10100, 0x10200, 0x101f0}, []uint64{0x400010, 0x400020, 0x400030}),
			Start{PC: 0x400000, SP: 0x10080, FP: 0x10100},
			[]uint64{0x400000, 0x400010, 0x400020}, StopNotIncreasing, 0x101f0},
		{"link to itself", fakeMemory{0x10100: 0x10100, 0x10108: 0x400010},
			Start{PC: 0x400000, SP: 0x10080, FP: 0x10100},
			[]uint64{0x400000, 0x400010}, StopNotIncreasing, 0x10100},
		{"link off the stack", chain([]uint64{0x10100, 0x20000}, []uint64{0x400010, 0x400020}),
			Start{PC: 0x400000, SP: 0x10080, FP: 0x10100},
			[]uint64{0x400000, 0x400010}, StopOutside, 0x20000},
		{"frame pointer in the last 8 bytes", chain([]uint64{0x10ff8}, []uint64{0x400010}),
			Start{PC: 0x400000, SP: 0x10080, FP: 0x10ff8},
			[]uint64{0x400000}, StopOutside, 0x10ff8},
		{"return address outside the code", chain([]uint64{0x10100, 0x10200}, []uint64{0x400010, 0x1234}),
			Start{PC: 0x400000, SP: 0x10080, FP: 0x10100},
			[]uint64{0x400000, 0x400010}, StopNotCode, 0x1234},
		{"unreadable word", fakeMemory{0x10100: 0x10200, 0x10108: 0x400010},
			Start{PC: 0x400000, SP: 0x10080, FP: 0x10100},
			[]uint64{0x400000, 0x400010}, StopUnreadable, 0x10200},
		{"FP below SP", good, Start{PC: 0x400000, SP: 0x10180, FP: 0x10100},
			[]uint64{0x400000}, StopNotIncreasing, 0x10100},
		{"SP+delta off the stack", good, Start{PC: 0x400000, SP: 0x10ff0, FP: 0x10100, FrameSize: 0x100, FrameSizeOK: true},
			[]uint64{0x400000}, StopOutside, 0x110f0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := Walk(tt.mem, synthStack, synthCode, tt.st)
			got := tr.PC[:tr.N]
			if !equal(got, tt.pcs) || tr.Stop != tt.stop || tr.At != tt.at {
				t.Errorf("Walk = %#x, %v at %#x; want %#x, %v at %#x", got, tr.Stop, tr.At, tt.pcs, tt.stop, tt.at)
			}
		})
	}
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A chain longer than MaxFrames stops at the limit.
func TestWalkLimit(t *testing.T) {
	var fps, ras []uint64
	for i := range 2 * MaxFrames {
		fps = append(fps, 0x10100+uint64(i)*0x20)
		ras = append(ras, 0x400000+uint64(i))
	}
	tr := Walk(chain(fps, ras), synthStack, synthCode, Start{PC: 0x400000, SP: 0x10080, FP: 0x10100})
	if tr.N != MaxFrames || tr.Stop != StopLimit {
		t.Errorf("Walk found %d frames, stop %v; want %d, %v", tr.N, tr.Stop, MaxFrames, StopLimit)
	}
}

// directMemory reads the test's own memory.
type directMemory struct{}

func (directMemory) Word(addr uint64) (uint64, bool) {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(nil), addr)), true
}

//go:noinline
func walkHere(tab *symtab.Table) Trace {
	pc, sp, fp := callerRegs()
	size, ok := tab.FrameSize(uintptr(pc))
	lo, hi := tab.Text()
	return Walk(directMemory{}, Range{sp, sp + 1<<20}, Range{uint64(lo), uint64(hi)},
		Start{PC: pc, SP: sp, FP: fp, FrameSize: uint64(size), FrameSizeOK: ok})
}

//go:noinline
func outer(tab *symtab.Table) Trace { return middle(tab) }

//go:noinline
func middle(tab *symtab.Table) Trace { return walkHere(tab) }

// Walking this goroutine's real stack names the calls that led here, in
// order, down to the test runner, and ends at the chain's zero.
func TestWalkRealStack(t *testing.T) {
	tab, ok := symtab.Image()
	if !ok {
		t.Fatal("no symbol table")
	}
	tr := outer(&tab)
	var names []string
	for i, pc := range tr.PC[:tr.N] {
		if i > 0 {
			pc-- // a return address: name the call
		}
		name, _, _ := tab.Lookup(uintptr(pc))
		names = append(names, strings.TrimPrefix(name, "github.com/coracle-os/coracle/kernel/stackwalk."))
	}
	want := []string{"walkHere", "middle", "outer", "TestWalkRealStack", "testing.tRunner"}
	if len(names) < len(want) || !equalStrings(names[:len(want)], want) {
		t.Errorf("frames %q; want them to start with %q", names, want)
	}
	if tr.Stop != StopEnd {
		t.Errorf("walk stopped with %v at %#x after %q; want the chain's end", tr.Stop, tr.At, names)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWalkAllocs(t *testing.T) {
	mem := chain([]uint64{0x10100, 0x10200}, []uint64{0x400010, 0x400020})
	var m Memory = mem
	if n := testing.AllocsPerRun(100, func() {
		Walk(m, synthStack, synthCode, Start{PC: 0x400000, SP: 0x10080, FP: 0x10100})
	}); n != 0 {
		t.Errorf("Walk allocates %v times", n)
	}
}
