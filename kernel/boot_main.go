package kernel

import (
	_ "unsafe" // go:linkname

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/boot"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
)

// kernelMain is called by package boot on the boot stack, with the
// hypervisor's start info decoded into boot.Info (or why it was not).
// Package boot cannot import kernel, so kernel provides boot's symbol.
//
// Runs before the Go runtime: no allocation, no locks.
//
//go:linkname kernelMain github.com/coracle-os/coracle/boot.kernelMain
func kernelMain(infoErr error) {
	bootStamps.kernelMain = amd64.Rdtsc()
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
	straceEnabled = cmdline.Has(info.Cmdline, "coracle.strace")
	sysprofEnabled = cmdline.Has(info.Cmdline, "coracle.sysprof")
	bootStamps.enabled = cmdline.Has(info.Cmdline, "coracle.bootstamps")
	readSMPParams(info.Cmdline)
	readAPICParams(info.Cmdline)
	readTSCParam(info.Cmdline)
	if !detectRandom() {
		bootFailure("the CPU has neither RDRAND nor RDSEED, which getrandom and the Go runtime's seed need (QEMU: use -cpu max or -cpu host)")
	}
	if !amd64.EnableNX() {
		bootFailure("the CPU has no execute-disable (NX) bit, which coracle's page protections need")
	}
	checkThreadLayout()
	bootStamps.mark(phaseCPU)
	setupCPUList(info.RSDP) // on the identity map: before setupMemory
	bootStamps.mark(phaseCPUs)
	setupUserEntry()
	cmd := setupMemory(info)
	bootCmdline = cmd
	setupKernelStack()
	bootStamps.mark(phaseMemory)
	setupTime()
	bootStamps.mark(phaseTime)
	startAPs()
	bootStamps.mark(phaseAPsStarted)
	setupRootFS()
	bootStamps.mark(phaseRootFS)
	unpackFiles()
	unpackModules()
	bootStamps.mark(phaseFiles)
	setupPageCache()
	bootStamps.mark(phasePageCache)
	setupShares(cmd)
	setupWorkDir(cmd)
	openConsole()
	bootStamps.mark(phaseShares)
	awaitAPs()
	bootStamps.mark(phaseAPsAwaited)
	finishAPICCalibration()
	startProgram(cmd)
}

// printBanner prints the line that says the kernel is up.
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
func bootFailure(reason string) {
	console.str("coracle: boot failed: ")
	console.str(reason)
	console.str("\n")
	Exit(exitstatus.BootFailure)
}

// Cmdline returns the kernel command line, for the kernel's own
// goroutines (the network service reads virtio_mmio.device= and ip=).
func Cmdline() string { return bootCmdline }
