// Package mm is the kernel's memory manager: physical frames, x86-64 page
// tables, the process's virtual memory areas (the state behind mmap,
// munmap, mprotect and madvise) and the demand-paging decision the
// page-fault handler makes. It is pure Go: physical memory is reached only
// through PhysMem, so every part runs under `go test` on the host.
//
// Specifications: Intel SDM Vol. 3A §4.5 (4-level paging, Tables 4-14 to
// 4-20 for the entry formats), §4.7 (page-fault error code), §4.10.4
// (which changes need a TLB invalidation); Linux mmap(2), munmap(2),
// mprotect(2), madvise(2) semantics for private anonymous memory as the
// Go 1.26 runtime uses them (docs/linux-abi.md §5), and for file
// mappings: areas with a Backing, whose faults map the file's frames
// (AddressSpace.Files), copied on write in private mappings.
//
// # Use
//
// At boot, once the memory map is known:
//
//	var ram mm.RangeList
//	ram.Add(...)            // each RAM entry of the memory map
//	ram.Subtract(...)       // first MiB, image, boot data, modules, DMA pool
//	frames.Init(mem, ram.Ranges())
//	as.Init(mem, &frames)   // or set as.Root to adopt an existing PML4
//	vmas.Init(floor, ceiling)
//	vmas.Reserve(...)       // every range the kernel owns below UserTop
//
// mem, frames, as and vmas are globals: the structures hold fixed-size
// arrays and are never copied. The system calls then map to:
//
//	mmap:     a, e := vmas.Map(addr, len, prot, fixed); if e == 0 && fixed: Discard(&as, a, a+len)
//	munmap:   e := vmas.Unmap(addr, len); if e == 0: Discard(&as, addr, addr+len)
//	mprotect: e := vmas.Protect(addr, len, prot); if e == 0: ProtectPages(&as, addr, addr+len, prot)
//	madvise(MADV_DONTNEED): gap, kernel := vmas.Coverage(addr, end); EINVAL if kernel;
//	          Discard(&as, addr, end); ENOMEM if gap (Linux acts on the mapped part)
//	#PF:      r := HandleFault(&as, &vmas, CR2, errorCode); if !r.Resolved(): SIGSEGV
//	          with si_code r.SigCode(), or the out-of-memory or crash path
//
// The kernel also sets IA32_EFER.NXE before it loads a table with XD
// entries (otherwise XD is a reserved bit and every access faults with
// PF_RSVD), maps all of RAM in its direct map so PhysMem reaches every
// frame, and checks user buffers against VMAs before it touches them
// (a PROT_NONE page is present for ring 0).
//
// The page tables are the only record of which pages are backed; VMAs
// records what may be backed. Only HandleFault backs pages and only inside
// an area, so Discard over a whole munmap or MAP_FIXED range frees exactly
// the pages of the areas that range removed or replaced (gaps hold no
// pages, and Map and Unmap refuse ranges that touch kernel areas).
//
// # TLB
//
// The package never flushes. Pages that become present need no flush (SDM
// §4.10.4.3), and a page fault invalidates the faulting address itself
// (§4.10.4.1), so HandleFault needs none. After AddressSpace.Unmap or
// AddressSpace.Protect the caller executes INVLPG for that page; after
// Discard or ProtectPages report changed pages, it invalidates the range
// (INVLPG per page for small ranges, a CR3 reload otherwise) before it
// returns to user mode. With one CPU and interrupts off that ordering is
// enough even though Discard frees the frames first; with more CPUs the
// shoot-down must complete before the frames are freed.
//
// # Synchronization
//
// None inside: the structures are owned by the one CPU, and every call
// runs with interrupts disabled (trap context) or before other threads
// exist (boot). A second CPU needs one lock around all of mm's state,
// taken with interrupts off.
//
// Trap context: all. Every function outside the tests is //go:nosplit,
// allocates nothing, takes no locks and stores no pointers after Init
// (no write barriers), so the fault and system-call handlers and the boot
// path may call any of them. The kernel's PhysMem implementation must obey
// the same rules, with a pointer receiver so the interface call reaches
// the method directly (tools/trapcheck cannot see through the interface:
// name that method as a trap root).
package mm

// Errno is a Linux error number, with the values of
// include/uapi/asm-generic/errno-base.h (the same as the kernel's syscall
// layer uses, so a conversion is all it takes). 0 means success.
type Errno uintptr

// Error numbers mm returns.
const (
	EPERM  Errno = 1
	ENOMEM Errno = 12
	EFAULT Errno = 14
	EEXIST Errno = 17
	EINVAL Errno = 22
)

// String returns the errno's name, for reports and tests.
//
// Returns constants only: callable from crash reports in trap context.
//
//go:nosplit
func (e Errno) String() string {
	switch e {
	case 0:
		return "OK"
	case EPERM:
		return "EPERM"
	case ENOMEM:
		return "ENOMEM"
	case EFAULT:
		return "EFAULT"
	case EEXIST:
		return "EEXIST"
	case EINVAL:
		return "EINVAL"
	}
	return "errno?"
}

// Page sizes (SDM Vol. 3A §4.5: 4 KiB pages, 2 MiB pages through a PDE
// with PS set).
const (
	PageSize      = 4096
	LargePageSize = 2 << 20
	pageMask      = PageSize - 1
	largePageMask = LargePageSize - 1
)

// PhysMem gives the kernel access to physical memory (through its direct
// map in the kernel; a []byte in tests).
type PhysMem interface {
	// Page returns the 4 KiB frame at physical address pa as a pointer
	// to its bytes.
	Page(pa uint64) *[4096]byte
}
