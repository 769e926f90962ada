package clock

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

var maxU64 = new(big.Int).SetUint64(1<<64 - 1)

// exactScale is floor(x*num/den), capped at 2^64-1.
func exactScale(x, num, den uint64) uint64 {
	q := new(big.Int).Mul(new(big.Int).SetUint64(x), new(big.Int).SetUint64(num))
	q.Quo(q, new(big.Int).SetUint64(den))
	if q.Cmp(maxU64) > 0 {
		return 1<<64 - 1
	}
	return q.Uint64()
}

// checkScale checks Scale's promise: at most 2 below the exact floor,
// never above it, saturating when the exact value does not fit.
func checkScale(t *testing.T, what string, x, num, den, got uint64) {
	t.Helper()
	want := exactScale(x, num, den)
	if want == 1<<64-1 {
		if got != want {
			t.Fatalf("%s(%d) with %d/%d = %d, want saturation at 2^64-1", what, x, num, den, got)
		}
		return
	}
	if got > want || want-got > 2 {
		t.Fatalf("%s(%d) with %d/%d = %d, want %d (at most 2 below)", what, x, num, den, got, want)
	}
}

var frequencies = []uint64{
	1, 1000, 1193182, 14318180, 1e9 - 1, 1e9, 1e9 + 1, 1.5e9, 2.1e9, 2592e6,
	2808e6, 2999999999, 3e9, 3.7e9, 5.2e9, 20e9, 1 << 32, 1 << 40, 1 << 62, 1<<64 - 1,
}

func TestTSCAgainstBigInt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, hz := range frequencies {
		tsc := NewTSC(hz)
		for range 2000 {
			x := r.Uint64() >> 1 >> r.UintN(63) // up to 2^63, all magnitudes
			checkScale(t, "Nanoseconds", x, 1e9, hz, tsc.Nanoseconds(x))
			checkScale(t, "Cycles", x, hz, 1e9, tsc.Cycles(x))
		}
		for _, x := range []uint64{0, 1, 1<<63 - 1, 1 << 63, 1<<64 - 1} {
			checkScale(t, "Nanoseconds", x, 1e9, hz, tsc.Nanoseconds(x))
			checkScale(t, "Cycles", x, hz, 1e9, tsc.Cycles(x))
		}
	}
}

func TestTSCYearsOfUptime(t *testing.T) {
	const year = 365 * 24 * 3600
	tests := []struct {
		hz    uint64
		years uint64
	}{
		{3e9, 1}, {3e9, 10}, {3e9, 100}, {2592e6, 50}, {5.2e9, 100}, {1e9, 500},
	}
	for _, tt := range tests {
		tsc := NewTSC(tt.hz)
		cycles := tt.hz * year * tt.years
		got := tsc.Nanoseconds(cycles)
		want := uint64(year*1e9) * tt.years
		if got > want || want-got > 2 {
			t.Errorf("%d years at %d Hz: %d ns, want %d", tt.years, tt.hz, got, want)
		}
		if back := tsc.Cycles(got); back > cycles || cycles-back > 2+tt.hz/1e9*3 {
			t.Errorf("%d years at %d Hz: Cycles(Nanoseconds(%d)) = %d", tt.years, tt.hz, cycles, back)
		}
	}
}

func TestTSCZero(t *testing.T) {
	var z TSC
	if z.Nanoseconds(12345) != 0 || z.Cycles(12345) != 0 {
		t.Errorf("the zero TSC converts to non-zero")
	}
	if z := NewTSC(0); z.Hz != 0 || z.Nanoseconds(1<<40) != 0 {
		t.Errorf("NewTSC(0) = %+v, want the zero TSC", z)
	}
}

func TestScaleFactors(t *testing.T) {
	// The factor keeps 64 significant bits for every realistic ratio.
	for _, hz := range frequencies {
		for _, s := range []Scale{NewScale(1e9, hz), NewScale(hz, 1e9)} {
			if s.Mul < 1<<63 {
				t.Errorf("hz %d: Scale %+v has fewer than 64 significant bits", hz, s)
			}
			if s.Shift > 127 {
				t.Errorf("hz %d: Scale %+v shifts too far", hz, s)
			}
		}
	}
	if s := NewScale(5, 0); s != (Scale{}) {
		t.Errorf("NewScale(5, 0) = %+v, want zero", s)
	}
}

func TestTSCConversionsDoNotAllocate(t *testing.T) {
	tsc := NewTSC(2592e6)
	if n := testing.AllocsPerRun(100, func() {
		tsc.Nanoseconds(1 << 50)
		tsc.Cycles(1 << 50)
	}); n != 0 {
		t.Errorf("TSC conversions allocate %v times per run, want 0", n)
	}
}

func FuzzTSCNanoseconds(f *testing.F) {
	f.Add(uint64(3e9), uint64(1<<62))
	f.Add(uint64(1), uint64(1<<63))
	f.Add(uint64(1193182), uint64(123456789))
	f.Add(uint64(1<<64-1), uint64(1<<64-1))
	f.Fuzz(func(t *testing.T, hz, x uint64) {
		if hz == 0 {
			return
		}
		tsc := NewTSC(hz)
		checkScale(t, "Nanoseconds", x, 1e9, hz, tsc.Nanoseconds(x))
		checkScale(t, "Cycles", x, hz, 1e9, tsc.Cycles(x))
	})
}
