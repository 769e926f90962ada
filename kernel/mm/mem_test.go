package mm

import (
	"fmt"
	"testing"
)

// fakeMem is physical memory [base, base+len(b)) over a byte slice.
type fakeMem struct {
	base  uint64
	b     []byte
	calls int // Page calls
}

// Fill pattern for fresh fake memory: anything that assumes zeroed
// frames sees garbage.
const garbage = 0xa5

func newFakeMem(base, size uint64) *fakeMem {
	m := &fakeMem{base: base, b: make([]byte, size)}
	if size > 0 {
		m.b[0] = garbage
		for i := 1; i < len(m.b); i *= 2 {
			copy(m.b[i:], m.b[:i])
		}
	}
	return m
}

func (m *fakeMem) Page(pa uint64) *[4096]byte {
	m.calls++
	if pa&pageMask != 0 || pa < m.base || pa-m.base >= uint64(len(m.b)) {
		panic(fmt.Sprintf("fakeMem: Page(%#x) outside [%#x, %#x)", pa, m.base, m.base+uint64(len(m.b))))
	}
	return (*[4096]byte)(m.b[pa-m.base:])
}

var _ PhysMem = (*fakeMem)(nil)

// env is one machine: RAM, its frames, an address space and a VMA set.
type env struct {
	mem    *fakeMem
	frames Frames
	as     AddressSpace
	vmas   VMAs
}

const (
	testRAMBase = 1 << 20
	testFloor   = 1 << 32
	testCeiling = 0x7f00_0000_0000
)

// newEnv returns an env with size bytes of RAM at 1 MiB, all of it free
// for frames, an empty address space and an empty VMA set.
func newEnv(t testing.TB, size uint64) *env {
	t.Helper()
	e := &env{mem: newFakeMem(testRAMBase, size)}
	if !e.frames.Init(e.mem, []Range{{testRAMBase, testRAMBase + size}}) {
		t.Fatal("Frames.Init failed")
	}
	if err := e.as.Init(e.mem, &e.frames); err != 0 {
		t.Fatalf("AddressSpace.Init: %v", err)
	}
	if err := e.vmas.Init(testFloor, testCeiling); err != 0 {
		t.Fatalf("VMAs.Init: %v", err)
	}
	return e
}

// leaf is a present leaf entry found by walking the tables.
type leaf struct {
	va    uint64
	pte   PTE
	level int
}

// tableStats walks every table under as.Root and returns the number of
// tables (the PML4 included) and every present leaf.
func tableStats(as *AddressSpace) (tables int, leaves []leaf) {
	var rec func(pa uint64, l int, base uint64)
	rec = func(pa uint64, l int, base uint64) {
		tables++
		t := as.table(pa)
		for i := uint64(0); i < entriesPerTable; i++ {
			e := t[i]
			if !e.Present() {
				continue
			}
			va := base | i<<levelShift(l)
			if l == levels-1 && i >= 256 {
				va |= 0xffff_0000_0000_0000 // sign-extend the upper half
			}
			if l == 0 || (l <= 2 && e&PS != 0) {
				leaves = append(leaves, leaf{va, e, l})
				continue
			}
			rec(e.Addr(), l-1, va)
		}
	}
	rec(as.Root, levels-1, 0)
	return tables, leaves
}

// checkConserved checks that every frame is free, a table, or a page
// mapped exactly once.
func checkConserved(t *testing.T, e *env) {
	t.Helper()
	tables, leaves := tableStats(&e.as)
	seen := map[uint64]bool{}
	for _, l := range leaves {
		if l.level != 0 {
			continue
		}
		if seen[l.pte.Addr()] {
			t.Fatalf("frame %#x mapped twice", l.pte.Addr())
		}
		seen[l.pte.Addr()] = true
	}
	used := uint64(tables + len(seen))
	if got := e.frames.FreeCount() + used; got != e.frames.TotalCount() {
		t.Fatalf("frames not conserved: %d free + %d tables + %d pages = %d, want total %d",
			e.frames.FreeCount(), tables, len(seen), got, e.frames.TotalCount())
	}
}

// checkPagesInAreas checks that every present user page lies in a user
// area and has that area's leaf flags (modulo A and D).
func checkPagesInAreas(t *testing.T, e *env) {
	t.Helper()
	_, leaves := tableStats(&e.as)
	for _, l := range leaves {
		a, ok := e.vmas.Find(l.va)
		if !ok || a.Kernel {
			t.Fatalf("page %#x is present outside every user area (area %+v, %v)", l.va, a, ok)
		}
		if want := LeafFlags(a.Prot); l.pte&settable != want {
			t.Fatalf("page %#x flags %#x, want %#x for prot %d", l.va, uint64(l.pte&settable), uint64(want), a.Prot)
		}
	}
}

// access emulates a ring-3 access by the CPU: it walks the tables, takes
// the page fault the CPU would, lets HandleFault resolve it, and retries.
// It returns the physical address reached, or the fault that stopped it.
func (e *env) access(va uint64, write, fetch bool) (uint64, FaultResult) {
	for try := 0; try < 3; try++ {
		pte, ok := e.as.Lookup(va)
		code := uint64(PF_US)
		if write {
			code |= PF_WR
		}
		if fetch {
			code |= PF_ID
		}
		switch {
		case !ok:
		case pte&US == 0, write && pte&RW == 0, fetch && pte&XD != 0:
			code |= PF_P
		default:
			pa, _ := e.as.Translate(va)
			return pa, FaultBacked
		}
		if r := HandleFault(&e.as, &e.vmas, va, code); !r.Resolved() {
			return 0, r
		}
	}
	panic("fault loop")
}

func (e *env) load(t *testing.T, va uint64) byte {
	t.Helper()
	pa, r := e.access(va, false, false)
	if !r.Resolved() {
		t.Fatalf("load %#x: %v", va, r)
	}
	return e.mem.b[pa-e.mem.base]
}

func (e *env) store(t *testing.T, va uint64, v byte) {
	t.Helper()
	pa, r := e.access(va, true, false)
	if !r.Resolved() {
		t.Fatalf("store %#x: %v", va, r)
	}
	e.mem.b[pa-e.mem.base] = v
}

// The system calls as the kernel will build them from mm.

func (e *env) mmap(addr, length uint64, prot Prot, fixed bool) (uint64, Errno) {
	a, err := e.vmas.Map(addr, length, prot, fixed)
	if err == 0 && fixed {
		Discard(&e.as, a, a+length)
	}
	return a, err
}

func (e *env) munmap(addr, length uint64) Errno {
	err := e.vmas.Unmap(addr, length)
	if err == 0 {
		Discard(&e.as, addr, addr+length)
	}
	return err
}

func (e *env) mprotect(addr, length uint64, prot Prot) Errno {
	err := e.vmas.Protect(addr, length, prot)
	if err == 0 && length != 0 {
		ProtectPages(&e.as, addr, addr+length, prot)
	}
	return err
}

// madviseDontneed follows Linux: EINVAL for a kernel range, otherwise
// discard, then ENOMEM if part of the range was unmapped.
func (e *env) madviseDontneed(addr, length uint64) Errno {
	if addr&pageMask != 0 {
		return EINVAL
	}
	end := addr + (length+pageMask)&^pageMask
	if end < addr {
		return EINVAL
	}
	gap, kernel := e.vmas.Coverage(addr, end)
	if kernel {
		return EINVAL
	}
	Discard(&e.as, addr, end)
	if gap {
		return ENOMEM
	}
	return 0
}
