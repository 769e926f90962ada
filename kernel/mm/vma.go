package mm

// Prot is an mmap protection: PROT_NONE or an OR of PROT_READ, PROT_WRITE
// and PROT_EXEC (include/uapi/asm-generic/mman-common.h). On x86-64 any
// access right implies read: the page tables cannot express write-only or
// execute-only pages.
type Prot uint32

// Protections, as Linux numbers them.
const (
	PROT_NONE  Prot = 0
	PROT_READ  Prot = 1
	PROT_WRITE Prot = 2
	PROT_EXEC  Prot = 4

	protMask = PROT_READ | PROT_WRITE | PROT_EXEC
)

// Limits of the user address space.
const (
	// MinAddr is the lowest address a mapping may use, Linux's default
	// vm.mmap_min_addr (64 KiB): page 0 stays unmapped, so nil
	// dereferences fault. MAP_FIXED below it is EPERM; lower hints are
	// raised to it.
	MinAddr = 0x10000
	// UserTop is the end of the user half, Linux's TASK_SIZE_MAX for
	// 4-level paging: 2^47 minus a guard page.
	UserTop = 1<<47 - PageSize
	// MaxAreas is the capacity of VMAs. Linux allows 65530 per process;
	// the Go runtime needs a few dozen, because its commits and
	// reservations merge with their neighbours.
	MaxAreas = 1024
)

// Area is one mapping: the page-aligned range [Start, End) with one
// protection.
type Area struct {
	Start, End uint64
	Prot       Prot
	// Kernel marks memory the kernel owns (image, direct map, stacks),
	// added with Reserve. User calls never place over, unmap or
	// protect it, and faults in it are never backed.
	Kernel bool
	Backing
}

// Backing is what a mapping shows: anonymous memory (File 0) or the
// pages of a file.
type Backing struct {
	// File names the mapped file for the kernel's Files (a tmpfs
	// inode); 0 is anonymous memory, backed by zeroed frames.
	File uint32
	// Off is the file offset of the area's Start, page aligned.
	Off uint64
	// Shared marks a MAP_SHARED file mapping: the file's pages are
	// mapped with the area's rights, so writes reach the file. A
	// private mapping maps them read-only and copies a page on the
	// first write to it.
	Shared bool
}

// at returns the backing of the page at addr of area a.
//
// Trap context: arithmetic.
//
//go:nosplit
func (a *Area) at(addr uint64) Backing {
	b := a.Backing
	if b.File != 0 {
		b.Off += addr - a.Start
	}
	return b
}

// FileOffset returns the file offset of addr in file area a.
//
// Trap context: arithmetic.
//
//go:nosplit
func (a *Area) FileOffset(addr uint64) uint64 { return a.Off + addr - a.Start }

// VMAs is the set of mappings of the one process, with Linux's mmap
// semantics for anonymous memory and file mappings. Areas are kept sorted by
// address, disjoint, and merged: no two adjacent areas have the same
// protection and kind. The capacity is MaxAreas; an operation that would
// need more areas fails with ENOMEM and changes nothing.
//
// VMAs records only what may be mapped. Pages are backed on demand by
// HandleFault; after Map with fixed and after Unmap, the caller drops the
// old pages with Discard over the same range (see the package doc).
type VMAs struct {
	floor, ceiling uint64
	n              int
	a              [MaxAreas]Area
}

// Init empties the set and sets the window [floor, ceiling) where Map
// places mappings that have no usable hint: the highest free range that
// fits (Linux's top-down layout, with ceiling as mmap_base). It returns
// EINVAL unless MinAddr <= floor < ceiling <= UserTop, both page aligned.
//
// Boot path: no allocation.
//
//go:nosplit
func (s *VMAs) Init(floor, ceiling uint64) Errno {
	if floor < MinAddr || floor >= ceiling || ceiling > UserTop || (floor|ceiling)&pageMask != 0 {
		return EINVAL
	}
	s.floor, s.ceiling, s.n = floor, ceiling, 0
	return 0
}

// Len returns the number of areas.
//
// Trap context: reporting.
//
//go:nosplit
func (s *VMAs) Len() int { return s.n }

// Areas returns the areas in address order. The slice aliases s; do not
// modify it.
//
// Trap context: slices the array in place.
//
//go:nosplit
func (s *VMAs) Areas() []Area { return s.a[:s.n] }

// Reserve adds the kernel area [start, end) with protection prot (which
// Find reports; it grants nothing). The range may lie anywhere, in either
// canonical half. It returns EINVAL for an empty or misaligned range,
// EEXIST if the range overlaps an area, ENOMEM when the set is full.
//
// Boot path: no allocation.
//
//go:nosplit
func (s *VMAs) Reserve(start, end uint64, prot Prot) Errno {
	if start >= end || (start|end)&pageMask != 0 {
		return EINVAL
	}
	if !s.free(start, end) {
		return EEXIST
	}
	if !s.set(start, end, Area{Prot: prot, Kernel: true}, false) {
		return ENOMEM
	}
	return 0
}

// Anonymous adds the program area [start, end) with protection prot at a
// fixed place anywhere in the lower half, outside the mmap window if need
// be, backed on first touch like any mapping: for the part of the
// image's zero-initialised data that the kernel leaves unbacked. It
// returns EINVAL for an empty or misaligned range, EEXIST if the range
// overlaps an area, ENOMEM when the set is full.
//
// Boot path: no allocation.
//
//go:nosplit
func (s *VMAs) Anonymous(start, end uint64, prot Prot) Errno {
	if start >= end || (start|end)&pageMask != 0 || end > UserTop {
		return EINVAL
	}
	if !s.free(start, end) {
		return EEXIST
	}
	if !s.set(start, end, Area{Prot: prot}, false) {
		return ENOMEM
	}
	return 0
}

// Map adds a mapping of length bytes (rounded up to pages) with
// protection prot and returns its address, as mmap(addr, length, prot,
// MAP_PRIVATE|MAP_ANONYMOUS [|MAP_FIXED], -1, 0) does.
//
// With fixed, the mapping goes exactly at addr and replaces whatever user
// mapping was there; the caller must then Discard [addr, addr+length) so
// the replaced pages are freed and the new ones read as zero. Errors:
// EINVAL for a misaligned addr, ENOMEM if the range passes UserTop or
// touches a kernel area, EPERM below MinAddr.
//
// Without fixed, a non-zero addr is a hint (rounded up to a page, raised
// to MinAddr): used if the whole range is free and below UserTop,
// otherwise the mapping goes at the top of the highest free range in the
// window set by Init. Nothing is replaced. The Go runtime passes random
// 64 MiB-aligned hints and unmaps any result that differs.
//
// Both: EINVAL for length 0 or unknown prot bits; ENOMEM if the rounded
// length overflows or no room is left, or the set is full.
//
// Trap context: the mmap system call.
//
//go:nosplit
func (s *VMAs) Map(addr, length uint64, prot Prot, fixed bool) (uint64, Errno) {
	return s.MapFile(addr, length, prot, fixed, Backing{})
}

// MapFile is Map for a mapping with backing b: the pages of file b.File
// from offset b.Off (page aligned), shared or private. The errors are
// Map's; EINVAL also for a misaligned offset.
//
// Trap context: the mmap system call.
//
//go:nosplit
func (s *VMAs) MapFile(addr, length uint64, prot Prot, fixed bool, b Backing) (uint64, Errno) {
	if prot&^protMask != 0 || length == 0 || b.Off&pageMask != 0 {
		return 0, EINVAL
	}
	n := (length + pageMask) &^ pageMask
	if n == 0 || n > UserTop-MinAddr {
		return 0, ENOMEM
	}
	if fixed {
		// Linux's order of checks: __get_unmapped_area, then
		// security_mmap_addr.
		switch {
		case addr > UserTop-n:
			return 0, ENOMEM
		case addr&pageMask != 0:
			return 0, EINVAL
		case addr < MinAddr:
			return 0, EPERM
		}
		if _, kernel := s.Coverage(addr, addr+n); kernel {
			return 0, ENOMEM
		}
		if !s.set(addr, addr+n, Area{Prot: prot, Backing: b}, false) {
			return 0, ENOMEM
		}
		return addr, 0
	}
	a, ok := s.hint(addr, n)
	if !ok {
		a, ok = s.topDown(n)
		if !ok {
			return 0, ENOMEM
		}
	}
	if !s.set(a, a+n, Area{Prot: prot, Backing: b}, false) {
		return 0, ENOMEM
	}
	return a, 0
}

// hint returns the address a non-fixed mapping of n bytes gets from the
// caller's hint addr, if the hint can be used.
//
// Trap context: called by Map.
//
//go:nosplit
func (s *VMAs) hint(addr, n uint64) (uint64, bool) {
	if addr == 0 {
		return 0, false
	}
	a := (addr + pageMask) &^ pageMask
	if a < addr {
		return 0, false // wrapped
	}
	if a < MinAddr {
		a = MinAddr
	}
	if a > UserTop-n || !s.free(a, a+n) {
		return 0, false
	}
	return a, true
}

// topDown returns the highest address below the ceiling and at or above
// the floor where n free bytes fit.
//
// Trap context: called by Map; O(areas).
//
//go:nosplit
func (s *VMAs) topDown(n uint64) (uint64, bool) {
	top := s.ceiling
	for i := s.n - 1; ; i-- {
		lo := s.floor
		if i >= 0 && s.a[i].End > lo {
			lo = s.a[i].End
		}
		if top >= lo && top-lo >= n {
			return top - n, true
		}
		if i < 0 {
			return 0, false
		}
		if s.a[i].Start < top {
			top = s.a[i].Start
		}
		if top <= s.floor {
			return 0, false
		}
	}
}

// Unmap removes [addr, addr+length) (length rounded up to pages) from the
// user mappings, splitting areas it cuts, as munmap does; the caller then
// Discards the same range. Unmapping space that holds no mapping is not an
// error. Errors: EINVAL for a misaligned addr, length 0, a range past
// UserTop or touching a kernel area; ENOMEM if splitting an area would
// exceed MaxAreas (Linux's max_map_count case).
//
// Trap context: the munmap system call.
//
//go:nosplit
func (s *VMAs) Unmap(addr, length uint64) Errno {
	if addr&pageMask != 0 || addr > UserTop || length > UserTop-addr || length == 0 {
		return EINVAL
	}
	end := addr + (length+pageMask)&^pageMask // cannot pass UserTop: UserTop-addr is page aligned
	if _, kernel := s.Coverage(addr, end); kernel {
		return EINVAL
	}
	if !s.set(addr, end, Area{}, true) {
		return ENOMEM
	}
	return 0
}

// Protect sets the protection of [addr, addr+length) (length rounded up
// to pages), as mprotect does; the caller then updates present pages with
// ProtectPages. Length 0 succeeds and does nothing (Linux). Errors: EINVAL
// for a misaligned addr or unknown prot bits; ENOMEM if the range wraps,
// or any part of it is unmapped or a kernel area (nothing is changed
// then); ENOMEM also if splitting would exceed MaxAreas. A range over
// several areas changes each in turn (each keeps its backing), which
// may split the first and the last: it needs room for two more areas
// before anything changes, even if merging would need none.
//
// Trap context: the mprotect system call.
//
//go:nosplit
func (s *VMAs) Protect(addr, length uint64, prot Prot) Errno {
	// Linux's order of checks (do_mprotect_pkey).
	if addr&pageMask != 0 {
		return EINVAL
	}
	if length == 0 {
		return 0
	}
	end := addr + (length+pageMask)&^pageMask
	if end <= addr {
		return ENOMEM
	}
	if prot&^protMask != 0 {
		return EINVAL
	}
	if gap, kernel := s.Coverage(addr, end); gap || kernel {
		return ENOMEM
	}
	if a, _ := s.Find(addr); a.End >= end {
		// Inside one area: one change, which may need up to two more
		// areas or merge into its neighbours.
		a.Prot = prot
		a.Backing = a.at(addr)
		if !s.set(addr, end, a, false) {
			return ENOMEM
		}
		return 0
	}
	if s.n+2 > MaxAreas {
		return ENOMEM
	}
	for at := addr; at < end; {
		a, _ := s.Find(at)
		stop := min(a.End, end)
		a.Prot = prot
		a.Backing = a.at(at)
		s.set(at, stop, a, false)
		at = stop
	}
	return 0
}

// Maps reports whether any area maps file.
//
// Trap context: O(areas).
//
//go:nosplit
func (s *VMAs) Maps(file uint32) bool {
	for i := range s.n {
		if s.a[i].File == file {
			return true
		}
	}
	return false
}

// Find returns the area that contains addr, user or kernel.
//
// Trap context: the page-fault handler; O(log areas).
//
//go:nosplit
func (s *VMAs) Find(addr uint64) (Area, bool) {
	i := s.first(addr)
	if i < s.n && s.a[i].Start <= addr {
		return s.a[i], true
	}
	return Area{}, false
}

// Coverage reports whether any part of [start, end) lies outside every
// area (gap) and whether any part lies in a kernel area. madvise uses it:
// EINVAL for kernel, ENOMEM (after acting on the rest) for a gap.
//
// Trap context: system calls; O(log areas + areas in the range).
//
//go:nosplit
func (s *VMAs) Coverage(start, end uint64) (gap, kernel bool) {
	at := start
	for i := s.first(start); i < s.n && s.a[i].Start < end; i++ {
		if s.a[i].Start > at {
			gap = true
		}
		if s.a[i].Kernel {
			kernel = true
		}
		at = s.a[i].End
	}
	return gap || at < end, kernel
}

// free reports whether no area overlaps [start, end).
//
// Trap context: O(log areas).
//
//go:nosplit
func (s *VMAs) free(start, end uint64) bool {
	i := s.first(start)
	return i == s.n || s.a[i].Start >= end
}

// first returns the index of the first area that ends after addr (s.n if
// none): a binary search.
//
// Trap context: O(log areas).
//
//go:nosplit
func (s *VMAs) first(addr uint64) int {
	lo, hi := 0, s.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.a[m].End > addr {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// set makes [start, end) one area with the protection and kind of a (its
// bounds are ignored), or no area if remove is set, splitting the areas it cuts and merging the result with
// equal neighbours. It reports false, changing nothing, if the result
// would exceed MaxAreas.
//
// Trap context: O(areas) element moves within the array.
//
//go:nosplit
func (s *VMAs) set(start, end uint64, a Area, remove bool) bool {
	i := s.first(start)
	j := i
	for j < s.n && s.a[j].Start < end {
		j++
	}
	// The pieces that replace s.a[i:j]: what survives of the first and
	// last areas cut, and the new area between them.
	var p [3]Area
	k := 0
	if i < j && s.a[i].Start < start {
		p[k] = s.a[i]
		p[k].End = start
		k++
	}
	if !remove {
		p[k] = Area{Start: start, End: end, Prot: a.Prot, Kernel: a.Kernel, Backing: a.Backing}
		k++
	}
	if i < j && s.a[j-1].End > end {
		p[k] = s.a[j-1]
		p[k].Backing = p[k].at(end)
		p[k].Start = end
		k++
	}
	k = mergePieces(&p, k)
	if k > 0 {
		if i > 0 && joins(&s.a[i-1], &p[0]) {
			p[0].Start = s.a[i-1].Start
			p[0].Backing = s.a[i-1].Backing
			i--
		}
		if j < s.n && joins(&p[k-1], &s.a[j]) {
			p[k-1].End = s.a[j].End
			j++
		}
	}
	n := s.n - (j - i) + k
	if n > MaxAreas {
		return false
	}
	copy(s.a[i+k:n], s.a[j:s.n])
	copy(s.a[i:i+k], p[:k])
	s.n = n
	return true
}

// mergePieces merges adjacent equal pieces among p[:k] and returns how
// many remain.
//
// Trap context: called by set.
//
//go:nosplit
func mergePieces(p *[3]Area, k int) int {
	out := 0
	for i := 1; i < k; i++ {
		if joins(&p[out], &p[i]) {
			p[out].End = p[i].End
		} else {
			out++
			p[out] = p[i]
		}
	}
	if k == 0 {
		return 0
	}
	return out + 1
}

// joins reports whether b starts where a ends and both have the same
// protection and kind, and, for a file, b's pages follow a's in the
// same file, so they must be one area.
//
// Trap context: a comparison.
//
//go:nosplit
func joins(a, b *Area) bool {
	return a.End == b.Start && a.Prot == b.Prot && a.Kernel == b.Kernel &&
		a.File == b.File && a.Shared == b.Shared && (a.File == 0 || a.FileOffset(a.End) == b.Off)
}
