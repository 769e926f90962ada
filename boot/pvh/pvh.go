// Package pvh describes the Xen PVH direct-boot ABI that coracle images use
// to be started by QEMU, Firecracker and Cloud Hypervisor: the ELF note that
// names the 32-bit entry point, and the hvm_start_info structure the
// hypervisor hands to it.
//
// Spec: Xen "x86/HVM direct boot ABI" (docs/misc/pvh.pandoc) and
// xen/include/public/arch-x86/hvm/start_info.h, version 1.
//
// The package is pure: it reads guest memory only through the Memory
// interface, so the parser runs in host unit tests as it runs in the kernel.
//
// Trap context: none. Parse runs on the boot stack before the Go runtime
// exists, so it does not allocate and reports problems as constant strings.
package pvh

// ELF note that announces a PVH entry point (Xen public/elfnote.h).
const (
	NoteName = "Xen"
	// XEN_ELFNOTE_PHYS32_ENTRY: the physical address of the 32-bit entry.
	XEN_ELFNOTE_PHYS32_ENTRY = 18
	// NoteDescSize is the size of the note's descriptor. Linux and the
	// rust-vmm loader accept 4 or 8; we write 8, the entry in the low half.
	NoteDescSize = 8
	// NoteSize is the size of the whole note: header, padded name, desc.
	NoteSize = 12 + 4 + NoteDescSize
	// MinEntry is the lowest entry address loaders accept (linux-loader
	// refuses lower; the first MiB holds firmware and boot structures).
	MinEntry = 1 << 20
	// MaxEntry bounds the entry: it is reached in 32-bit mode.
	MaxEntry = 1<<32 - 1
)

// hvm_start_info layout (start_info.h).
const (
	StartMagic       = 0x336ec578
	startInfoSize    = 56
	offMagic         = 0
	offVersion       = 4
	offFlags         = 8
	offNrModules     = 12
	offModlistPaddr  = 16
	offCmdlinePaddr  = 24
	offRsdpPaddr     = 32
	offMemmapPaddr   = 40
	offMemmapEntries = 48

	memmapEntrySize = 24 // hvm_memmap_table_entry: addr, size, type, reserved
	moduleEntrySize = 32 // hvm_modlist_entry: paddr, size, cmdline_paddr, reserved
)

// Memory map entry types (E820 numbering, start_info.h XEN_HVM_MEMMAP_TYPE_*).
const (
	MemRAM      = 1
	MemReserved = 2
	MemACPI     = 3
	MemNVS      = 4
	MemUnusable = 5
	MemDisabled = 6
	MemPMEM     = 7
)

// Limits of what Parse keeps. Hypervisors pass a handful of entries; more
// than these is treated as malformed rather than silently truncated.
const (
	MaxMemMap   = 128
	MaxModules  = 16
	MaxCmdline  = 64 << 10
	maxModuleCl = 4 << 10
)
