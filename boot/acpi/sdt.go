package acpi

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/boot/biosscan"
)

// ReadTable returns the whole system description table at pa once its
// header says it has signature sig and a sane length and its checksum
// (§5.2.6: every byte of the table, by its Length field, sums to 0) holds.
func ReadTable(mem Memory, pa uint64, sig string) ([]byte, error) {
	h := mem.Bytes(pa, headerSize)
	if h == nil {
		return nil, ErrTableUnreadable
	}
	if string(h[:4]) != sig {
		return nil, ErrTableSignature
	}
	n := binary.LittleEndian.Uint32(h[hdrOffLength:])
	if n < headerSize || n > MaxTableSize {
		return nil, ErrTableLength
	}
	b := mem.Bytes(pa, uint64(n))
	if b == nil {
		return nil, ErrTableUnreadable
	}
	if biosscan.Checksum(b) != 0 {
		return nil, ErrTableChecksum
	}
	return b, nil
}

// FindTable returns the table with signature sig that the root table
// lists: the XSDT's 64-bit entries when the RSDP has an XSDT (§5.2.8),
// else the RSDT's 32-bit ones (§5.2.7). Entries whose header has another
// signature are passed over without reading the rest of them; the first
// entry with the signature is the answer, checked by ReadTable. The root
// table itself is checked the same way.
func FindTable(mem Memory, r RSDP, sig string) ([]byte, error) {
	root, rootSig, entrySize := uint64(r.RSDT), SigRSDT, uint64(4)
	if r.XSDT != 0 {
		root, rootSig, entrySize = r.XSDT, SigXSDT, 8
	}
	if root == 0 {
		return nil, ErrNoRootTable
	}
	t, err := ReadTable(mem, root, rootSig)
	if err != nil {
		return nil, err
	}
	entries := t[headerSize:]
	if uint64(len(entries))%entrySize != 0 {
		return nil, ErrRootTableEntries
	}
	le := binary.LittleEndian
	for off := uint64(0); off < uint64(len(entries)); off += entrySize {
		var pa uint64
		if entrySize == 8 {
			pa = le.Uint64(entries[off:])
		} else {
			pa = uint64(le.Uint32(entries[off:]))
		}
		if h := mem.Bytes(pa, 4); h == nil || string(h) != sig {
			continue
		}
		return ReadTable(mem, pa, sig)
	}
	return nil, errNotListed(sig)
}

// errNotListed names the table a root table lacks.
func errNotListed(sig string) error {
	if sig == SigMADT {
		return ErrNoMADT
	}
	return ErrTableNotListed
}
