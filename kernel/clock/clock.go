package clock

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/arch/amd64"
)

// Clock answers CLOCK_MONOTONIC and CLOCK_REALTIME. It reads one source,
// kvmclock or the TSC; Monotonic counts from when the source was set
// (about boot) and Realtime is Monotonic plus an offset that the wall
// clock sets.
//
// Monotonic never goes backwards: where the source cannot promise that
// across CPUs (kvmclock without the stable bit, a TSC that is not known
// to be synchronised), each reading is raised to the largest one returned
// so far, with a lock-free compare-and-swap.
//
// Synchronization: the Init* and Set* methods run at boot, before any
// reader; SetRealtime may also run later (clock_settime) and is atomic.
// The read methods may run concurrently on every CPU.
type Clock struct {
	source source
	tsc    TSC // source == sourceTSC
	rdtsc  func() uint64

	// For source == sourceKVM: every CPU's record by CPU number, the
	// one InitKVMClock started from, and how to tell the calling CPU
	// (nil: always read pvs[pvBoot]).
	pvs    []*PvclockVCPUTimeInfo
	pvBoot int
	cpu    func() int

	// stable says readings never go backwards, across CPUs too: for
	// kvmclock, that KVM offers the stable bit (each record then says
	// whether it holds); for the TSC, the caller's word.
	stable bool

	// base is the source reading (ns for kvmclock, cycles for the TSC)
	// at which Monotonic is 0.
	base uint64

	// wall is Realtime - Monotonic, in ns.
	wall atomic.Int64
	// last is the largest Monotonic value returned, for the guard.
	last atomic.Uint64
}

type source uint8

const (
	sourceNone source = iota
	sourceKVM
	sourceTSC
)

// InitKVMClock makes kvmclock the source. pvs are the CPUs' records by
// CPU number, each registered by its own CPU with EnableKVMClock (the
// boot CPU's, pvs[boot], before this call; the others' before those
// CPUs read the clock); stable is KVMClock.Stable; cpu returns the
// calling CPU's number, and may be nil with one CPU.
//
// Each CPU reads its own record (msr.rst: a vCPU's record is exact for
// that vCPU's TSC; another vCPU's only while PVCLOCK_TSC_STABLE_BIT is
// set). A record the hypervisor has not filled yet (version 0: its CPU
// has not registered it) is passed over for the boot CPU's. Without the
// stable bit the guard keeps the readings of different CPUs monotonic.
func (c *Clock) InitKVMClock(pvs []*PvclockVCPUTimeInfo, boot int, stable bool, cpu func() int) {
	c.initKVMClock(pvs, boot, stable, cpu, amd64.RdtscOrdered)
}

func (c *Clock) initKVMClock(pvs []*PvclockVCPUTimeInfo, boot int, stable bool, cpu func() int, rdtsc func() uint64) {
	c.source, c.pvs, c.pvBoot, c.cpu, c.stable, c.rdtsc = sourceKVM, pvs, boot, cpu, stable, rdtsc
	c.base, _ = pvs[boot].Nanoseconds(rdtsc)
	c.last.Store(0)
}

// record is the kvmclock record the calling CPU reads: its own once
// filled, else the boot CPU's.
func (c *Clock) record() *PvclockVCPUTimeInfo {
	if c.cpu != nil {
		if i := c.cpu(); uint(i) < uint(len(c.pvs)) {
			if p := c.pvs[i]; p != nil && atomic.LoadUint32(&p.Version) != 0 {
				return p
			}
		}
	}
	return c.pvs[c.pvBoot]
}

// InitTSC makes the TSC, converted by t, the source. stable says the TSC
// is invariant and the same on every CPU that reads the clock (true with
// one CPU and amd64.TSCLeaves.InvariantTSC).
func (c *Clock) InitTSC(t TSC, stable bool) {
	c.initTSC(t, stable, amd64.RdtscOrdered)
}

func (c *Clock) initTSC(t TSC, stable bool, rdtsc func() uint64) {
	c.source, c.tsc, c.stable, c.rdtsc = sourceTSC, t, stable, rdtsc
	c.base = rdtsc()
	c.last.Store(0)
}

// SetRealtime sets the wall clock so that Realtime returns unixNs now.
func (c *Clock) SetRealtime(unixNs int64) {
	c.wall.Store(unixNs - c.Monotonic())
}

// SetWallClockKVM sets the wall clock from the record that
// RequestKVMWallClock filled, which gives the wall time at which
// kvmclock read zero. It needs InitKVMClock first.
func (c *Clock) SetWallClockKVM(w *PvclockWallClock) {
	// Realtime = wall-at-zero + kvmclock = wall-at-zero + base + Monotonic.
	c.wall.Store(w.Read() + int64(c.base))
}

// Monotonic returns nanoseconds since the source was set, never less than
// any value returned before. It returns 0 before a source is set.
//
// Called in syscall and interrupt context.
func (c *Clock) Monotonic() int64 {
	var ns uint64
	stable := c.stable
	switch c.source {
	case sourceKVM:
		now, flags := c.record().Nanoseconds(c.rdtsc)
		if now > c.base {
			ns = now - c.base
		}
		stable = stable && flags&(1<<PVCLOCK_TSC_STABLE_BIT) != 0
	case sourceTSC:
		if cycles := c.rdtsc() - c.base; int64(cycles) > 0 {
			ns = c.tsc.Nanoseconds(cycles)
		}
	default:
		return 0
	}
	if !stable {
		ns = c.atLeastLast(ns)
	}
	return int64(ns)
}

// atLeastLast returns max(ns, the largest value returned so far) and
// records it.
func (c *Clock) atLeastLast(ns uint64) uint64 {
	for {
		last := c.last.Load()
		if ns <= last {
			return last
		}
		if c.last.CompareAndSwap(last, ns) {
			return ns
		}
	}
}

// Realtime returns the wall-clock time in Unix nanoseconds.
//
// Called in syscall and interrupt context.
func (c *Clock) Realtime() int64 {
	return c.wall.Load() + c.Monotonic()
}

// TSCReading describes how Monotonic and Realtime follow from the TSC,
// for readers outside the kernel (the vDSO): Monotonic is
// Scale.Apply(tsc - Base) while tsc > Base, 0 before; Realtime adds Wall.
type TSCReading struct {
	Base  uint64
	Scale Scale
	Wall  int64
}

// TSCReading returns the reading when the source is the TSC and its
// values need no guard against going backwards: the TSC is stable, or
// only one CPU reads it (one CPU's TSC never goes backwards, so the
// guard never changes a reading there). ok is false otherwise, kvmclock
// included: a reader outside the kernel would need the calling CPU's
// record, or the stable bit to read another's, so it makes the system
// call instead (as Linux's vDSO does without the stable bit). Wall is
// as of the call: valid until SetRealtime runs again.
func (c *Clock) TSCReading(oneCPU bool) (r TSCReading, ok bool) {
	if c.source != sourceTSC || !c.stable && !oneCPU {
		return TSCReading{}, false
	}
	return TSCReading{Base: c.base, Scale: c.tsc.toNs, Wall: c.wall.Load()}, true
}
