package clock

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// PvclockVCPUTimeInfo is struct pvclock_vcpu_time_info, which the
// hypervisor keeps up to date for one vCPU (KVM msr.rst,
// MSR_KVM_SYSTEM_TIME_NEW). The guest only reads it. It must sit in
// guest RAM, 4-byte aligned and within one page (32-byte alignment gives
// both).
type PvclockVCPUTimeInfo struct {
	// Version is odd while the hypervisor updates the record and changes
	// on every update.
	Version uint32
	pad0    uint32
	// TSCTimestamp is the TSC value at which SystemTime was taken.
	TSCTimestamp uint64
	// SystemTime is the hypervisor's clock in ns at TSCTimestamp.
	SystemTime uint64
	// TSCToSystemMul and TSCShift scale TSC cycles to ns: shift left by
	// TSCShift (right if negative), multiply by TSCToSystemMul / 2^32.
	TSCToSystemMul uint32
	TSCShift       int8
	// Flags holds PVCLOCK_TSC_STABLE_BIT and PVCLOCK_GUEST_STOPPED.
	Flags uint8
	pad   [2]uint8
}

// PvclockVCPUTimeInfo.Flags bits (pvclock-abi.h).
const (
	// PVCLOCK_TSC_STABLE_BIT: every vCPU's record gives the same time
	// for the same TSC, so readings never go backwards across vCPUs.
	// Only meaningful if KVM_FEATURE_CLOCKSOURCE_STABLE_BIT is offered.
	PVCLOCK_TSC_STABLE_BIT = 0
	// PVCLOCK_GUEST_STOPPED: the host paused the guest (for watchdogs).
	PVCLOCK_GUEST_STOPPED = 1
)

// PvclockWallClock is struct pvclock_wall_clock: the wall-clock time at
// which the hypervisor's system time (PvclockVCPUTimeInfo.SystemTime) was
// zero. The hypervisor fills it only when the guest writes its address to
// MSR_KVM_WALL_CLOCK_NEW.
type PvclockWallClock struct {
	Version uint32
	Sec     uint32 // Unix seconds (wraps in 2106: the ABI's limit)
	Nsec    uint32
}

// Layout of the records (pvclock-abi.h, both packed).
const (
	pvclockTimeInfoSize    = 32
	pvclockWallClockSize   = 12
	pvclockScaleWordOffset = 24 // tsc_to_system_mul u32, tsc_shift s8, flags u8, pad
)

// Nanoseconds returns the hypervisor's system time now and the record's
// flags, following pvclock_clocksource_read: take a consistent snapshot
// (version even and unchanged across the reads, and the TSC read inside
// the bracket), then system_time + scaled(tsc - tsc_timestamp).
//
// rdtsc reads the TSC (amd64.RdtscOrdered; tests pass their own).
//
// Called in syscall and interrupt context.
func (p *PvclockVCPUTimeInfo) Nanoseconds(rdtsc func() uint64) (ns uint64, flags uint8) {
	for {
		version := atomic.LoadUint32(&p.Version)
		if version&1 != 0 {
			continue // an update is in progress on another CPU
		}
		stamp := atomic.LoadUint64(&p.TSCTimestamp)
		system := atomic.LoadUint64(&p.SystemTime)
		scale := atomic.LoadUint64(p.scaleWord())
		tsc := rdtsc()
		if atomic.LoadUint32(&p.Version) != version {
			continue
		}
		delta := tsc - stamp
		if int64(delta) < 0 {
			// A TSC behind the record's (another CPU's, not quite in
			// step): clamp rather than wrap to centuries ahead.
			delta = 0
		}
		mul, shift := uint32(scale), int8(scale>>32)
		return system + PvclockScale(delta, mul, shift), uint8(scale >> 40)
	}
}

// scaleWord is the 64-bit word holding TSCToSystemMul, TSCShift and Flags
// (little-endian), read in one atomic load.
func (p *PvclockVCPUTimeInfo) scaleWord() *uint64 {
	return (*uint64)(unsafe.Pointer(&p.TSCToSystemMul))
}

// PvclockScale converts a TSC delta to ns the pvclock way: shift it by
// shift (left if positive, right if negative), then multiply by mul / 2^32
// with a 128-bit product (pvclock_scale_delta). The result wraps only
// beyond 2^64 ns, as the ABI's does.
func PvclockScale(delta uint64, mul uint32, shift int8) uint64 {
	if shift >= 0 {
		delta <<= uint(shift)
	} else {
		delta >>= uint(-shift)
	}
	hi, lo := bits.Mul64(delta, uint64(mul))
	return hi<<32 | lo>>32
}

// PvclockTSCHz is the TSC frequency that a record's mul and shift imply
// (pvclock_tsc_khz, in Hz for precision): 10^9 * 2^32 / mul, shifted
// against TSCShift. 0 if mul is 0.
func PvclockTSCHz(mul uint32, shift int8) uint64 {
	if mul == 0 {
		return 0
	}
	hz := uint64(1e9) << 32 / uint64(mul)
	if shift >= 0 {
		return hz >> uint(shift)
	}
	return hz << uint(-shift)
}

// TSCHz reads the TSC frequency from a consistent snapshot of the record.
func (p *PvclockVCPUTimeInfo) TSCHz() uint64 {
	for {
		version := atomic.LoadUint32(&p.Version)
		scale := atomic.LoadUint64(p.scaleWord())
		if version&1 == 0 && atomic.LoadUint32(&p.Version) == version {
			return PvclockTSCHz(uint32(scale), int8(scale>>32))
		}
	}
}

// Read returns the wall-clock time at which system time was zero, as Unix
// nanoseconds, from a consistent snapshot (version even and unchanged).
func (w *PvclockWallClock) Read() (unixNs int64) {
	for {
		version := atomic.LoadUint32(&w.Version)
		sec := atomic.LoadUint32(&w.Sec)
		nsec := atomic.LoadUint32(&w.Nsec)
		if version&1 == 0 && atomic.LoadUint32(&w.Version) == version {
			return int64(sec)*1e9 + int64(nsec)
		}
	}
}
