package kernel

import (
	"encoding/binary"
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/boot/pvh"
	"github.com/coracle-os/coracle/kernel/mm"
)

// setupMemory builds the kernel's page tables and switches to them. It
// returns the command line, copied out of the boot memory.
func setupMemory(info *pvh.StartInfo) string {
	n := copy(cmdlineCopy[:], info.Cmdline)
	cmd := unsafe.String(&cmdlineCopy[0], n)

	img, ok := readImage()
	if !ok {
		bootFailure("cannot read the image's ELF headers in memory")
	}
	ram := &ramRanges
	for _, e := range info.MemMap() {
		if e.Type == pvh.MemRAM && !ram.Add(mm.Range{Start: e.Addr, End: e.End()}) {
			bootFailure("too many RAM ranges in the memory map")
		}
	}
	// The frames are the RAM left once everything the kernel keeps is
	// cut out. The tail of the image's zero-initialised data beyond the
	// kernel's own tables is not kept: it is backed on first touch
	// (demandZeroTail), so its frames go to the allocator, but only
	// where they are RAM: in a small VM the tail (the program's large
	// zeroed arrays) ends past the end of RAM.
	tail := demandZeroTail(&img)
	imgKept := mm.Range{Start: img.start, End: img.end}
	if tail.End > tail.Start {
		imgKept.End = tail.Start
	}
	if !ram.Covers(imgKept) {
		bootFailure("the image does not fit in RAM; give the VM more memory (-m)")
	}
	var reserved [4 + pvh.MaxModules]mm.Range
	reserved[0] = mm.Range{Start: 0, End: lowMemoryEnd}
	reserved[1] = imgKept
	reserved[2] = mm.Range{Start: tail.End, End: img.end} // empty unless there is a tail
	reserved[3] = mm.Range{Start: mmioWindowStart, End: mmioWindowEnd}
	nres := 4
	for _, m := range info.Modules() {
		if nres == len(reserved) {
			bootFailure("too many boot modules")
		}
		reserved[nres] = mm.Range{Start: m.Addr, End: m.Addr + m.Size}
		nres++
	}
	var free mm.RangeList
	if !mm.FreeRAM(&free, ram, reserved[:nres]) {
		bootFailure("too many free ranges in the memory map")
	}
	if !frames.Init(&physMem, free.Ranges()) {
		bootFailure("cannot set up the frame allocator")
	}
	if space.Init(&physMem, &frames) != 0 {
		outOfMemory("page tables")
	}
	space.Files = &fileMaps
	// The direct map: every RAM range, then the MMIO window uncached.
	const directFlags = mm.P | mm.RW | mm.XD
	var mapped uint64 // ranges are sorted; two may share a 2 MiB page
	for _, r := range ram.Ranges() {
		for pa := max(r.Start&^(largePage-1), mapped); pa < r.End; pa += largePage {
			mapped = pa + largePage
			mustMap(space.MapLarge(directMapBase+pa, pa, directFlags), "the direct map")
		}
	}
	for pa := uint64(mmioWindowStart); pa < mmioWindowEnd; pa += largePage {
		mustMap(space.MapLarge(directMapBase+pa, pa, directFlags|mm.PCD|mm.PWT), "the MMIO window")
	}
	// The image, segment by segment.
	for _, s := range img.segments[:img.n] {
		flags := mm.P | mm.US
		if s.flags&pfW != 0 {
			flags |= mm.RW
		}
		if s.flags&pfX == 0 {
			flags |= mm.XD
		}
		for va := s.start; va < s.end; va += 4096 {
			if va >= tail.Start && va < tail.End {
				continue
			}
			mustMap(space.Map(va, va, flags), "the image")
		}
	}
	if vmas.Init(mmapFloor, mmapCeiling) != 0 {
		bootFailure("cannot set up the address-space map")
	}
	// The image's segments are the kernel's, but the program reads and
	// writes its own globals through system calls (futex words in .bss,
	// strings in .rodata), so they carry their rights.
	for _, s := range img.segments[:img.n] {
		prot := mm.PROT_READ
		if s.flags&pfW != 0 {
			prot |= mm.PROT_WRITE
		}
		if s.flags&pfX != 0 {
			prot |= mm.PROT_EXEC
		}
		end := s.end
		if tail.End == s.end && tail.Start > s.start {
			end = tail.Start
		}
		if vmas.Reserve(s.start, end, prot) != 0 {
			bootFailure("cannot reserve the image in the address-space map")
		}
	}
	if tail.End > tail.Start && vmas.Anonymous(tail.Start, tail.End, mm.PROT_READ|mm.PROT_WRITE) != 0 {
		bootFailure("cannot add the image's demand-zero data to the address-space map")
	}
	reserveDeviceWindows()
	amd64.WriteCR3(space.Root)
	physOffset = directMapBase
	return cmd
}

// ELF program-header fields (System V gABI).
const (
	ptLoad = 1
	pfX    = 1
	pfW    = 2
)

// imageLayout is the image's loadable segments, page-rounded, with
// each one's offset in the ELF file (for /proc/self/maps).
type imageLayout struct {
	start, end uint64
	n          int
	segments   [8]struct{ start, end, flags, off uint64 }
}

// imageHeader returns the address of the image's ELF header: the Go
// linker puts it in the first page of the first segment, just below
// runtime.text.
func imageHeader() uintptr

// readImage reads the image's program headers from memory.
func readImage() (img imageLayout, ok bool) {
	hdr := unsafe.Slice((*byte)(addrPointer(imageHeader())), 64)
	if string(hdr[:4]) != "\x7fELF" {
		return img, false
	}
	le := binary.LittleEndian
	phoff, phentsize, phnum := le.Uint64(hdr[32:]), uint64(le.Uint16(hdr[54:])), uint64(le.Uint16(hdr[56:]))
	if phentsize < 56 || phnum > 32 || phoff > 4096 {
		return img, false
	}
	phdrs := unsafe.Slice((*byte)(addrPointer(imageHeader()+uintptr(phoff))), phnum*phentsize)
	img.start = ^uint64(0)
	for i := range phnum {
		p := phdrs[i*phentsize:]
		if le.Uint32(p) != ptLoad {
			continue
		}
		va, memsz := le.Uint64(p[16:]), le.Uint64(p[40:])
		if img.n == len(img.segments) {
			return img, false
		}
		s := &img.segments[img.n]
		s.start, s.end, s.flags = va&^4095, (va+memsz+4095)&^4095, uint64(le.Uint32(p[4:]))
		s.off = le.Uint64(p[8:]) &^ 4095
		img.n++
		img.start, img.end = min(img.start, s.start), max(img.end, s.end)
	}
	return img, img.n > 0
}

// demandZeroTail returns the part of the image that is backed on first
// touch instead of at load: the last writable segment from the page
// after the start of demandZeroMark to its end. That segment ends with
// .noptrbss, whose symbols the Go linker lays out by size, smallest
// first. demandZeroMark is larger than any table of the kernel's, so
// every one of them lies before it (TestKernelTablesBeforeDemandZeroMark
// in tools/integration checks this on built images): past it lie only
// the mark itself, never touched, and the program's own larger
// zero-initialised arrays (crypto/internal/fips140/drbg's 32 MiB scratch
// buffer, in every program that uses crypto). Trap handlers never touch
// those except as user memory, whose faults the kernel serves. QEMU
// zeroed those pages and nothing has touched them yet, so they can be
// given back. An empty range if the layout is not as expected.
//
// Boot path: no allocation.
func demandZeroTail(img *imageLayout) mm.Range {
	start := (uint64(uintptr(unsafe.Pointer(&demandZeroMark))) + 4095) &^ 4095
	for _, s := range img.segments[:img.n] {
		if s.flags&pfW != 0 && s.end == img.end && start > s.start && start < s.end {
			return mm.Range{Start: start, End: s.end}
		}
	}
	return mm.Range{}
}

// bootZeroedPages takes physically contiguous frames for n bytes at boot,
// zeroes them and returns them through the direct map: for the kernel's
// tables that only some machines need, sized or taken there instead of
// kept in every image. The boot stops if there are none.
//
// Boot path: no allocation.
func bootZeroedPages(n uint64, what string) unsafe.Pointer {
	pages := (n + mm.PageSize - 1) / mm.PageSize
	pa, ok := frames.AllocContiguous(pages, mm.PageSize)
	if !ok {
		outOfMemory(what)
	}
	p := addrPointer(uintptr(pa) + physOffset)
	clear(unsafe.Slice((*byte)(p), pages*mm.PageSize))
	return p
}
