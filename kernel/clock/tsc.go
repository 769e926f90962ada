package clock

import "math/bits"

// TSC converts between TSC cycles and nanoseconds for a fixed TSC
// frequency. Both directions multiply by a 64-bit fixed-point factor with
// a 128-bit product (like pvclock, with a wider fraction): the result is
// never more than 2 below the exact quotient and never above it, for any
// 64-bit input, and saturates at 2^64-1 instead of wrapping. At 3 GHz
// that covers 195 years of cycles.
//
// The zero TSC converts everything to 0. NewTSC builds one.
type TSC struct {
	// Hz is the frequency the factors were built for.
	Hz uint64

	toNs, toCycles Scale
}

// NewTSC returns the conversions for a TSC running at hz (> 0).
func NewTSC(hz uint64) TSC {
	if hz == 0 {
		return TSC{}
	}
	return TSC{Hz: hz, toNs: NewScale(1e9, hz), toCycles: NewScale(hz, 1e9)}
}

// Nanoseconds converts a number of TSC cycles (usually a difference) to
// nanoseconds.
//
// Called in syscall and interrupt context.
func (t *TSC) Nanoseconds(cycles uint64) uint64 { return t.toNs.Apply(cycles) }

// Cycles converts nanoseconds to TSC cycles, rounding down: for arming a
// TSC deadline. Add one cycle to never fire early.
//
// Called in syscall and interrupt context.
func (t *TSC) Cycles(ns uint64) uint64 { return t.toCycles.Apply(ns) }

// Scale multiplies by num/den as x*Mul >> Shift with a 128-bit product.
// Mul holds as many significant bits as fit in 64 (it is >= 2^63 unless
// num·2^Shift would overflow 128 bits), so the error is below x/2^Shift
// < 2 whenever the result does not saturate.
type Scale struct {
	Mul   uint64
	Shift uint // 0..127
}

// NewScale returns the Scale for num/den, den > 0.
func NewScale(num, den uint64) Scale {
	if num == 0 || den == 0 {
		return Scale{}
	}
	// The largest shift with num<<shift < 2^128 and (num<<shift)/den <
	// 2^64, i.e. (num<<shift)>>64 < den.
	for shift := uint(128 - bits.Len64(num)); ; shift-- {
		hi, lo := shl128(num, shift)
		if hi < den {
			mul, _ := bits.Div64(hi, lo, den)
			return Scale{Mul: mul, Shift: shift}
		}
	}
}

// Apply returns x*num/den, rounded down (by at most 2 more than the
// exact floor), or 2^64-1 if that does not fit in 64 bits.
func (s Scale) Apply(x uint64) uint64 {
	hi, lo := bits.Mul64(x, s.Mul)
	if s.Shift >= 64 {
		return hi >> (s.Shift - 64)
	}
	if hi>>s.Shift != 0 {
		return 1<<64 - 1
	}
	return hi<<(64-s.Shift) | lo>>s.Shift
}

// shl128 returns x << s as a 128-bit hi:lo pair, s < 128.
func shl128(x uint64, s uint) (hi, lo uint64) {
	if s >= 64 {
		return x << (s - 64), 0
	}
	if s == 0 {
		return 0, x
	}
	return x >> (64 - s), x << s
}
