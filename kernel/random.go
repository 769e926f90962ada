package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
)

// Randomness comes from the CPU: RDSEED (the entropy source) where it
// exists, else RDRAND (a DRBG it reseeds). Go's crypto/rand and the
// runtime's AT_RANDOM seed rely on it; a fake source would silently
// break TLS, so without either instruction the kernel refuses to boot.

// CPUID feature bits (SDM Vol. 2A, CPUID).
const (
	cpuidRDRAND = 1 << 30 // CPUID.1:ECX
	cpuidRDSEED = 1 << 18 // CPUID.(7,0):EBX
	// rdrandRetries follows Intel's DRNG guide: ten tries make a
	// failure a sign of a broken CPU, not of contention.
	rdrandRetries = 10
)

// randomWord returns one random word.
func randomWord() (uint64, bool) {
	for range rdrandRetries {
		if haveRDSEED {
			if v, ok := amd64.RdSeed(); ok {
				return v, true
			}
		}
		if haveRDRAND {
			if v, ok := amd64.RdRand(); ok {
				return v, true
			}
		}
	}
	return 0, false
}

// fillRandom fills b with random bytes.
func fillRandom(b []byte) bool {
	var w [8]byte
	for len(b) > 0 {
		v, ok := randomWord()
		if !ok {
			return false
		}
		binary.LittleEndian.PutUint64(w[:], v)
		n := copy(b, w[:])
		b = b[n:]
	}
	return true
}
