package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/smp"
)

// The local APICs' mode, xAPIC (MMIO) or x2APIC (MSRs), chosen once at
// boot and the same on every CPU: lapic.X2APIC says which, and every
// LAPIC method, the IPIs included, follows it. The choice is
// smp.ChooseAPICMode's; the boot CPU applies it in setupLAPICMode
// (from setupAPICTimer), each AP in apSetLAPICMode (from apMain) before
// it touches its APIC. QEMU 7.2's TCG has no x2APIC, so x2APIC
// mode runs only under hardware KVM (docs/smp.md, "What only hardware
// KVM exercises").

// readAPICParams reads coracle.x2apic=on.
func readAPICParams(cmd string) {
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key == "coracle.x2apic" && w.Value == "on" {
			x2apicAsked = true
		}
	}
}

// setupLAPICMode chooses the APICs' mode, puts the boot CPU's APIC in
// it and points lapic at it. It needs the CPU list (the largest APIC ID)
// and the direct map (the xAPIC page). base is the boot CPU's
// IA32_APIC_BASE as the firmware left it, globally enabled.
func setupLAPICMode(base amd64.APICBase) {
	var maxID uint32
	for _, id := range bootCPUs.apicIDs[:bootCPUs.n] {
		maxID = max(maxID, id)
	}
	x2, why, failure := smp.ChooseAPICMode(smp.APICFacts{
		FirmwareX2APIC: base.X2APIC(),
		Supported:      amd64.X2APICSupported(),
		Asked:          x2apicAsked,
		MaxAPICID:      maxID,
	})
	if failure != "" {
		bootFailure(failure)
	}
	if !x2 {
		lapic.Base = directMapBase + uintptr(base.Phys())
		return
	}
	amd64.SetAPICMode(true)
	lapic.X2APIC = true
	console.str("coracle: local APICs in x2APIC mode: ")
	console.str(why)
	console.str("\n")
}

// apSetLAPICMode puts the calling AP's APIC in the mode the boot CPU
// chose (xAPIC→x2APIC is one write, SDM Vol. 3A §11.12.5). lapic is
// boot-set by then, so the AP only reads it.
//
// Runs on the AP before the Go runtime knows of it: no allocation.
func apSetLAPICMode() { amd64.SetAPICMode(lapic.X2APIC) }
