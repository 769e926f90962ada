package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/arch/amd64/pc/fwcfg"
	"github.com/coracle-os/coracle/boot/acpi"
	"github.com/coracle-os/coracle/boot/mptable"
)

// CPU discovery: which CPUs the hypervisor gave the guest, asked the way
// each hypervisor tells it (docs/smp.md). startAPs (boot_aps.go) starts
// the others and parks them; the kernel runs the program on the boot CPU
// only, so only the boot console reports the list: sched_getaffinity,
// /proc/cpuinfo and runtime.NumCPU keep saying 1.

// maxCPUs bounds the CPU list, as the table parsers bound theirs.
const maxCPUs = acpi.MaxCPUs

// cpuSource says where the CPU list came from.
type cpuSource uint8

const (
	cpusBootOnly cpuSource = iota // nothing said more: the boot CPU alone
	cpusMADT                      // ACPI's MADT
	cpusMPTable                   // the Intel MP configuration table
	cpusFwCfg                     // QEMU's fw_cfg count
)

func (s cpuSource) String() string {
	switch s {
	case cpusMADT:
		return "ACPI MADT"
	case cpusMPTable:
		return "MP table"
	case cpusFwCfg:
		return "QEMU fw_cfg"
	}
	return "boot CPU only"
}

// cpuList is the machine's CPUs by local APIC ID, in the order the
// source gave them.
type cpuList struct {
	apicIDs [maxCPUs]uint32
	n       int
	boot    int // index of the CPU that booted
	source  cpuSource
}

// setupCPUList learns the machine's CPUs and reports them. rsdp is the
// start info's ACPI RSDP address (0: none given).
func setupCPUList(rsdp uint64) {
	discoverCPUs(rsdp)
	cpu0.CPU = uint64(bootCPUs.boot) // the boot CPU's number (smp_cpu.go)
	reportCPUs(rsdp)
}

// discoverCPUs fills bootCPUs from the first source that answers: the
// MADT (through the RSDP the start info gives, or the legacy scan), the
// MP table, then fw_cfg; without any, the boot CPU alone. A list that
// does not hold the boot CPU's own APIC ID is not believed. It runs on
// the boot page tables, before setupMemory, reading the tables through
// the identity map.
func discoverCPUs(rsdp uint64) {
	self := bootAPICID()
	for _, s := range [...]cpuSource{cpusMADT, cpusMPTable, cpusFwCfg} {
		if probeCPUs(&bootCPUs, s, rsdp, self) == "" {
			return
		}
	}
	c := &bootCPUs
	c.reset(cpusBootOnly)
	c.add(self)
}

// probeCPUs fills c from source s alone. It returns why s gave no list,
// or "" when it did.
func probeCPUs(c *cpuList, s cpuSource, rsdp uint64, self uint32) string {
	c.reset(s)
	mem := identityMem{}
	switch s {
	case cpusMADT:
		if _, err := acpi.ReadMADT(mem, rsdp, &cpuScratch.madt); err != nil {
			return err.Error()
		}
		for _, l := range cpuScratch.madt.CPUs() {
			if l.Enabled() { // online-capable ones are for hot-add
				c.add(l.APICID)
			}
		}
	case cpusMPTable:
		if err := mptable.Find(mem, &cpuScratch.mp); err != nil {
			return err.Error()
		}
		for _, p := range cpuScratch.mp.CPUs() {
			c.add(uint32(p.APICID))
		}
	case cpusFwCfg:
		n, ok := fwcfg.CPUs(fwcfg.Hardware{})
		if !ok {
			return "no fw_cfg device (its signature does not read \"QEMU\")"
		}
		// fw_cfg gives only a count. QEMU numbers the local APICs
		// of a flat topology (-smp N: one socket, one thread per
		// core, as coracle asks for) 0..N-1.
		for i := range min(n, maxCPUs) {
			c.add(uint32(i))
		}
	}
	if !c.setBoot(self) {
		return "the list lacks the boot CPU's APIC ID"
	}
	return ""
}

func (c *cpuList) reset(s cpuSource) { c.n, c.boot, c.source = 0, 0, s }

func (c *cpuList) add(apicID uint32) {
	if c.n < len(c.apicIDs) {
		c.apicIDs[c.n] = apicID
		c.n++
	}
}

// setBoot finds the boot CPU in the list.
func (c *cpuList) setBoot(self uint32) bool {
	for i, id := range c.apicIDs[:c.n] {
		if id == self {
			c.boot = i
			return true
		}
	}
	return false
}

// bootAPICID is the boot CPU's local APIC ID: its x2APIC ID from CPUID
// leaf 0xB (Intel SDM Vol. 2A, CPUID, "Extended Topology Enumeration
// Leaf") where the CPU has it, else the 8-bit initial APIC ID of leaf 1
// (EBX bits 31:24).
func bootAPICID() uint32 {
	if max, _, _, _ := amd64.CPUID(0, 0); max >= cpuidTopology {
		if _, ebx, _, edx := amd64.CPUID(cpuidTopology, 0); ebx != 0 {
			return edx
		}
	}
	_, ebx, _, _ := amd64.CPUID(cpuidFeatures, 0)
	return ebx >> 24
}

// cpuidTopology is the extended topology leaf.
const cpuidTopology = 0xB

// reportCPUs prints, with coracle.bootstamps, what each source says on
// its own, so that tests see every source the machine has:
//
//	coracle: CPUs by ACPI MADT: none: no ACPI RSDP: ...
//	coracle: CPUs by MP table: 4, APIC IDs 0 1 2 3
//
// The line of the CPUs the kernel uses comes once they are started
// (reportAPs). It reads the tables through the boot identity map.
func reportCPUs(rsdp uint64) {
	if !bootStamps.enabled {
		return
	}
	self := bootAPICID()
	for _, s := range [...]cpuSource{cpusMADT, cpusMPTable, cpusFwCfg} {
		l := &cpuScratch.list
		why := probeCPUs(l, s, rsdp, self)
		console.str("coracle: CPUs by ")
		console.str(s.String())
		if why != "" {
			console.str(": none: ")
			console.str(why)
			console.str("\n")
			continue
		}
		console.str(": ")
		console.dec(uint64(l.n))
		console.str(", APIC IDs")
		printAPICIDs(l)
		console.str("\n")
	}
}

func printAPICIDs(c *cpuList) {
	for _, id := range c.apicIDs[:c.n] {
		console.str(" ")
		console.dec(uint64(id))
	}
}

// identityMem reads physical memory through the boot page tables, which
// map the first 4 GiB one to one (boot/layout.go). Firmware tables lie
// there; an address past it, or 0, reads as nothing.
type identityMem struct{}

const identityLimit = 4 << 30

func (identityMem) Bytes(pa, n uint64) []byte {
	if pa == 0 || pa >= identityLimit || n > identityLimit-pa {
		return nil
	}
	return unsafe.Slice((*byte)(addrPointer(uintptr(pa))), n)
}
