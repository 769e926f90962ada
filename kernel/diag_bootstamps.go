package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/boot"
)

// bootTimes records TSC readings along the boot path; the
// coracle.bootstamps kernel parameter prints them just before the Go
// runtime starts, for tools/bench/boot, on two lines:
//
//	coracle: bootstamps tsc_hz=<hz> entry=<tsc> page_tables=<tsc> long_mode=<tsc> kernel_main=<tsc> runtime_entry=<tsc>
//	coracle: bootphases cpu=<tsc> cpus=<tsc> memory=<tsc> ... program=<tsc>
//
// The first line's form is fixed (tests and tools parse it); its first
// three stamps are the PVH entry stub's (boot.EntryTSC: entry, after the
// stub clears its tables; boot.EntryStamps: the identity map written,
// then the first 64-bit instruction), so that entry -> kernel_main
// splits into the page tables, the switch to long mode, and the 64-bit
// set-up with the decoding of the start info. The second
// gives the end of each of kernelMain's phases, in boot order; a phase
// runs from the previous stamp (kernel_main for the first) to its own,
// so the phases split kernel_main -> runtime_entry with nothing left
// out, and program equals runtime_entry.
//
// The stamps are taken whether or not the line is printed: the
// parameter is read only after the first phase, and one RDTSC per phase
// costs nothing next to the phases themselves.
type bootTimes struct {
	enabled    bool
	kernelMain uint64
	phases     [numBootPhases]uint64
}

// bootPhase names one of kernelMain's phases by the stamp at its end.
type bootPhase uint8

// The phases, in boot order (kernelMain, boot_main.go).
const (
	// phaseCPU: console, GDT, TSS and trap handlers (setupCPU), the
	// command line's check, the banner, the parameters, the CPU
	// features the kernel requires (RDRAND/RDSEED, NX).
	phaseCPU bootPhase = iota
	// phaseCPUs: the CPU list from the firmware tables (setupCPUList).
	phaseCPUs
	// phaseMemory: vector state, FS base and SYSCALL on the boot CPU
	// (setupUserEntry), the memory map, frame allocator, direct map
	// and page tables (setupMemory), the kernel stack
	// (setupKernelStack).
	phaseMemory
	// phaseTime: clock sources, TSC rate, local APIC (setupTime).
	phaseTime
	// phaseAPsStarted: INIT and STARTUP sent to the APs (startAPs).
	phaseAPsStarted
	// phaseRootFS: the root file system, /tmp, /dev, /proc.
	phaseRootFS
	// phaseFiles: the image's files and the boot modules unpacked.
	phaseFiles
	// phasePageCache: the empty page cache (setupPageCache).
	phasePageCache
	// phaseShares: host shares (setupShares), the working directory
	// (setupWorkDir) and descriptors 0-2 (openConsole).
	phaseShares
	// phaseAPsAwaited: the APs checked in (awaitAPs).
	phaseAPsAwaited
	// phaseProgram: the program's memory, stack and first thread
	// (startProgram), up to the jump to the runtime's entry point.
	phaseProgram

	numBootPhases
)

// bootPhaseNames are the phases' names on the bootphases line.
var bootPhaseNames = [numBootPhases]string{
	phaseCPU:        "cpu",
	phaseCPUs:       "cpus",
	phaseMemory:     "memory",
	phaseTime:       "time",
	phaseAPsStarted: "aps_started",
	phaseRootFS:     "rootfs",
	phaseFiles:      "files",
	phasePageCache:  "pagecache",
	phaseShares:     "shares",
	phaseAPsAwaited: "aps_awaited",
	phaseProgram:    "program",
}

// mark stamps the end of phase p. Runs before the Go runtime.
func (b *bootTimes) mark(p bootPhase) {
	b.phases[p] = amd64.Rdtsc()
}

// print prints both lines; runtimeEntry is the last stamp, which ends
// phaseProgram. From here on the kernel stamps the program's start
// (diag_runstamps.go).
func (b *bootTimes) print(runtimeEntry uint64) {
	b.phases[phaseProgram] = runtimeEntry
	tables, longMode := boot.EntryStamps()
	console.str("coracle: bootstamps tsc_hz=")
	console.dec(tscHz)
	console.str(" entry=")
	console.dec(boot.EntryTSC())
	console.str(" page_tables=")
	console.dec(tables)
	console.str(" long_mode=")
	console.dec(longMode)
	console.str(" kernel_main=")
	console.dec(b.kernelMain)
	console.str(" runtime_entry=")
	console.dec(runtimeEntry)
	console.str("\n")
	printStampLine("coracle: bootphases", bootPhaseNames[:], b.phases[:])
	runStamps.pending = true
}

// printStampLine prints label, then name=tsc for each stamp, on one
// line (the bootphases and runstamps lines).
func printStampLine(label string, names []string, tscs []uint64) {
	console.str(label)
	for i, tsc := range tscs {
		console.str(" ")
		console.str(names[i])
		console.str("=")
		console.dec(tsc)
	}
	console.str("\n")
}
