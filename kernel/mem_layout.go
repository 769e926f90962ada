package kernel

// The address space (docs/design.md): one page table for the kernel and
// the program.
//
//	0 - 64 KiB                 never mapped: nil dereferences fault
//	image (0x100000 - end)     the ELF image at its link address, 4 KiB
//	                           pages with its segments' rights, US set
//	                           (Go code runs in ring 3)
//	user mappings              mmap areas, backed on first touch
//	initial stack              below userStackTop, guard page beneath
//	directMapBase + pa         all RAM and the local MMIO window, 2 MiB
//	                           pages, supervisor only, never executable
const (
	directMapBase = 0xffff_8000_0000_0000
	largePage     = 2 << 20

	// The local MMIO window: LAPIC (0xFEE00000), IOAPIC (0xFEC00000),
	// microvm's virtio-mmio slots (0xFEB00000), mapped uncached.
	mmioWindowStart = 0xfe00_0000
	mmioWindowEnd   = 0xff00_0000

	// mmapFloor and mmapCeiling bound where mmap places mappings that
	// have no usable hint (top-down from the ceiling, as Linux).
	mmapFloor   = 1 << 32
	mmapCeiling = userStackTop - userStackSize - 1<<30

	lowMemoryEnd = 1 << 20 // firmware and boot structures

	// demandZeroMarkSize is the size of demandZeroMark: more than the
	// largest table of the kernel's (socktab.Table, 162 KiB).
	demandZeroMarkSize = 256 << 10
)

// Windows of the user half where device registers and DMA memory are
// mapped, reserved in the address-space map so that mmap never uses them.
const (
	// xferWindow is where the page cache maps the pages of a transfer
	// for the disk service while it lasts (fs_cache.go); socktab.Window
	// is at 0x7d00_0000_0000.
	xferWindow = 0x7c00_0000_0000
	dmaWindow  = 0x7e00_0000_0000
	mmioWindow = 0x7f00_0000_0000
	windowSize = 64 << 30
)
