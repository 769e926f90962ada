package clock

import (
	"math/big"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

func TestPvclockLayout(t *testing.T) {
	var p PvclockVCPUTimeInfo
	var w PvclockWallClock
	// pvclock-abi.h: version @0, pad0 @4, tsc_timestamp @8, system_time
	// @16, tsc_to_system_mul @24, tsc_shift @28, flags @29, pad @30; 32
	// bytes. Wall clock: version, sec, nsec; 12 bytes.
	for _, tt := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof pvclock_vcpu_time_info", unsafe.Sizeof(p), pvclockTimeInfoSize},
		{"version", unsafe.Offsetof(p.Version), 0},
		{"tsc_timestamp", unsafe.Offsetof(p.TSCTimestamp), 8},
		{"system_time", unsafe.Offsetof(p.SystemTime), 16},
		{"tsc_to_system_mul", unsafe.Offsetof(p.TSCToSystemMul), pvclockScaleWordOffset},
		{"tsc_shift", unsafe.Offsetof(p.TSCShift), 28},
		{"flags", unsafe.Offsetof(p.Flags), 29},
		{"alignment (for the 64-bit atomic loads)", unsafe.Alignof(p), 8},
		{"sizeof pvclock_wall_clock", unsafe.Sizeof(w), pvclockWallClockSize},
		{"wall sec", unsafe.Offsetof(w.Sec), 4},
		{"wall nsec", unsafe.Offsetof(w.Nsec), 8},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

// refPvclockScale is pvclock_scale_delta in big integers.
func refPvclockScale(delta uint64, mul uint32, shift int8) uint64 {
	d := new(big.Int).SetUint64(delta)
	if shift >= 0 {
		d.Lsh(d, uint(shift))
		d.And(d, new(big.Int).SetUint64(1<<64-1)) // the u64 shift drops high bits
	} else {
		d.Rsh(d, uint(-shift))
	}
	d.Mul(d, big.NewInt(int64(mul)))
	d.Rsh(d, 32)
	return new(big.Int).And(d, new(big.Int).SetUint64(1<<64-1)).Uint64()
}

func TestPvclockScale(t *testing.T) {
	tests := []struct {
		delta uint64
		mul   uint32
		shift int8
		want  uint64
	}{
		{1000, 1 << 31, 0, 500},  // 2 GHz: 0.5 ns a cycle
		{1000, 1 << 31, 1, 1000}, // 1 GHz
		{1000, 1 << 31, -1, 250}, // 4 GHz
		{3, 1 << 31, -1, 0},      // truncation
		{1 << 40, 0xFFFFFFFF, 0, 1<<40 - 1<<8},
		{1 << 63, 0xFFFFFFFF, -1, 1<<62 - 1<<30},
		{0, 0xFFFFFFFF, 5, 0},
	}
	for _, tt := range tests {
		if got := PvclockScale(tt.delta, tt.mul, tt.shift); got != tt.want {
			t.Errorf("PvclockScale(%d, %#x, %d) = %d, want %d", tt.delta, tt.mul, tt.shift, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		delta, mul, shift := r.Uint64()>>r.UintN(64), r.Uint32(), int8(r.IntN(64)-32)
		if got, want := PvclockScale(delta, mul, shift), refPvclockScale(delta, mul, shift); got != want {
			t.Fatalf("PvclockScale(%d, %#x, %d) = %d, want %d", delta, mul, shift, got, want)
		}
	}
}

// kvmTimeScale computes the mul and shift KVM puts in the record for a
// TSC at hz, as kvm_get_time_scale(NSEC_PER_SEC, hz) does: bring hz into
// (1e9/2, 2e9] within 32 bits by shifting, then mul = (1e9 << 32) / hz'.
func kvmTimeScale(hz uint64) (mul uint32, shift int8) {
	tps64, scaled64 := hz, uint64(1e9)
	for tps64 > scaled64*2 || tps64&0xFFFFFFFF00000000 != 0 {
		tps64 >>= 1
		shift--
	}
	tps32 := uint32(tps64)
	for uint64(tps32) <= scaled64 || scaled64&0xFFFFFFFF00000000 != 0 {
		if scaled64&0xFFFFFFFF00000000 != 0 || tps32&0x80000000 != 0 {
			scaled64 >>= 1
		} else {
			tps32 <<= 1
		}
		shift++
	}
	return uint32(scaled64 << 32 / uint64(tps32)), shift
}

func TestPvclockTSCHz(t *testing.T) {
	for _, hz := range []uint64{1e6, 100e6, 999999999, 1e9, 1000000001, 1.5e9, 2.1e9, 2592e6, 2808e6, 3e9, 3.7e9, 5.2e9, 10e9} {
		mul, shift := kvmTimeScale(hz)
		got := PvclockTSCHz(mul, shift)
		// mul is truncated to 32 bits: a relative error of 2^-31 at most.
		if diff := int64(got - hz); diff < -int64(hz>>30) || diff > int64(hz>>30) {
			t.Errorf("hz %d: KVM's mul %#x shift %d give back %d Hz", hz, mul, shift, got)
		}
		// And one second of cycles scales to one second.
		if ns := PvclockScale(hz, mul, shift); ns < 1e9-2 || ns > 1e9 {
			t.Errorf("hz %d: %d cycles scale to %d ns, want 1e9", hz, hz, ns)
		}
	}
	if got := PvclockTSCHz(0, 0); got != 0 {
		t.Errorf("PvclockTSCHz(0, 0) = %d, want 0", got)
	}
	p := PvclockVCPUTimeInfo{TSCToSystemMul: 1 << 31, TSCShift: 1, Flags: 1}
	if got := p.TSCHz(); got != 1e9 {
		t.Errorf("TSCHz() of a 1 GHz record = %d", got)
	}
}

func TestPvclockNanoseconds(t *testing.T) {
	p := &PvclockVCPUTimeInfo{
		Version: 2, TSCTimestamp: 1000000, SystemTime: 5e9,
		TSCToSystemMul: 1 << 31, TSCShift: 0, Flags: 1 << PVCLOCK_TSC_STABLE_BIT,
	}
	ns, flags := p.Nanoseconds(func() uint64 { return 3000000 })
	if ns != 5e9+1e6 || flags != 1 {
		t.Errorf("Nanoseconds = %d, %#x; want %d, 0x1", ns, flags, uint64(5e9+1e6))
	}
	// A TSC behind the record clamps to system_time.
	if ns, _ := p.Nanoseconds(func() uint64 { return 999000 }); ns != 5e9 {
		t.Errorf("Nanoseconds with the TSC behind the record = %d, want %d", ns, uint64(5e9))
	}
}

// TestPvclockRetry has the hypervisor update the record between the
// reader's field loads and its second look at the version: the reader
// must throw that snapshot away.
func TestPvclockRetry(t *testing.T) {
	p := &PvclockVCPUTimeInfo{Version: 4, TSCTimestamp: 100, SystemTime: 1000, TSCToSystemMul: 1<<32 - 1}
	calls := 0
	ns, _ := p.Nanoseconds(func() uint64 {
		calls++
		if calls == 1 {
			// The update: both fields move, version goes odd then even.
			p.Version++
			p.TSCTimestamp, p.SystemTime, p.TSCToSystemMul, p.TSCShift = 200, 7000, 1<<31, 1
			p.Version++
		}
		return 300
	})
	if calls != 2 || ns != 7100 {
		t.Errorf("Nanoseconds = %d after %d TSC reads, want 7100 after 2", ns, calls)
	}
}

// TestPvclockConcurrentUpdates has a writer rewrite the record as a
// hypervisor would (version odd, fields, version even) while readers
// check that every reading matches one consistent record: with
// tsc_timestamp = 2k and system_time = k, a TSC of X always gives X/2.
func TestPvclockConcurrentUpdates(t *testing.T) {
	p := &PvclockVCPUTimeInfo{TSCToSystemMul: 1 << 31}
	const tsc = 1 << 40
	var stop atomic.Bool
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for k := uint64(1); !stop.Load(); k++ {
			atomic.AddUint32(&p.Version, 1)
			atomic.StoreUint64(&p.TSCTimestamp, 2*k)
			atomic.StoreUint64(&p.SystemTime, k)
			atomic.AddUint32(&p.Version, 1)
		}
	}()
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for range 20000 {
				if ns, _ := p.Nanoseconds(func() uint64 { return tsc }); ns != tsc/2 {
					t.Errorf("torn read: Nanoseconds = %d, want %d", ns, tsc/2)
					return
				}
			}
		})
	}
	readers.Wait()
	stop.Store(true)
	<-writerDone
}

func TestPvclockWallClock(t *testing.T) {
	w := &PvclockWallClock{Version: 2, Sec: 1700000000, Nsec: 123456789}
	if got := w.Read(); got != 1700000000123456789 {
		t.Errorf("Read() = %d, want 1700000000123456789", got)
	}
	w = &PvclockWallClock{Version: 6, Sec: 0xFFFFFFFF, Nsec: 999999999}
	if got := w.Read(); got != 0xFFFFFFFF*1e9+999999999 {
		t.Errorf("Read() at the ABI's limit = %d", got)
	}
}

func TestPvclockReadsDoNotAllocate(t *testing.T) {
	p := &PvclockVCPUTimeInfo{Version: 2, TSCToSystemMul: 1 << 31}
	w := &PvclockWallClock{Version: 2, Sec: 1}
	rdtsc := func() uint64 { return 12345 }
	if n := testing.AllocsPerRun(100, func() {
		p.Nanoseconds(rdtsc)
		p.TSCHz()
		w.Read()
	}); n != 0 {
		t.Errorf("pvclock reads allocate %v times per run, want 0", n)
	}
}
