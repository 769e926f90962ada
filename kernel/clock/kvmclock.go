package clock

import "github.com/coracle-os/coracle/arch/amd64"

// KVM's paravirtual clock interface (Linux Documentation/virt/kvm/x86/
// cpuid.rst and msr.rst).
const (
	// MSR_KVM_WALL_CLOCK_NEW takes the guest-physical address of a
	// PvclockWallClock (4-byte aligned), which KVM fills at the write.
	MSR_KVM_WALL_CLOCK_NEW = 0x4b564d00
	// MSR_KVM_SYSTEM_TIME_NEW takes the guest-physical address of this
	// vCPU's PvclockVCPUTimeInfo (4-byte aligned, not crossing a page)
	// with bit 0 set to enable updates; 0 disables them.
	MSR_KVM_SYSTEM_TIME_NEW = 0x4b564d01
	KVM_SYSTEM_TIME_ENABLE  = 0 // bit 0 of the MSR value

	// KVM_CPUID_SIGNATURE is the first of KVM's CPUID leaves: EAX the
	// highest KVM leaf, EBX:ECX:EDX "KVMKVMKVM\0\0\0". With Hyper-V
	// enlightenments on, KVM's leaves move up by 0x100 (Linux probes
	// 0x40000000-0x4000FF00 in steps of 0x100).
	KVM_CPUID_SIGNATURE = 0x40000000
	// KVM_CPUID_FEATURES (signature leaf + 1): EAX holds feature bits.
	KVM_CPUID_FEATURES = 0x40000001

	// KVM_CPUID_FEATURES EAX bit positions.
	KVM_FEATURE_CLOCKSOURCE2 = 3 // the _NEW MSRs above
	// KVM_FEATURE_CLOCKSOURCE_STABLE_BIT: KVM sets PVCLOCK_TSC_STABLE_BIT
	// in the records when the clock is the same on every vCPU.
	KVM_FEATURE_CLOCKSOURCE_STABLE_BIT = 24

	kvmSignatureEBX = 0x4b4d564b // "KVMK"
	kvmSignatureECX = 0x564b4d56 // "VMKV"
	kvmSignatureEDX = 0x0000004d // "M\0\0\0"

	cpuidBaseStep = 0x100
	cpuidBaseEnd  = 0x40010000
)

// KVMClock is what CPUID says about kvmclock.
type KVMClock struct {
	Base   uint32 // CPUID leaf with KVM's signature
	OK     bool   // KVM_FEATURE_CLOCKSOURCE2
	Stable bool   // KVM_FEATURE_CLOCKSOURCE_STABLE_BIT
}

// DetectKVMClock looks for KVM's CPUID leaves and its clock features.
// OK is false without KVM (QEMU TCG, other hypervisors, bare metal).
func DetectKVMClock() KVMClock {
	if _, _, ecx, _ := amd64.CPUID(amd64.CPUID_FEATURES, 0); ecx&(1<<amd64.FEATURES_ECX_HYPERVISOR) == 0 {
		return KVMClock{}
	}
	for base := uint32(KVM_CPUID_SIGNATURE); base < cpuidBaseEnd; base += cpuidBaseStep {
		max, ebx, ecx, edx := amd64.CPUID(base, 0)
		if !IsKVMSignature(ebx, ecx, edx) {
			continue
		}
		var features uint32
		if max == 0 || max >= base+1 { // 0: old KVM, meaning base+1
			features, _, _, _ = amd64.CPUID(base+1, 0)
		}
		return DecodeKVMFeatures(base, features)
	}
	return KVMClock{}
}

// IsKVMSignature reports whether a hypervisor leaf's EBX, ECX, EDX spell
// "KVMKVMKVM\0\0\0".
func IsKVMSignature(ebx, ecx, edx uint32) bool {
	return ebx == kvmSignatureEBX && ecx == kvmSignatureECX && edx == kvmSignatureEDX
}

// DecodeKVMFeatures decodes the EAX of KVM's features leaf.
func DecodeKVMFeatures(base, eax uint32) KVMClock {
	return KVMClock{
		Base:   base,
		OK:     eax&(1<<KVM_FEATURE_CLOCKSOURCE2) != 0,
		Stable: eax&(1<<KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) != 0,
	}
}

// EnableKVMClock asks KVM to keep the calling vCPU's PvclockVCPUTimeInfo
// at guest-physical address phys up to date. phys must be 4-byte aligned
// with the 32-byte record inside one page of guest RAM, and stay so for
// as long as the clock is used. Ring 0 only.
func EnableKVMClock(phys uint64) {
	amd64.Wrmsr(MSR_KVM_SYSTEM_TIME_NEW, phys|1<<KVM_SYSTEM_TIME_ENABLE)
}

// DisableKVMClock stops the updates (before the record's memory is
// reused, or before kexec-like hand-offs).
func DisableKVMClock() { amd64.Wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0) }

// RequestKVMWallClock has KVM fill the PvclockWallClock at guest-physical
// address phys (4-byte aligned, in guest RAM) now. Ring 0 only.
func RequestKVMWallClock(phys uint64) { amd64.Wrmsr(MSR_KVM_WALL_CLOCK_NEW, phys) }

// The kernel keeps every CPU's PvclockVCPUTimeInfo and the wall-clock
// record in 32-byte slots of whole pages: the wall clock in slot 0,
// CPU i's record in slot i+1. A 32-byte slot never crosses a page, as
// msr.rst requires of the records.
const (
	kvmClockSlot      = pvclockTimeInfoSize
	kvmClockPageSize  = 4096
	kvmClockSlotsPage = kvmClockPageSize / kvmClockSlot
)

// MaxKVMClockCPUs is the most CPUs MaxKVMClockPages pages hold records
// for.
const MaxKVMClockCPUs = 256

// MaxKVMClockPages is KVMClockPages(MaxKVMClockCPUs).
const MaxKVMClockPages = (MaxKVMClockCPUs + 1 + kvmClockSlotsPage - 1) / kvmClockSlotsPage

// KVMClockPages is how many pages hold the wall clock and n CPUs'
// records.
func KVMClockPages(n int) int {
	return (n + 1 + kvmClockSlotsPage - 1) / kvmClockSlotsPage
}

// KVMClockRecordPlace is where CPU i's record lies: page (an index into
// the KVMClockPages pages) and the byte offset in it. The wall-clock
// record is at page 0, offset 0.
func KVMClockRecordPlace(i int) (page int, offset uint64) {
	slot := i + 1
	return slot / kvmClockSlotsPage, uint64(slot%kvmClockSlotsPage) * kvmClockSlot
}
