// Package kernel is coracle's library kernel: it owns the CPU after the
// boot stub, reports crashes, and (from M2 on) runs the Go runtime on a
// Linux system-call personality. A program becomes a coracle image by
// importing this package; `coracle build` adds that import for it.
//
// Trap context: handleTrap and everything it calls (the console, crash
// report and Exit) run in trap context and are //go:nosplit without
// allocation. The boot path (kernelMain and what it calls) runs before
// the Go runtime exists and is held to the same rules.
package kernel

import (
	_ "unsafe" // go:linkname

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/boot"
	"github.com/coracle-os/coracle/kernel/cmdline"
	"github.com/coracle-os/coracle/kernel/exitstatus"
)

// tss is the boot CPU's task-state segment.
var tss amd64.TSS

// kernelMain is called by package boot on the boot stack, with the
// hypervisor's start info decoded into boot.Info (or why it was not).
// Package boot cannot import kernel, so kernel provides boot's symbol.
//
// Runs before the Go runtime: no allocation, no locks.
//
//go:linkname kernelMain github.com/coracle-os/coracle/boot.kernelMain
//go:nosplit
func kernelMain(infoErr error) {
	console.init()
	setupCPU()
	if infoErr != nil {
		bootFailure(infoErr.Error())
	}
	info := &boot.Info
	if p, ok := cmdline.Check(info.Cmdline); !ok {
		console.str("coracle: malformed kernel command line at byte ")
		console.dec(uint64(p.Offset))
		console.str(": ")
		console.str(p.Reason)
		console.str("\n")
		bootFailure("the command line must follow coracle's encoding (see `coracle help`)")
	}
	printBanner(info.RAMBytes(), info.Cmdline)
	crashTest(info.Cmdline)
	Exit(0)
}

// setupCPU installs the kernel's GDT, TSS and exception handlers.
//
//go:nosplit
func setupCPU() {
	tss.NoIOMap()
	amd64.LoadGDT(&tss)
	amd64.SetTrapHandler(handleTrap)
	amd64.InstallExceptionHandlers(&tss)
}

// printBanner prints the line that says the kernel is up.
//
//go:nosplit
func printBanner(ramBytes uint64, cmd string) {
	var sig [12]byte
	console.str("coracle: booted on ")
	console.str(hypervisorName(&sig))
	console.str(", ")
	console.dec((ramBytes + 1<<19) >> 20) // nearest MiB: the map omits the legacy holes
	console.str(" MiB RAM, cmdline \"")
	console.str(cmd)
	console.str("\"\n")
}

// bootFailure reports why the kernel cannot start and stops the VM.
//
//go:nosplit
func bootFailure(reason string) {
	console.str("coracle: boot failed: ")
	console.str(reason)
	console.str("\n")
	Exit(exitstatus.BootFailure)
}
