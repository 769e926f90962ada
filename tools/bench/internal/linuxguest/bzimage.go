package linuxguest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Offsets in a bzImage's setup header (the Linux x86 boot protocol,
// Documentation/arch/x86/boot.rst).
const (
	bzSetupSects    = 0x1f1 // u8: 512-byte setup sectors after the boot sector; 0 means 4
	bzHeaderMagic   = 0x202 // "HdrS"
	bzVersion       = 0x206 // u16: boot protocol version
	bzPayloadOffset = 0x248 // u32, protocol >= 2.08: from the protected-mode code
	bzPayloadLength = 0x24c // u32, protocol >= 2.08
)

// xzMagic starts an XZ stream.
var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}

// errNoXZPayload means the file holds no XZ stream where a kernel would.
var errNoXZPayload = errors.New("no XZ-compressed kernel in the file")

// xzPayload returns the XZ-compressed vmlinux inside a bzImage. The boot
// protocol's payload_offset and payload_length say where it is; when the
// header is older than 2.08 or does not point at an XZ stream, the first
// XZ stream magic in the file is taken instead, up to the end of the file.
// The stream may be followed by a few bytes (Linux appends the
// uncompressed size): decompress only one stream.
func xzPayload(bz []byte) ([]byte, error) {
	if p, ok := headerPayload(bz); ok && bytes.HasPrefix(p, xzMagic) {
		return p, nil
	}
	if i := bytes.Index(bz, xzMagic); i >= 0 {
		return bz[i:], nil
	}
	return nil, errNoXZPayload
}

// headerPayload returns the payload the setup header points at, if the
// header has those fields and they lie inside bz.
func headerPayload(bz []byte) ([]byte, bool) {
	if len(bz) < bzPayloadLength+4 || string(bz[bzHeaderMagic:bzHeaderMagic+4]) != "HdrS" {
		return nil, false
	}
	if binary.LittleEndian.Uint16(bz[bzVersion:]) < 0x208 {
		return nil, false
	}
	sects := int(bz[bzSetupSects])
	if sects == 0 {
		sects = 4
	}
	start := uint64(sects+1)*512 + uint64(binary.LittleEndian.Uint32(bz[bzPayloadOffset:]))
	end := start + uint64(binary.LittleEndian.Uint32(bz[bzPayloadLength:]))
	if end > uint64(len(bz)) || start >= end {
		return nil, false
	}
	return bz[start:end], true
}

// checkELF returns an error unless b starts like a 64-bit ELF file.
func checkELF(b []byte) error {
	if len(b) < 5 || string(b[:4]) != "\x7fELF" || b[4] != 2 {
		return fmt.Errorf("not a 64-bit ELF file")
	}
	return nil
}
