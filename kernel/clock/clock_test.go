package clock

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestClockBeforeInit(t *testing.T) {
	var c Clock
	if m, r := c.Monotonic(), c.Realtime(); m != 0 || r != 0 {
		t.Errorf("an unset Clock reads %d, %d; want 0, 0", m, r)
	}
}

func TestClockTSC(t *testing.T) {
	var c Clock
	tsc := uint64(5e12) // cycles since the machine started, well before boot
	c.initTSC(NewTSC(2e9), true, func() uint64 { return tsc })
	if got := c.Monotonic(); got != 0 {
		t.Errorf("Monotonic right after InitTSC = %d, want 0", got)
	}
	tsc += 3e9 // 1.5 s at 2 GHz
	if got := c.Monotonic(); got != 1.5e9 {
		t.Errorf("Monotonic = %d, want 1.5e9", got)
	}
	const rtc = 1700000000 * 1e9
	c.SetRealtime(rtc)
	tsc += 2e9
	if got := c.Realtime(); got != rtc+1e9 {
		t.Errorf("Realtime one second after SetRealtime = %d, want %d", got, int64(rtc+1e9))
	}
	if got := c.Monotonic(); got != 2.5e9 {
		t.Errorf("Monotonic = %d, want 2.5e9", got)
	}
}

func TestClockKVM(t *testing.T) {
	var c Clock
	// A 1 GHz TSC; kvmclock at 7 days of host uptime when the guest boots.
	p := &PvclockVCPUTimeInfo{Version: 2, TSCTimestamp: 1e12, SystemTime: 7 * 86400e9,
		TSCToSystemMul: 1 << 31, TSCShift: 1, Flags: 1 << PVCLOCK_TSC_STABLE_BIT}
	tsc := uint64(1e12 + 5000)
	c.initKVMClock([]*PvclockVCPUTimeInfo{p}, 0, true, nil, func() uint64 { return tsc })
	if got := c.Monotonic(); got != 0 {
		t.Errorf("Monotonic right after InitKVMClock = %d, want 0", got)
	}
	tsc += 1e9
	if got := c.Monotonic(); got != 1e9 {
		t.Errorf("Monotonic = %d, want 1e9", got)
	}
	// The wall clock says system time 0 was at W: now is W + 7 days +
	// 1 s + 5 µs.
	const w = 1700000000
	c.SetWallClockKVM(&PvclockWallClock{Version: 2, Sec: w, Nsec: 250})
	want := int64(w*1e9+250) + 7*86400e9 + 1e9 + 5000
	if got := c.Realtime(); got != want {
		t.Errorf("Realtime = %d, want %d", got, want)
	}
	// The hypervisor refreshes the record (as after a migration): time
	// carries on from the new record.
	p.Version++
	p.TSCTimestamp, p.SystemTime = tsc, 7*86400e9+1e9+5000+100
	p.Version++
	if got := c.Monotonic(); got != 1e9+100 {
		t.Errorf("Monotonic after a record update = %d, want %d", got, int64(1e9+100))
	}
}

// jitteryTSC is a TSC that moves forward overall but sometimes reads
// behind a value already returned, as unsynchronised TSCs on two CPUs
// would.
type jitteryTSC struct{ n atomic.Uint64 }

func (j *jitteryTSC) read() uint64 {
	v := j.n.Add(1000)
	if v%7000 == 0 {
		return 1e12 + v - 5000 // 5 reads' worth behind
	}
	return 1e12 + v
}

func TestMonotonicNeverGoesBackwards(t *testing.T) {
	tests := []struct {
		name string
		init func(c *Clock, rdtsc func() uint64)
	}{
		{"TSC, not stable", func(c *Clock, rdtsc func() uint64) { c.initTSC(NewTSC(3e9), false, rdtsc) }},
		{"kvmclock, no stable bit offered", func(c *Clock, rdtsc func() uint64) {
			c.initKVMClock(oneRecord(&PvclockVCPUTimeInfo{Version: 2, TSCTimestamp: 1e12, TSCToSystemMul: 1 << 31}), 0, false, nil, rdtsc)
		}},
		{"kvmclock, stable bit offered but not set in the record", func(c *Clock, rdtsc func() uint64) {
			c.initKVMClock(oneRecord(&PvclockVCPUTimeInfo{Version: 2, TSCTimestamp: 1e12, TSCToSystemMul: 1 << 31}), 0, true, nil, rdtsc)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var j jitteryTSC
			var c Clock
			tt.init(&c, j.read)
			// One reader.
			prev := c.Monotonic()
			for range 100000 {
				now := c.Monotonic()
				if now < prev {
					t.Fatalf("Monotonic went from %d back to %d", prev, now)
				}
				prev = now
			}
			// Several at once.
			checkConcurrentMonotonic(t, &c, 8)
		})
	}
}

// checkConcurrentMonotonic runs readers goroutines reading c.Monotonic
// at once: each must see its own sequence non-decreasing, and none a
// value below what was returned before it started.
func checkConcurrentMonotonic(t *testing.T, c *Clock, readers int) {
	t.Helper()
	start := c.Monotonic()
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			prev := c.Monotonic()
			if prev < start {
				t.Errorf("a reader started at %d, below %d returned earlier", prev, start)
			}
			for range 20000 {
				now := c.Monotonic()
				if now < prev {
					t.Errorf("Monotonic went from %d back to %d", prev, now)
					return
				}
				prev = now
			}
		})
	}
	wg.Wait()
}

// TestStableSourceSkipsTheGuard shows the guard is what saves the
// unstable case: the same jittery TSC declared stable does go backwards.
func TestStableSourceSkipsTheGuard(t *testing.T) {
	var j jitteryTSC
	var c Clock
	c.initTSC(NewTSC(3e9), true, j.read)
	prev, back := c.Monotonic(), false
	for range 100 {
		now := c.Monotonic()
		back = back || now < prev
		prev = now
	}
	if !back {
		t.Errorf("the jittery TSC never went backwards: the test above proves nothing")
	}
}

func TestClockReadsDoNotAllocate(t *testing.T) {
	rdtsc := func() uint64 { return 1e12 }
	var kvm, tsc Clock
	kvm.initKVMClock(oneRecord(&PvclockVCPUTimeInfo{Version: 2, TSCToSystemMul: 1 << 31}), 0, false, func() int { return 0 }, rdtsc)
	tsc.initTSC(NewTSC(3e9), false, rdtsc)
	if n := testing.AllocsPerRun(100, func() {
		kvm.Monotonic()
		kvm.Realtime()
		tsc.Monotonic()
		tsc.Realtime()
		tsc.SetRealtime(1)
	}); n != 0 {
		t.Errorf("Clock reads allocate %v times per run, want 0", n)
	}
}

// TestClockOnHostTSC runs the TSC clock on the real TSC of the machine
// running the tests (RDTSC works in ring 3).
func TestClockOnHostTSC(t *testing.T) {
	var c Clock
	c.InitTSC(NewTSC(3e9), false)
	prev := c.Monotonic()
	for range 10000 {
		now := c.Monotonic()
		if now < prev {
			t.Fatalf("Monotonic went from %d back to %d", prev, now)
		}
		prev = now
	}
}

func TestTSCReadingMatchesMonotonic(t *testing.T) {
	var now uint64 = 5_000_000
	var c Clock
	c.initTSC(NewTSC(2_500_000_000), true, func() uint64 { return now })
	c.SetRealtime(1_700_000_000_000_000_000)
	r, ok := c.TSCReading(false)
	if !ok {
		t.Fatal("no reading for a stable TSC")
	}
	for _, now = range []uint64{5_000_000, 5_000_001, 7_500_000_000, 1 << 50} {
		mono := int64(r.Scale.Apply(now - r.Base))
		if got := c.Monotonic(); got != mono {
			t.Errorf("tsc %d: Monotonic %d, reading gives %d", now, got, mono)
		}
		if got := c.Realtime(); got != mono+r.Wall {
			t.Errorf("tsc %d: Realtime %d, reading gives %d", now, got, mono+r.Wall)
		}
	}
	var unstable Clock
	unstable.initTSC(NewTSC(1e9), false, func() uint64 { return now })
	if _, ok := unstable.TSCReading(false); ok {
		t.Error("a TSC not known to be stable gave a reading for several CPUs")
	}
	if _, ok := unstable.TSCReading(true); !ok {
		t.Error("no reading for one CPU")
	}
}
