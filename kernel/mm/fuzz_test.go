package mm

import (
	"encoding/binary"
	"testing"
)

// FuzzPageTable maps, unmaps, protects and discards pages at addresses
// drawn from the input, clustered so tables are shared and including
// non-canonical ones, against a map model; frames must be conserved.
func FuzzPageTable(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("\x00\xff\xff\xff\xff\xff\xff\xff\xff\x02\xf0\xff\xff\xff\xff\xff\x00\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		e := newEnv(t, 1<<20)
		model := map[uint64]uint64{} // va -> pa
		for len(in) >= 9 {
			op := in[0]
			raw := binary.LittleEndian.Uint64(in[1:9])
			in = in[9:]
			// Mostly canonical, from both halves, near each other.
			va := raw &^ pageMask
			switch op >> 6 {
			case 0:
				va &= 0x0000_0000_00ff_f000
			case 1:
				va = 0xffff_ffff_ff00_0000 | va&0x00ff_f000
			case 2:
				va = uint64(int64(va<<16) >> 16)
			}
			switch op % 4 {
			case 0: // map
				pa, ok := e.frames.Alloc()
				if !ok {
					continue
				}
				err := e.as.Map(va, pa, RW|US)
				_, mapped := model[va]
				switch {
				case !Canonical(va):
					if err != EINVAL {
						t.Fatalf("Map(%#x) = %v, want EINVAL", va, err)
					}
				case mapped:
					if err != EEXIST {
						t.Fatalf("Map(%#x) = %v, want EEXIST", va, err)
					}
				case err == ENOMEM:
				case err != 0:
					t.Fatalf("Map(%#x) = %v", va, err)
				default:
					model[va] = pa
					continue
				}
				e.frames.Free(pa)
			case 1: // unmap
				pa, ok := e.as.Unmap(va)
				want, mapped := model[va]
				if ok != mapped || pa != want {
					t.Fatalf("Unmap(%#x) = %#x %v, want %#x %v", va, pa, ok, want, mapped)
				}
				if ok {
					delete(model, va)
					e.frames.Free(pa)
				}
			case 2: // protect
				_, mapped := model[va]
				if ok := e.as.Protect(va, US|XD); ok != mapped {
					t.Fatalf("Protect(%#x) = %v, want %v", va, ok, mapped)
				}
			case 3: // discard a few pages around va
				if !Canonical(va) {
					continue
				}
				end := va + uint64(in0(in))*PageSize
				want := 0
				// Empty, wrapping or half-crossing ranges do nothing.
				if end > va && Canonical(end-1) {
					for v := range model {
						if v >= va && v < end {
							want++
							delete(model, v)
						}
					}
				}
				if n := Discard(&e.as, va, end); n != want {
					t.Fatalf("Discard(%#x, %#x) = %d, want %d", va, end, n, want)
				}
			}
		}
		for va, pa := range model {
			if got, ok := e.as.Translate(va | 0x123); !ok || got != pa|0x123 {
				t.Fatalf("Translate(%#x) = %#x %v, want %#x", va, got, ok, pa)
			}
		}
		if _, leaves := tableStats(&e.as); len(leaves) != len(model) {
			t.Fatalf("%d leaves, model has %d", len(leaves), len(model))
		}
		checkConserved(t, e)
	})
}

// in0 returns the next input byte, or 1.
func in0(in []byte) byte {
	if len(in) == 0 {
		return 1
	}
	return in[0]
}
