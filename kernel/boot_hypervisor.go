package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
)

// CPUID leaves for hypervisor detection (SDM Vol. 2A CPUID; the 0x4000000x
// range is reserved for hypervisors by convention).
const (
	cpuidFeatures       = 0x1
	featureHypervisor   = 1 << 31 // CPUID.1:ECX
	cpuidHypervisorBase = 0x40000000
)

// knownHypervisors maps CPUID 0x40000000 signatures to names.
var knownHypervisors = [...]struct{ signature, name string }{
	{"KVMKVMKVM\x00\x00\x00", "KVM"},
	{"TCGTCGTCGTCG", "QEMU TCG"},
	{"Microsoft Hv", "Hyper-V"},
	{"VMwareVMware", "VMware"},
	{"XenVMMXenVMM", "Xen"},
	{"bhyve bhyve ", "bhyve"},
	{"ACRNACRNACRN", "ACRN"},
	{" lrpepyh  vr", "Parallels"},
	{"VBoxVBoxVBox", "VirtualBox"},
}

// hypervisorName names the hypervisor from CPUID. sig is scratch space
// for an unknown signature, which is returned as is.
func hypervisorName(sig *[12]byte) string {
	if _, _, ecx, _ := amd64.CPUID(cpuidFeatures, 0); ecx&featureHypervisor == 0 {
		return "no hypervisor (CPUID reports bare metal)"
	}
	_, ebx, ecx, edx := amd64.CPUID(cpuidHypervisorBase, 0)
	for i := range 4 {
		sig[i] = byte(ebx >> (8 * i))
		sig[4+i] = byte(ecx >> (8 * i))
		sig[8+i] = byte(edx >> (8 * i))
	}
	return nameForSignature(sig)
}

// nameForSignature returns the name of a known signature, or the
// signature itself with unprintable bytes replaced by '?' and trailing
// NULs dropped.
func nameForSignature(sig *[12]byte) string {
	s := unsafe.String(&sig[0], len(sig))
	for _, h := range knownHypervisors {
		if h.signature == s {
			return h.name
		}
	}
	n := len(sig)
	for n > 0 && sig[n-1] == 0 {
		n--
	}
	if n == 0 {
		return "an unnamed hypervisor"
	}
	for i := range n {
		if sig[i] < 0x20 || sig[i] > 0x7e {
			sig[i] = '?'
		}
	}
	return s[:n]
}
