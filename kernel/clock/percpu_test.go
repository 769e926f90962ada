package clock

import (
	"testing"
)

func oneRecord(p *PvclockVCPUTimeInfo) []*PvclockVCPUTimeInfo { return []*PvclockVCPUTimeInfo{p} }

// twoCPUs is a kvmclock with two records that disagree: at the same TSC,
// CPU 1's record says 400 ns less than CPU 0's (a host without a stable
// clock across vCPUs). cpu is the calling CPU, as the test sets it.
type twoCPUs struct {
	c      Clock
	pvs    [2]PvclockVCPUTimeInfo
	tsc    uint64
	cpu    int
	offset uint64
}

func newTwoCPUs(flags uint8, stableOffered bool) *twoCPUs {
	k := &twoCPUs{tsc: 1e12 + 5000, offset: 400}
	// A 1 GHz TSC on both; CPU 1's system time lags by offset.
	k.pvs[0] = PvclockVCPUTimeInfo{Version: 2, TSCTimestamp: 1e12, SystemTime: 1e15,
		TSCToSystemMul: 1 << 31, TSCShift: 1, Flags: flags}
	k.pvs[1] = k.pvs[0]
	k.pvs[1].SystemTime -= k.offset
	k.c.initKVMClock([]*PvclockVCPUTimeInfo{&k.pvs[0], &k.pvs[1]}, 0, stableOffered,
		func() int { return k.cpu }, func() uint64 { return k.tsc })
	return k
}

// Each CPU reads its own record: the kernel's readings are the calling
// CPU's kvmclock, as msr.rst asks when the stable bit is clear.
func TestKVMClockReadsTheCallingCPUsRecord(t *testing.T) {
	k := newTwoCPUs(1<<PVCLOCK_TSC_STABLE_BIT, true)
	// The stable bit set and offered: no guard, so each reading is the
	// record's own.
	k.tsc += 1e6
	k.cpu = 0
	if got := k.c.Monotonic(); got != 1e6 {
		t.Errorf("CPU 0: Monotonic = %d, want 1e6", got)
	}
	k.cpu = 1
	if got, want := k.c.Monotonic(), int64(1e6-k.offset); got != want {
		t.Errorf("CPU 1: Monotonic = %d, want %d (its own record)", got, want)
	}
}

// Without the stable bit, CPU 1's record lags CPU 0's: the guard keeps
// the clock monotonic across the CPUs.
func TestKVMClockUnstableRecordsStayMonotonic(t *testing.T) {
	for _, offered := range []bool{false, true} {
		k := newTwoCPUs(0, offered)
		k.tsc += 1e6
		k.cpu = 0
		first := k.c.Monotonic()
		k.cpu = 1
		if got := k.c.Monotonic(); got < first {
			t.Errorf("stable bit offered %v: CPU 1 read %d after CPU 0 read %d", offered, got, first)
		}
		// Later, CPU 1's own time is past CPU 0's earlier reading.
		k.tsc += 1e6
		if got, want := k.c.Monotonic(), int64(2e6-k.offset); got != want {
			t.Errorf("stable bit offered %v: CPU 1 Monotonic = %d, want %d", offered, got, want)
		}
	}
}

// A CPU whose record was never filled (its CPU has not registered it,
// so its version is 0) reads the boot CPU's.
func TestKVMClockUnfilledRecordFallsBack(t *testing.T) {
	k := newTwoCPUs(1<<PVCLOCK_TSC_STABLE_BIT, true)
	k.pvs[1] = PvclockVCPUTimeInfo{}
	k.tsc += 1e6
	k.cpu = 1
	if got := k.c.Monotonic(); got != 1e6 {
		t.Errorf("CPU 1 without a record: Monotonic = %d, want 1e6 (the boot CPU's record)", got)
	}
	// A CPU number out of range (no record slot) does the same.
	k.cpu = 7
	if got := k.c.Monotonic(); got != 1e6 {
		t.Errorf("CPU 7: Monotonic = %d, want 1e6", got)
	}
	// The boot CPU need not be CPU 0.
	var c Clock
	tsc := uint64(1e12)
	c.initKVMClock([]*PvclockVCPUTimeInfo{nil, &k.pvs[0]}, 1, true, func() int { return 0 }, func() uint64 { return tsc })
	tsc += 3000
	if got := c.Monotonic(); got != 3000 {
		t.Errorf("boot CPU 1, caller CPU 0 without a record: Monotonic = %d, want 3000", got)
	}
}

// Concurrent readers on CPUs whose records disagree never see the
// clock go back, and never allocate.
func TestKVMClockPerCPUConcurrent(t *testing.T) {
	var pvs [4]PvclockVCPUTimeInfo
	ptrs := make([]*PvclockVCPUTimeInfo, len(pvs))
	for i := range pvs {
		pvs[i] = PvclockVCPUTimeInfo{Version: 2, TSCTimestamp: 1e12, SystemTime: 1e15 - uint64(i)*700,
			TSCToSystemMul: 1 << 31, TSCShift: 1}
		ptrs[i] = &pvs[i]
	}
	var j jitteryTSC
	var c Clock
	// The calling CPU changes with the TSC's count, so that successive
	// readings, in one goroutine and across them, mix the records.
	c.initKVMClock(ptrs, 0, false, func() int { return int(j.n.Load()/1000) % len(pvs) }, j.read)
	checkConcurrentMonotonic(t, &c, 4)
	if n := testing.AllocsPerRun(100, func() { c.Monotonic(); c.Realtime() }); n != 0 {
		t.Errorf("per-CPU kvmclock reads allocate %v times per run", n)
	}
}

// The vDSO gets no reading from kvmclock, stable bit or not: ring 3
// makes the system call, which reads the calling CPU's record.
func TestKVMClockGivesNoTSCReading(t *testing.T) {
	for _, flags := range []uint8{0, 1 << PVCLOCK_TSC_STABLE_BIT} {
		k := newTwoCPUs(flags, true)
		for _, one := range []bool{false, true} {
			if _, ok := k.c.TSCReading(one); ok {
				t.Errorf("flags %#x, one CPU %v: kvmclock gave a TSC reading", flags, one)
			}
		}
	}
}

func TestKVMClockLayout(t *testing.T) {
	for _, n := range []int{1, 2, 4, 126, 127, 128, 200, 255, 256} {
		pages := KVMClockPages(n)
		if need := (n + 1) * pvclockTimeInfoSize; pages*4096 < need || (pages-1)*4096 >= need {
			t.Errorf("KVMClockPages(%d) = %d for %d bytes", n, pages, need)
		}
		seen := map[[2]uint64]bool{{0, 0}: true} // the wall clock
		for i := range n {
			page, off := KVMClockRecordPlace(i)
			if page < 0 || page >= pages || off%pvclockTimeInfoSize != 0 || off+pvclockTimeInfoSize > 4096 {
				t.Fatalf("n %d: CPU %d's record at page %d offset %d", n, i, page, off)
			}
			k := [2]uint64{uint64(page), off}
			if seen[k] {
				t.Fatalf("n %d: CPU %d's record overlaps another at page %d offset %d", n, i, page, off)
			}
			seen[k] = true
		}
	}
	if KVMClockPages(MaxKVMClockCPUs) != MaxKVMClockPages {
		t.Errorf("MaxKVMClockPages = %d, want %d", MaxKVMClockPages, KVMClockPages(MaxKVMClockCPUs))
	}
	if pvclockWallClockSize > pvclockTimeInfoSize {
		t.Error("the wall-clock record does not fit its slot")
	}
}
