// Package boot takes an x86-64 CPU from the hypervisor's PVH entry state
// into 64-bit Go code and hands the decoded hvm_start_info to the kernel.
//
// The image's ELF entry point (linked with -E, see EntrySymbol) is
// pvhEntry, 32-bit code that the hypervisor enters with paging off and EBX
// pointing at hvm_start_info (Xen docs/misc/pvh.pandoc). It sets up its own
// stack (Firecracker enters with RSP=0), identity-maps the first 4 GiB with
// 2 MiB pages, loads a three-entry GDT, turns on long mode and far-returns
// into 64-bit code, which gives Go code a stack, SSE, and a TLS slot with a
// stand-in g, then calls start. No Go runtime exists yet: start and
// everything it calls must not allocate, take locks or use the scheduler.
//
// Trap context: none. start runs before traps exist and never returns.
package boot

import "github.com/coracle-os/coracle/boot/pvh"

// EntrySymbol is the linker name of the PVH entry point: coracle build
// passes it to the linker with -E.
const EntrySymbol = "github.com/coracle-os/coracle/boot.pvhEntry"

// Info is the hvm_start_info the hypervisor passed, decoded by start.
var Info pvh.StartInfo

// EntryTSC returns the time-stamp counter read by the first instructions
// of pvhEntry, for boot-time measurements.
func EntryTSC() uint64

// EntryStamps returns two more readings of the time-stamp counter by
// pvhEntry, which split its run from EntryTSC to kernelMain: tables once
// the identity map is written, longMode at the first instruction of the
// 64-bit code (GDT loaded, paging and long mode on).
func EntryStamps() (tables, longMode uint64)

// IdentityRoot returns the physical address of the boot page tables'
// root (the image runs at its load address, so it is also its virtual
// address). They map the first 4 GiB one to one, with 2 MiB pages,
// writable and executable, and nothing changes them once the kernel has
// its own: the application processors' trampoline starts on them, since
// a root it loads in real mode must lie below 4 GiB and identity-map the
// trampoline and the entry it jumps to.
func IdentityRoot() uintptr

// StackBounds returns the boot stack, [lo, hi): kernelMain runs on it,
// and the crash report walks it when the kernel faults during boot.
func StackBounds() (lo, hi uintptr)

// kernelMain is package kernel's entry point. Package kernel imports boot,
// so boot cannot name it; kernel provides this symbol with go:linkname.
// infoErr is nil when Info was decoded, or why it was refused.
func kernelMain(infoErr error)

// start is called by entry64 on the boot stack with the physical address
// of hvm_start_info.
//
// Called from assembly before the Go runtime exists: no allocation.
//

func start(startInfo uintptr) {
	kernelMain(pvh.Parse(identityMemory{}, uint64(startInfo), &Info))
	for {
		// kernelMain never returns; if it did, stop here rather than
		// return into the 32-bit stub.
	}
}
