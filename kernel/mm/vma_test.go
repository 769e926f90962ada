package mm

import (
	"math/rand"
	"testing"
)

// checkAreas checks the VMA set's invariants: areas non-empty, page
// aligned, sorted, disjoint, and merged.
func checkAreas(t testing.TB, s *VMAs) {
	t.Helper()
	as := s.Areas()
	for i, a := range as {
		if a.Start >= a.End || (a.Start|a.End)&pageMask != 0 {
			t.Fatalf("area %d %#x-%#x empty or misaligned", i, a.Start, a.End)
		}
		if i > 0 {
			p := as[i-1]
			if p.End > a.Start {
				t.Fatalf("areas %d and %d overlap or are unsorted: %#x-%#x, %#x-%#x", i-1, i, p.Start, p.End, a.Start, a.End)
			}
			if joins(&p, &a) {
				t.Fatalf("areas %d and %d not merged: %+v %+v", i-1, i, p, a)
			}
		}
	}
}

func newVMAs(t testing.TB, floor, ceiling uint64) *VMAs {
	s := &VMAs{}
	if err := s.Init(floor, ceiling); err != 0 {
		t.Fatalf("Init: %v", err)
	}
	return s
}

func TestVMAsInit(t *testing.T) {
	var s VMAs
	for _, c := range [][2]uint64{{0, 1 << 30}, {MinAddr, MinAddr}, {1 << 30, 1 << 20}, {1 << 20, UserTop + PageSize}, {1<<20 + 1, 1 << 30}} {
		if err := s.Init(c[0], c[1]); err != EINVAL {
			t.Errorf("Init(%#x, %#x) = %v, want EINVAL", c[0], c[1], err)
		}
	}
	if err := s.Init(MinAddr, UserTop); err != 0 {
		t.Errorf("Init(MinAddr, UserTop) = %v", err)
	}
}

func TestVMAsMapErrors(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	if err := s.Reserve(0x40_0000, 0x80_0000, PROT_READ|PROT_EXEC); err != 0 {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		addr   uint64
		length uint64
		prot   Prot
		fixed  bool
		want   Errno
	}{
		{"length 0", 0, 0, PROT_READ, false, EINVAL},
		{"length 0 fixed", 1 << 30, 0, PROT_READ, true, EINVAL},
		{"bad prot", 0, PageSize, 8, false, EINVAL},
		{"PROT_SEM-like bit fixed", 1 << 30, PageSize, 0x10, true, EINVAL},
		{"length overflows when rounded", 0, ^uint64(0), PROT_READ, false, ENOMEM},
		{"length beyond user space", 0, UserTop, PROT_READ, false, ENOMEM},
		{"fixed misaligned", 1<<30 + 1, PageSize, PROT_READ, true, EINVAL},
		{"fixed past UserTop", UserTop - PageSize, 2 * PageSize, PROT_READ, true, ENOMEM},
		{"fixed non-canonical", 1 << 47, PageSize, PROT_READ, true, ENOMEM},
		{"fixed in page 0", 0, PageSize, PROT_READ, true, EPERM},
		{"fixed below MinAddr", MinAddr - PageSize, 2 * PageSize, PROT_READ, true, EPERM},
		{"fixed over kernel area", 0x7f_f000, 2 * PageSize, PROT_READ, true, ENOMEM},
		{"no room in the window", 0, 1 << 40, PROT_READ, false, ENOMEM},
	} {
		if _, err := s.Map(tc.addr, tc.length, tc.prot, tc.fixed); err != tc.want {
			t.Errorf("%s: Map = %v, want %v", tc.name, err, tc.want)
		}
	}
	if s.Len() != 1 {
		t.Errorf("failed Maps changed the set: %+v", s.Areas())
	}
}

func TestVMAsMapPlacement(t *testing.T) {
	const floor, ceiling = 1 << 30, 1 << 40
	s := newVMAs(t, floor, ceiling)
	s.Reserve(0x40_0000, 0x80_0000, PROT_READ|PROT_EXEC)
	expect := func(name string, addr, length uint64, want uint64) {
		t.Helper()
		got, err := s.Map(addr, length, PROT_NONE, false)
		if err != 0 || got != want {
			t.Errorf("%s: Map(%#x, %#x) = %#x %v, want %#x", name, addr, length, got, err, want)
		}
		checkAreas(t, s)
	}
	expect("top-down first", 0, 64<<10, ceiling-64<<10)
	expect("top-down next", 0, 1<<20, ceiling-64<<10-1<<20)
	expect("free hint", 0x29fc58000000, 64<<20, 0x29fc58000000)
	expect("hint above ceiling", 1<<41, PageSize, 1<<41)
	expect("unaligned hint rounded up", 0x5000_0001, PageSize, 0x5000_1000)
	expect("taken hint", 0x29fc58000000+PageSize, PageSize, ceiling-64<<10-1<<20-PageSize)
	expect("hint over kernel area", 0x40_0000, PageSize, ceiling-64<<10-1<<20-2*PageSize)
	expect("low hint raised to MinAddr", 1, PageSize, MinAddr)
	expect("hint past UserTop", UserTop, PageSize, ceiling-64<<10-1<<20-3*PageSize)
	// Everything placed top-down is one merged PROT_NONE area.
	a, ok := s.Find(ceiling - 1)
	if !ok || a.Start != ceiling-64<<10-1<<20-3*PageSize || a.End != ceiling || a.Prot != PROT_NONE {
		t.Errorf("top area = %+v %v", a, ok)
	}
	// Fill the gap just below the ceiling after an unmap: top-down
	// takes the highest hole that fits.
	if err := s.Unmap(ceiling-2*PageSize, PageSize); err != 0 {
		t.Fatal(err)
	}
	expect("highest hole", 0, PageSize, ceiling-2*PageSize)
	expect("hole too small, go below", 0, 2*PageSize, ceiling-64<<10-1<<20-5*PageSize)
}

func TestVMAsFixedReplaces(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	base, _ := s.Map(0, 16*PageSize, PROT_NONE, false)
	if got, err := s.Map(base+4*PageSize, 4*PageSize, PROT_READ|PROT_WRITE, true); err != 0 || got != base+4*PageSize {
		t.Fatalf("Map fixed = %#x %v", got, err)
	}
	want := []Area{
		{Start: base, End: base + 4*PageSize, Prot: PROT_NONE},
		{Start: base + 4*PageSize, End: base + 8*PageSize, Prot: PROT_READ | PROT_WRITE},
		{Start: base + 8*PageSize, End: base + 16*PageSize, Prot: PROT_NONE},
	}
	checkAreasEqual(t, s, want)
	// Extending the commit merges it.
	s.Map(base+8*PageSize, 2*PageSize, PROT_READ|PROT_WRITE, true)
	want[1].End += 2 * PageSize
	want[2].Start += 2 * PageSize
	checkAreasEqual(t, s, want)
	// A fixed map over everything and beyond replaces it all.
	s.Map(base-PageSize, 18*PageSize, PROT_READ, true)
	checkAreasEqual(t, s, []Area{{Start: base - PageSize, End: base + 17*PageSize, Prot: PROT_READ}})
}

func checkAreasEqual(t *testing.T, s *VMAs, want []Area) {
	t.Helper()
	checkAreas(t, s)
	got := s.Areas()
	if len(got) != len(want) {
		t.Fatalf("areas = %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("areas = %+v, want %+v", got, want)
		}
	}
}

func TestVMAsUnmap(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	base, _ := s.Map(0, 16*PageSize, PROT_READ, false)
	s.Reserve(0x40_0000, 0x80_0000, PROT_READ)
	for _, tc := range []struct {
		name         string
		addr, length uint64
		want         Errno
	}{
		{"misaligned", base + 1, PageSize, EINVAL},
		{"length 0", base, 0, EINVAL},
		{"past UserTop", UserTop - PageSize, 2 * PageSize, EINVAL},
		{"start past UserTop", UserTop + PageSize, PageSize, EINVAL},
		{"length wraps", base, ^uint64(0) - 10, EINVAL},
		{"kernel area", 0x3f_f000, 2 * PageSize, EINVAL},
	} {
		if err := s.Unmap(tc.addr, tc.length); err != tc.want {
			t.Errorf("%s: Unmap = %v, want %v", tc.name, err, tc.want)
		}
	}
	// Unmapping nothing is fine.
	if err := s.Unmap(base+32*PageSize, PageSize); err != 0 {
		t.Errorf("Unmap of free space = %v", err)
	}
	// Trim head and tail (length rounded up), split the middle.
	if err := s.Unmap(base, PageSize+1); err != 0 {
		t.Fatal(err)
	}
	s.Unmap(base+14*PageSize, 2*PageSize)
	s.Unmap(base+6*PageSize, PageSize)
	checkAreasEqual(t, s, []Area{
		{Start: 0x40_0000, End: 0x80_0000, Prot: PROT_READ, Kernel: true},
		{Start: base + 2*PageSize, End: base + 6*PageSize, Prot: PROT_READ},
		{Start: base + 7*PageSize, End: base + 14*PageSize, Prot: PROT_READ},
	})
}

func TestVMAsProtect(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	base, _ := s.Map(0, 8*PageSize, PROT_NONE, false)
	s.Reserve(0x40_0000, 0x80_0000, PROT_READ)
	for _, tc := range []struct {
		name         string
		addr, length uint64
		prot         Prot
		want         Errno
	}{
		{"misaligned", base + 1, PageSize, PROT_READ, EINVAL},
		{"bad prot", base, PageSize, 0x20, EINVAL},
		{"length 0", base + 1<<20, 0, PROT_READ, 0},
		{"length 0, bad prot (Linux checks length first)", base, 0, 0x20, 0},
		{"wraps", base, ^uint64(0) - base, PROT_READ, ENOMEM},
		{"unmapped tail", base + 7*PageSize, 2 * PageSize, PROT_READ, ENOMEM},
		{"unmapped head", base - PageSize, 2 * PageSize, PROT_READ, ENOMEM},
		{"kernel area", 0x40_0000, PageSize, PROT_READ, ENOMEM},
		{"no area", 1 << 20, PageSize, PROT_READ, ENOMEM},
	} {
		if err := s.Protect(tc.addr, tc.length, tc.prot); err != tc.want {
			t.Errorf("%s: Protect = %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := s.Protect(base+2*PageSize, 2*PageSize-1, PROT_READ|PROT_WRITE); err != 0 {
		t.Fatal(err)
	}
	checkAreasEqual(t, s, []Area{
		{Start: 0x40_0000, End: 0x80_0000, Prot: PROT_READ, Kernel: true},
		{Start: base, End: base + 2*PageSize, Prot: PROT_NONE},
		{Start: base + 2*PageSize, End: base + 4*PageSize, Prot: PROT_READ | PROT_WRITE},
		{Start: base + 4*PageSize, End: base + 8*PageSize, Prot: PROT_NONE},
	})
	// Across a split and back: one area again.
	s.Protect(base, 8*PageSize, PROT_NONE)
	checkAreasEqual(t, s, []Area{
		{Start: 0x40_0000, End: 0x80_0000, Prot: PROT_READ, Kernel: true},
		{Start: base, End: base + 8*PageSize, Prot: PROT_NONE},
	})
}

func TestVMAsReserve(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	if err := s.Reserve(0xffff_8000_0000_0000, 0xffff_8800_0000_0000, PROT_READ|PROT_WRITE); err != 0 {
		t.Errorf("Reserve in the upper half: %v", err)
	}
	if err := s.Reserve(0x40_0000, 0x40_0000, PROT_READ); err != EINVAL {
		t.Errorf("empty Reserve = %v", err)
	}
	if err := s.Reserve(0x40_0001, 0x50_0000, PROT_READ); err != EINVAL {
		t.Errorf("misaligned Reserve = %v", err)
	}
	s.Reserve(0x40_0000, 0x50_0000, PROT_READ)
	if err := s.Reserve(0x4f_f000, 0x60_0000, PROT_READ); err != EEXIST {
		t.Errorf("overlapping Reserve = %v", err)
	}
	// A kernel area next to a user area of the same prot stays separate.
	s.Map(0x50_0000, PageSize, PROT_READ, true)
	if s.Len() != 3 {
		t.Errorf("areas %+v", s.Areas())
	}
	// Adjacent kernel areas with the same prot merge.
	s.Reserve(0x30_0000, 0x40_0000, PROT_READ)
	if a, _ := s.Find(0x30_0000); a.End != 0x50_0000 || !a.Kernel {
		t.Errorf("Find = %+v", a)
	}
	checkAreas(t, s)
}

func TestVMAsFind(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	a1, _ := s.Map(0x1000_0000, 2*PageSize, PROT_READ, true)
	a2, _ := s.Map(0x2000_0000, PageSize, PROT_WRITE, true)
	for _, tc := range []struct {
		addr uint64
		ok   bool
		want uint64
	}{
		{0, false, 0}, {a1 - 1, false, 0}, {a1, true, a1}, {a1 + 2*PageSize - 1, true, a1},
		{a1 + 2*PageSize, false, 0}, {a2 + 5, true, a2}, {a2 + PageSize, false, 0}, {^uint64(0), false, 0},
	} {
		a, ok := s.Find(tc.addr)
		if ok != tc.ok || (ok && a.Start != tc.want) {
			t.Errorf("Find(%#x) = %+v %v", tc.addr, a, ok)
		}
	}
}

func TestVMAsCoverage(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	s.Map(0x1000_0000, 2*PageSize, PROT_READ, true)
	s.Map(0x1000_2000, 2*PageSize, PROT_WRITE, true)
	s.Reserve(0x1000_5000, 0x1000_6000, PROT_READ)
	for _, tc := range []struct {
		start, end  uint64
		gap, kernel bool
	}{
		{0x1000_0000, 0x1000_4000, false, false},
		{0x1000_1000, 0x1000_3000, false, false},
		{0x0fff_f000, 0x1000_1000, true, false},
		{0x1000_3000, 0x1000_5000, true, false},
		{0x1000_3000, 0x1000_6000, true, true},
		{0x1000_5000, 0x1000_6000, false, true},
		{0x2000_0000, 0x2000_1000, true, false},
	} {
		gap, kernel := s.Coverage(tc.start, tc.end)
		if gap != tc.gap || kernel != tc.kernel {
			t.Errorf("Coverage(%#x, %#x) = %v %v, want %v %v", tc.start, tc.end, gap, kernel, tc.gap, tc.kernel)
		}
	}
}

func TestVMAsCapacity(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	base := uint64(1 << 30)
	// MaxAreas areas alternating protection, with no gap.
	for i := uint64(0); i < MaxAreas; i++ {
		if _, err := s.Map(base+i*PageSize, PageSize, Prot(i%2), true); err != 0 {
			t.Fatalf("Map %d: %v", i, err)
		}
	}
	if s.Len() != MaxAreas {
		t.Fatalf("Len = %d", s.Len())
	}
	before := append([]Area{}, s.Areas()...)
	unchanged := func(what string, err Errno) {
		t.Helper()
		if err != ENOMEM {
			t.Errorf("%s at capacity = %v, want ENOMEM", what, err)
		}
		checkAreasEqual(t, s, before)
	}
	_, err := s.Map(0, PageSize, PROT_READ, false)
	unchanged("Map", err)
	_, err = s.Map(base+MaxAreas*PageSize+PageSize, PageSize, PROT_READ, true)
	unchanged("Map fixed", err)
	s2 := newVMAs(t, 1<<30, 1<<40)
	s2.Map(base, 3*PageSize*(MaxAreas/2), PROT_READ, true)
	for i := uint64(0); i < MaxAreas/2-1; i++ {
		s2.Protect(base+3*i*PageSize+PageSize, PageSize, PROT_WRITE)
	}
	s2.Map(base+1<<30, PageSize, PROT_READ, true) // one more, away from the rest
	if s2.Len() != MaxAreas {
		t.Fatalf("s2.Len = %d", s2.Len())
	}
	last := base + 3*PageSize*(MaxAreas/2-1)
	if err := s2.Unmap(last+PageSize, PageSize); err != ENOMEM {
		t.Errorf("splitting Unmap at capacity = %v, want ENOMEM", err)
	}
	if err := s2.Protect(last+PageSize, PageSize, PROT_WRITE); err != ENOMEM {
		t.Errorf("splitting Protect at capacity = %v, want ENOMEM", err)
	}
	if s2.Len() != MaxAreas {
		t.Errorf("failed calls changed the set")
	}
	// Operations that shrink the set still work at capacity.
	if err := s.Unmap(base, PageSize); err != 0 {
		t.Errorf("trimming Unmap at capacity = %v", err)
	}
	if err := s.Protect(base+PageSize, PageSize, PROT_NONE); err != 0 {
		t.Errorf("merging Protect = %v", err)
	}
	checkAreas(t, s)
}

// vmaModel is the reference: one state per page of a small universe.
type vmaModel struct {
	floor, ceiling uint64 // pages
	pages          [modelPages]pageState
}

type pageState struct {
	mapped, kernel bool
	prot           Prot
}

const modelPages = 1152 // 4.5 MiB: every op lands inside; MinAddr is page 16

func (m *vmaModel) free(a, n uint64) bool {
	for p := a; p < a+n; p++ {
		if m.pages[p].mapped {
			return false
		}
	}
	return true
}

func (m *vmaModel) set(a, n uint64, st pageState) {
	for p := a; p < a+n; p++ {
		m.pages[p] = st
	}
}

func (m *vmaModel) any(a, n uint64, f func(pageState) bool) bool {
	for p := a; p < a+n && p < modelPages; p++ {
		if f(m.pages[p]) {
			return true
		}
	}
	return false
}

func isKernel(s pageState) bool   { return s.kernel }
func isUnmapped(s pageState) bool { return !s.mapped }

// Map as Linux would, in pages; addr and length in bytes.
func (m *vmaModel) Map(addr, length uint64, prot Prot, fixed bool) (uint64, Errno) {
	if prot > 7 || length == 0 {
		return 0, EINVAL
	}
	n := (length + pageMask) / PageSize
	if fixed {
		if addr%PageSize != 0 {
			return 0, EINVAL
		}
		a := addr / PageSize
		if a < MinAddr/PageSize {
			return 0, EPERM
		}
		if m.any(a, n, isKernel) {
			return 0, ENOMEM
		}
		m.set(a, n, pageState{mapped: true, prot: prot})
		return addr, 0
	}
	if addr != 0 {
		a := (addr + pageMask) / PageSize
		if a < MinAddr/PageSize {
			a = MinAddr / PageSize
		}
		if a+n <= modelPages && m.free(a, n) {
			m.set(a, n, pageState{mapped: true, prot: prot})
			return a * PageSize, 0
		}
	}
	for a := int64(m.ceiling) - int64(n); a >= int64(m.floor); a-- {
		if m.free(uint64(a), n) {
			m.set(uint64(a), n, pageState{mapped: true, prot: prot})
			return uint64(a) * PageSize, 0
		}
	}
	return 0, ENOMEM
}

func (m *vmaModel) Unmap(addr, length uint64) Errno {
	if addr%PageSize != 0 || length == 0 {
		return EINVAL
	}
	a, n := addr/PageSize, (length+pageMask)/PageSize
	if m.any(a, n, isKernel) {
		return EINVAL
	}
	m.set(a, n, pageState{})
	return 0
}

func (m *vmaModel) Protect(addr, length uint64, prot Prot) Errno {
	if addr%PageSize != 0 {
		return EINVAL
	}
	if length == 0 {
		return 0
	}
	if prot > 7 {
		return EINVAL
	}
	a, n := addr/PageSize, (length+pageMask)/PageSize
	if a+n > modelPages || m.any(a, n, isKernel) || m.any(a, n, isUnmapped) {
		return ENOMEM
	}
	m.set(a, n, pageState{mapped: true, prot: prot})
	return 0
}

func (m *vmaModel) Reserve(start, end uint64, prot Prot) Errno {
	a, n := start/PageSize, (end-start)/PageSize
	if !m.free(a, n) {
		return EEXIST
	}
	m.set(a, n, pageState{mapped: true, kernel: true, prot: prot})
	return 0
}

// compare checks s against m page by page.
func (m *vmaModel) compare(t testing.TB, s *VMAs) {
	t.Helper()
	checkAreas(t, s)
	for p := uint64(0); p < modelPages; p++ {
		a, ok := s.Find(p*PageSize + uint64(p%7)*8)
		want := m.pages[p]
		got := pageState{mapped: ok, kernel: a.Kernel, prot: a.Prot}
		if got != want {
			t.Fatalf("page %#x: got %+v, want %+v; areas %+v", p*PageSize, got, want, s.Areas())
		}
	}
	if s.Len() > 0 && s.Areas()[s.Len()-1].End > modelPages*PageSize {
		t.Fatalf("area beyond the universe: %+v", s.Areas())
	}
}

// vmaOps runs the operations encoded in ops on s and a model, checking
// after each that they agree. Each op is 5 bytes: kind, address page,
// length in pages, protection and a tweak byte.
func vmaOps(t testing.TB, ops []byte) {
	const floor, ceiling = 64, 768 // pages
	s := newVMAs(t, floor*PageSize, ceiling*PageSize)
	m := &vmaModel{floor: floor, ceiling: ceiling}
	for k := 0; k+4 < len(ops); k += 5 {
		kind, page, npages, prot, tweak := ops[k]%8, uint64(ops[k+1])*4, uint64(ops[k+2]%64), Prot(ops[k+3]%8), ops[k+4]
		addr := page * PageSize
		length := npages * PageSize
		if tweak&1 != 0 {
			length -= PageSize / 2 // rounded up again, or 0 becomes huge
			if npages == 0 {
				length = 0
			}
		}
		if tweak&2 != 0 && tweak&0xf0 == 0 {
			addr++ // misaligned
		}
		if tweak&4 != 0 && tweak&0xf0 == 0 {
			prot |= 8 // invalid
		}
		var got, want Errno
		var ga, wa uint64
		switch kind {
		case 0, 1:
			ga, got = s.Map(addr, length, prot, true)
			wa, want = m.Map(addr, length, prot, true)
		case 2:
			ga, got = s.Map(addr, length, prot, false)
			wa, want = m.Map(addr, length, prot, false)
		case 3:
			ga, got = s.Map(0, length, prot, false)
			wa, want = m.Map(0, length, prot, false)
		case 4, 5:
			got = s.Unmap(addr, length)
			want = m.Unmap(addr, length)
		case 6:
			got = s.Protect(addr, length, prot)
			want = m.Protect(addr, length, prot)
		case 7:
			if tweak&0x18 != 0 || length == 0 || (addr|length)%PageSize != 0 {
				continue // kernel areas stay rare
			}
			got = s.Reserve(addr, addr+length, prot&protMask)
			want = m.Reserve(addr, addr+length, prot&protMask)
		}
		if got != want || ga != wa {
			t.Fatalf("op %d (kind %d addr %#x len %#x prot %d): got %#x %v, want %#x %v",
				k/5, kind, addr, length, prot, ga, got, wa, want)
		}
		m.compare(t, s)
	}
}

func TestVMAsAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for run := 0; run < 300; run++ {
		ops := make([]byte, 5*(50+rng.Intn(300)))
		rng.Read(ops)
		vmaOps(t, ops)
	}
}

func FuzzVMAs(f *testing.F) {
	f.Add([]byte{0, 20, 8, 1, 0, 6, 21, 2, 3, 0, 4, 22, 1, 0, 0, 2, 0, 4, 0, 0})
	f.Add([]byte{7, 30, 4, 5, 0, 0, 29, 8, 3, 0, 3, 0, 63, 0, 1})
	f.Fuzz(func(t *testing.T, ops []byte) { vmaOps(t, ops) })
}
