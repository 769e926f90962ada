package linuxguest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// fakeBzImage returns a file laid out like a bzImage: setupSects setup
// sectors after the boot sector, then protected-mode code holding
// payload at payloadOffset.
func fakeBzImage(version uint16, setupSects byte, payloadOffset int, payload []byte) []byte {
	pm := (int(setupSects) + 1) * 512
	if setupSects == 0 {
		pm = 5 * 512
	}
	b := make([]byte, pm+payloadOffset+len(payload)+64)
	b[bzSetupSects] = setupSects
	copy(b[bzHeaderMagic:], "HdrS")
	binary.LittleEndian.PutUint16(b[bzVersion:], version)
	binary.LittleEndian.PutUint32(b[bzPayloadOffset:], uint32(payloadOffset))
	binary.LittleEndian.PutUint32(b[bzPayloadLength:], uint32(len(payload)))
	copy(b[pm+payloadOffset:], payload)
	return b
}

func TestXZPayloadFromHeader(t *testing.T) {
	stream := append(append([]byte{}, xzMagic...), "compressed kernel"...)
	for _, sects := range []byte{0, 1, 30} {
		bz := fakeBzImage(0x20f, sects, 0x3a0, stream)
		// A decoy XZ magic before the payload: the header wins.
		copy(bz[0x300:], xzMagic)
		got, err := xzPayload(bz)
		if err != nil {
			t.Fatalf("setup_sects %d: %v", sects, err)
		}
		if !bytes.Equal(got, stream) {
			t.Errorf("setup_sects %d: payload %q, want %q", sects, got, stream)
		}
	}
}

func TestXZPayloadBySearch(t *testing.T) {
	stream := append(append([]byte{}, xzMagic...), "kernel"...)
	// Protocol 2.06 has no payload fields: the magic is searched for.
	bz := fakeBzImage(0x206, 4, 0x100, stream)
	got, err := xzPayload(bz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, stream) {
		t.Errorf("payload starts %q, want %q", got[:len(stream)], stream)
	}
	if want := len(bz) - (5*512 + 0x100); len(got) != want {
		t.Errorf("payload is %d bytes, want the %d to the end of the file", len(got), want)
	}

	// A header pointing outside the file, or at something other than
	// XZ, falls back to the search too.
	bz = fakeBzImage(0x20f, 4, 0x100, stream)
	binary.LittleEndian.PutUint32(bz[bzPayloadLength:], 1<<30)
	if got, err := xzPayload(bz); err != nil || !bytes.HasPrefix(got, stream) {
		t.Errorf("with a bad payload_length: %q, %v", got, err)
	}
}

func TestXZPayloadMissing(t *testing.T) {
	bz := fakeBzImage(0x20f, 4, 0x100, []byte{0x1f, 0x8b, 8, 0}) // gzip
	if _, err := xzPayload(bz); !errors.Is(err, errNoXZPayload) {
		t.Errorf("a gzip kernel: err %v, want errNoXZPayload", err)
	}
	if _, err := xzPayload([]byte("short")); !errors.Is(err, errNoXZPayload) {
		t.Errorf("a short file: err %v, want errNoXZPayload", err)
	}
}

func TestCheckELF(t *testing.T) {
	if err := checkELF([]byte("\x7fELF\x02\x01\x01")); err != nil {
		t.Errorf("ELF64 header refused: %v", err)
	}
	for _, b := range []string{"", "\x7fELF\x01\x01", "MZ\x00\x00\x00"} {
		if checkELF([]byte(b)) == nil {
			t.Errorf("checkELF(%q) accepted it", b)
		}
	}
}
