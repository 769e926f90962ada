package kernel

import (
	"sync/atomic"
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/boot"
	"github.com/coracle-os/coracle/boot/bda"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/smp"
)

// Starting the application processors (APs), the boot CPU's side
// (docs/smp.md). startAPs gives every AP of bootCPUs its per-CPU state,
// copies the trampoline to a low page and sends INIT and STARTUP IPIs to
// all of them at once; each AP runs the trampoline, apEntry64 and apMain
// (boot_aps_entry.go), checks in and parks with interrupts off, while
// the boot CPU goes on with the boot; awaitAPs, just before the program
// starts, waits for those not in yet. The program still runs on the
// boot CPU alone.
//
// While the APs come up, the boot CPU only adds mappings to the kernel's
// page tables, never changes one an AP uses (the image, the direct map,
// the APs' stacks, all mapped before the IPIs), and the APs write
// nothing but their own apCPUs entries.

// An AP's start-up state (apCPU.state). The boot CPU sets apStarting
// before it sends the IPIs; from there the AP (apOnline, apMismatch) or
// the boot CPU, giving up (apSilent), moves it on once, by
// compare-and-swap.
const (
	apAbsent      = iota // not started: the boot CPU, or no slot
	apStarting           // IPIs sent, not checked in yet
	apOnline             // checked in, parked
	apMismatch           // checked in with other CPU features; parked, left out
	apSilent             // never checked in; held in INIT
	apUnreachable        // no IPI could be sent (APIC ID above 255, ICR stuck)
)

// Start-up bounds. QEMU starts an AP at the first STARTUP IPI; the
// second, to the APs not in yet, is for hardware that misses one (SDM
// Vol. 3A §9.4.4.1 sends two), 200 µs or more after the first; an AP
// not in a second after the second is left out. No fixed waits: the
// boot CPU polls, and the bounds only end the wait for an AP that does
// not come. The last is that long for QEMU's TCG on a busy host, where
// an AP's first instructions wait for a host core: with two host cores
// and two other busy processes, APs took up to 100 ms to check in.
const (
	apSecondSIPIMicros = 200
	apGiveUpMicros     = 1_000_000
)

// apCPU is one CPU's state beyond the boot CPU's. Fixed arrays sized by
// maxCPUs, indexed like bootCPUs.apicIDs.
type apCPU struct {
	perCPU amd64.PerCPU
	gdt    amd64.GDT
	tss    amd64.TSS
	apicID uint32
	// state is an ap* value, written with atomics: the boot CPU polls
	// it while the AP writes it.
	state uint32
	// onlineTSC is the TSC when the AP checked in (for the boot CPU,
	// when kernelMain started).
	onlineTSC uint64
	// emergencyTop is the top of the AP's emergency (IST1) stack.
	emergencyTop uint64
}

// apStartBlock is what apEntry64 reads, by the index of its APIC ID
// (boot_aps_amd64.s uses the field offsets through go_asm.h).
type apStartBlock struct {
	cr3    uint64 // the kernel's page-table root
	n      uint64 // entries in apicID
	apicID [maxCPUs]uint32
	stack  [maxCPUs]uint64 // kernel stack top; 0: do not start
	gsBase [maxCPUs]uint64 // the PerCPU block
	fsBase [maxCPUs]uint64 // the block's KernelFSBase
}

// startAPs sends every AP of bootCPUs the IPIs that start it, without
// waiting: the APs come up while the boot CPU goes on with the boot, and
// awaitAPs collects them. It runs after setupTime (it needs the local
// APIC and the TSC's rate).
func startAPs() {
	c := &bootCPUs
	b := &apCPUs[c.boot]
	b.apicID, b.state, b.onlineTSC = c.apicIDs[c.boot], apOnline, bootStamps.kernelMain
	if c.n > 1 {
		apStartAll(c)
	}
}

// awaitAPs waits for every AP started to check in, or gives up on it,
// then prints the CPU line. It runs last before the program starts.
func awaitAPs() {
	c := &bootCPUs
	if aps.vector != 0 {
		start := amd64.Rdtsc()
		if !waitAPs(c, aps.firstIPI, apSecondSIPIMicros) {
			// The boot may have taken longer than the bound since
			// the first IPI: the APs' last chance runs from here.
			second := amd64.Rdtsc()
			sendStartup(c, aps.vector)
			waitAPs(c, second, apGiveUpMicros)
		}
		for i := range c.n {
			a := &apCPUs[i]
			if atomic.CompareAndSwapUint32(&a.state, apStarting, apSilent) {
				lapic.SendIPI(c.apicIDs[i], amd64.ICRInit()) // hold it: a late start would find no one waiting
			}
		}
		aps.waited = amd64.Rdtsc() - start
	}
	setupSchedCPUs()
	reportAPs(c)
	if crashAP {
		awaitAPCrash()
	}
}

// apStartAll prepares every AP and sends INIT and STARTUP to all.
func apStartAll(c *cpuList) {
	page, ok := smp.TrampolinePage(&ramRanges, bda.BaseMemoryEnd(lowMemory{}), ebdaStart())
	if !ok {
		aps.failure = "no page of RAM below 1 MiB is free for the trampoline"
		return
	}
	vector, _ := amd64.StartupVector(page)
	tramp := (*[amd64.TrampolineSize]byte)(addrPointer(directMapBase + uintptr(page)))
	if !amd64.BuildTrampoline(tramp, page, uint64(boot.IdentityRoot()), uint64(apEntryAddr())) {
		aps.failure = "the boot page tables or the image lie above 4 GiB"
		return
	}
	aps.page, aps.vector = page, vector
	if crashAP {
		crashOnAP = lastAP(c)
	}
	apStart.cr3 = space.Root
	apStart.n = uint64(c.n)
	for i := range c.n {
		apStart.apicID[i] = c.apicIDs[i]
		apCPUs[i].apicID = c.apicIDs[i]
		if i != c.boot {
			prepareAP(i)
		}
	}
	// INIT to every AP, whatever the firmware left it doing (SeaBIOS
	// starts the APs to count them), then STARTUP to all.
	aps.firstIPI = amd64.Rdtsc()
	for i := range c.n {
		if apCPUs[i].state == apStarting && !lapic.SendIPI(c.apicIDs[i], amd64.ICRInit()) {
			apCPUs[i].state = apUnreachable
		}
	}
	sendStartup(c, vector)
}

// lastAP is the index of the last AP in c's list.
func lastAP(c *cpuList) int {
	if c.boot == c.n-1 {
		return c.n - 2
	}
	return c.n - 1
}

// prepareAP maps AP i's stacks and fills in its PerCPU block, TSS and
// the entry's start block.
func prepareAP(i int) {
	a := &apCPUs[i]
	k, e := smp.SlotStacks(kernelStackBase, apStackSlot(i))
	mapStack(k)
	mapStack(e)
	a.perCPU.Prepare()
	a.perCPU.SetKernelStack(uintptr(k.Hi))
	a.perCPU.XSaveSize = amd64.FXSaveSize
	a.perCPU.CPU = uint64(i)
	a.tss.NoIOMap()
	a.tss.SetRSP0(uintptr(k.Hi))
	a.emergencyTop = e.Hi
	apStart.stack[i] = k.Hi
	apStart.gsBase[i] = uint64(a.perCPU.Self)
	apStart.fsBase[i] = a.perCPU.KernelFSBase
	a.state = apStarting
}

// apStackSlot is the stack slot of CPU i (smp.SlotStacks): slot 0 is
// the boot CPU's kernel stack (setupKernelStack), so CPU i has i+1.
func apStackSlot(i int) int { return i + 1 }

// mapStack backs s with zeroed frames, supervisor-only and never
// executable; the page below it stays unmapped, as its guard.
func mapStack(s smp.Stack) {
	for va := s.Lo; va < s.Hi; va += 4096 {
		pa, ok := frames.AllocZeroed()
		if !ok {
			outOfMemory("an application processor's stacks")
		}
		mustMap(space.Map(va, pa, mm.P|mm.RW|mm.XD), "an application processor's stacks")
	}
}

// sendStartup sends a STARTUP IPI to every AP not in yet.
func sendStartup(c *cpuList, vector uint8) {
	for i := range c.n {
		if atomic.LoadUint32(&apCPUs[i].state) == apStarting && !lapic.SendIPI(c.apicIDs[i], amd64.ICRStartup(vector)) {
			atomic.CompareAndSwapUint32(&apCPUs[i].state, apStarting, apUnreachable)
		}
	}
}

// waitAPs spins, with PAUSE, until every AP started has checked in or
// micros microseconds have passed since the TSC read from, and reports
// whether all did.
func waitAPs(c *cpuList, from, micros uint64) bool {
	deadline := from + tscHz*micros/1e6
	for {
		all := true
		for i := range c.n {
			if atomic.LoadUint32(&apCPUs[i].state) == apStarting {
				all = false
				break
			}
		}
		if all {
			return true
		}
		if amd64.Rdtsc() >= deadline {
			return false
		}
		amd64.Pause()
	}
}

// reportAPs prints the CPU line when there is more than one CPU (and
// always with coracle.bootstamps):
//
//	coracle: 4 CPUs (ACPI MADT), APIC IDs 0 1 2 3, 4 online; the program runs on 4 CPUs
//
// then a line for each AP that did not come online, and with
// coracle.bootstamps how long the start-up took and when each AP
// checked in.
func reportAPs(c *cpuList) {
	if c.n <= 1 && !bootStamps.enabled {
		return
	}
	online := 0
	for i := range c.n {
		if atomic.LoadUint32(&apCPUs[i].state) == apOnline {
			online++
		}
	}
	console.str("coracle: ")
	console.dec(uint64(c.n))
	if c.n == 1 {
		console.str(" CPU (")
	} else {
		console.str(" CPUs (")
	}
	console.str(c.source.String())
	console.str("), APIC IDs")
	printAPICIDs(c)
	console.str(", ")
	console.dec(uint64(online))
	if schedCPUs > 1 {
		console.str(" online; the program runs on ")
		console.dec(uint64(schedCPUs))
		console.str(" CPUs\n")
	} else {
		console.str(" online; the program runs on the boot CPU only")
		if !smpOn {
			console.str(" (coracle.smp=off)")
		}
		console.str("\n")
	}
	if aps.failure != "" {
		console.str("coracle: the application processors were not started: ")
		console.str(aps.failure)
		console.str("\n")
	}
	for i := range c.n {
		why := ""
		switch atomic.LoadUint32(&apCPUs[i].state) {
		case apMismatch:
			why = "it has other vector-state, FS-base or SYSCALL features than the boot CPU"
		case apSilent:
			why = "it did not check in within a second"
		case apUnreachable:
			why = "no IPI reaches it (an APIC ID above 255 needs x2APIC mode, which this CPU lacks)"
		default:
			continue
		}
		printCPU(i)
		console.str(" is left out: ")
		console.str(why)
		console.str("\n")
	}
	if !bootStamps.enabled || aps.vector == 0 {
		return
	}
	last := aps.firstIPI
	for i := range c.n {
		if i != c.boot && atomic.LoadUint32(&apCPUs[i].state) == apOnline {
			last = max(last, apCPUs[i].onlineTSC)
		}
	}
	console.str("coracle: AP start-up took ")
	console.dec(tscMicros(last - aps.firstIPI))
	console.str(" µs, the boot CPU waited ")
	console.dec(tscMicros(aps.waited))
	console.str(" µs for it, trampoline at ")
	console.hex(aps.page, 1)
	console.str("\n")
	for i := range c.n {
		if i == c.boot || atomic.LoadUint32(&apCPUs[i].state) != apOnline {
			continue
		}
		printCPU(i)
		console.str(" online ")
		console.dec(tscMicros(apCPUs[i].onlineTSC - aps.firstIPI))
		console.str(" µs after the first IPI\n")
	}
}

// printCPU prints "coracle: CPU i (APIC ID n)".
func printCPU(i int) {
	console.str("coracle: CPU ")
	console.dec(uint64(i))
	console.str(" (APIC ID ")
	console.dec(uint64(apCPUs[i].apicID))
	console.str(")")
}

func tscMicros(ticks uint64) uint64 { return tsc.Nanoseconds(ticks) / 1000 }

// awaitAPCrash waits, for coracle.crash=ap, for the AP that faults on
// purpose to report it and stop the VM, so that the boot CPU's output
// does not run into the report.
func awaitAPCrash() {
	if crashOnAP < 0 || atomic.LoadUint32(&apCPUs[crashOnAP].state) != apOnline {
		bootFailure("coracle.crash=ap needs an application processor online (run with --cpus 2 or more)")
	}
	atomic.StoreUint32(&aps.crashGo, 1)
	amd64.HaltForever()
}

// apStackOf names the AP stack holding sp, for crash reports.
func apStackOf(sp uint64) (lo, hi uint64, name string, ok bool) {
	slot, ok := smp.SlotOf(kernelStackBase, sp)
	i := slot - 1
	if !ok || i < 0 || i >= bootCPUs.n || apStart.stack[i] == 0 {
		return 0, 0, "", false
	}
	k, e := smp.SlotStacks(kernelStackBase, slot)
	switch {
	case sp >= k.Lo && sp < k.Hi:
		return k.Lo, k.Hi, apKernelStackName, true
	case sp >= e.Lo && sp < e.Hi:
		return e.Lo, e.Hi, "application processor emergency stack", true
	}
	return 0, 0, "", false
}

// lowMemory reads the first MiB through the direct map, for the BIOS
// Data Area once the boot identity map is gone.
type lowMemory struct{}

func (lowMemory) Bytes(pa, n uint64) []byte {
	if pa >= lowMemoryEnd || n > lowMemoryEnd-pa || !ramRanges.Covers(mm.Range{Start: pa, End: pa + n}) {
		return nil
	}
	return unsafe.Slice((*byte)(addrPointer(directMapBase+uintptr(pa))), n)
}

// ebdaStart is the EBDA's address, or 0 when the BIOS Data Area names
// none.
func ebdaStart() uint64 {
	if pa, ok := bda.EBDA(lowMemory{}); ok {
		return pa
	}
	return 0
}
