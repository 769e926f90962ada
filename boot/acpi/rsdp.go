package acpi

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/boot/bda"
	"github.com/coracle-os/coracle/boot/biosscan"
)

// RSDP is the Root System Description Pointer decoded (ACPI 6.5 §5.2.5.3).
type RSDP struct {
	Addr     uint64 // where it was found
	Revision uint8  // 0 for ACPI 1.0 (RSDT only), 2 for ACPI 2.0 and later
	RSDT     uint32 // physical address of the RSDT, 0 if none
	XSDT     uint64 // physical address of the XSDT, 0 if none (revision 0)
}

// The legacy BIOS areas the RSDP scan covers (§5.2.5.1): the first KiB of
// the EBDA (biosscan.EBDASize), then the BIOS read-only area.
const (
	biosAreaLow  = 0xE0000
	biosAreaHigh = 0x100000
)

// FindRSDP returns the RSDP at hint, the physical address the PVH start
// info gives (hvm_start_info.rsdp_paddr), when hint is not zero and a
// valid RSDP is there. Otherwise it scans the EBDA's first KiB and
// 0xE0000-0xFFFFF (§5.2.5.1) for the first valid one. When nothing valid
// is found the error is the hint's, if there was a hint, else ErrNoRSDP.
func FindRSDP(mem Memory, hint uint64) (RSDP, error) {
	var hintErr error
	if hint != 0 {
		r, err := ParseRSDP(mem, hint)
		if err == nil {
			return r, nil
		}
		hintErr = err
	}
	if ebda, ok := bda.EBDA(mem); ok {
		if r, ok := scanRSDP(mem, ebda, biosscan.EBDASize); ok {
			return r, nil
		}
	}
	if r, ok := scanRSDP(mem, biosAreaLow, biosAreaHigh-biosAreaLow); ok {
		return r, nil
	}
	if hintErr != nil {
		return RSDP{}, hintErr
	}
	return RSDP{}, ErrNoRSDP
}

// scanRSDP looks for a valid RSDP in [pa, pa+n) on 16-byte boundaries.
// An area that is not readable as a whole is skipped. A structure may
// start in the area and end past it.
func scanRSDP(mem Memory, pa, n uint64) (RSDP, bool) {
	var r RSDP
	_, ok := biosscan.Scan(mem, pa, n, RSDPSignature, uint64(len(RSDPSignature)), func(at uint64) bool {
		var err error
		r, err = ParseRSDP(mem, at)
		return err == nil
	})
	return r, ok
}

// ParseRSDP decodes and validates the RSDP at pa: its signature, the
// checksum of its first 20 bytes and, for revision 2 and later, its
// length and the extended checksum over all of it (§5.2.5.3).
func ParseRSDP(mem Memory, pa uint64) (RSDP, error) {
	b := mem.Bytes(pa, rsdpV1Size)
	if b == nil {
		return RSDP{}, ErrRSDPUnreadable
	}
	if string(b[:8]) != RSDPSignature {
		return RSDP{}, ErrRSDPSignature
	}
	if biosscan.Checksum(b) != 0 {
		return RSDP{}, ErrRSDPChecksum
	}
	le := binary.LittleEndian
	r := RSDP{Addr: pa, Revision: b[rsdpOffRev], RSDT: le.Uint32(b[rsdpOffRSDT:])}
	if r.Revision < 2 {
		return r, nil
	}
	b = mem.Bytes(pa, rsdpV2Size)
	if b == nil {
		return RSDP{}, ErrRSDPUnreadable
	}
	n := le.Uint32(b[rsdpOffLen:])
	if n < rsdpV2Size || n > MaxTableSize {
		return RSDP{}, ErrRSDPLength
	}
	if n > rsdpV2Size {
		// Later revisions may grow it; the checksum covers it all.
		if b = mem.Bytes(pa, uint64(n)); b == nil {
			return RSDP{}, ErrRSDPUnreadable
		}
	}
	if biosscan.Checksum(b) != 0 {
		return RSDP{}, ErrRSDPXChecksum
	}
	r.XSDT = le.Uint64(b[rsdpOffXSDT:])
	return r, nil
}
