package virtionet

import (
	"bytes"
	"testing"
)

func TestPutHeader(t *testing.T) {
	for _, c := range []struct {
		name string
		o    TxOffload
		want []byte
	}{
		{"nothing", TxOffload{}, make([]byte, 12)},
		{"checksum", TxOffload{NeedsCsum: true, CsumStart: 34, CsumOffset: 16},
			[]byte{1, 0, 0, 0, 0, 0, 34, 0, 16, 0, 0, 0}},
		{"tso", TxOffload{NeedsCsum: true, CsumStart: 54, CsumOffset: 16, GSOType: VIRTIO_NET_HDR_GSO_TCPV6, GSOSize: 1440, HdrLen: 74},
			[]byte{1, 4, 74, 0, 0xa0, 0x05, 54, 0, 16, 0, 0, 0}},
	} {
		h := bytes.Repeat([]byte{0xff}, 12) // stale bytes must not survive
		putHeader(h, c.o)
		if !bytes.Equal(h, c.want) {
			t.Errorf("%s: got % x, want % x", c.name, h, c.want)
		}
	}
	legacy := bytes.Repeat([]byte{0xff}, 10)
	putHeader(legacy, TxOffload{NeedsCsum: true, CsumStart: 34, CsumOffset: 6})
	if want := []byte{1, 0, 0, 0, 0, 0, 34, 0, 6, 0}; !bytes.Equal(legacy, want) {
		t.Errorf("legacy header: got % x, want % x", legacy, want)
	}
}

func TestParseHeader(t *testing.T) {
	h := []byte{3, 1, 54, 0, 0xa0, 0x05, 34, 0, 16, 0, 7, 0}
	want := rxHeader{flags: 3, csumStart: 34, csumOffset: 16, numBuffers: 7}
	if got := parseHeader(h, true); got != want {
		t.Errorf("mergeable: got %+v, want %+v", got, want)
	}
	want.numBuffers = 1 // the field is not there, or means nothing
	if got := parseHeader(h, false); got != want {
		t.Errorf("12 bytes, not mergeable: got %+v, want %+v", got, want)
	}
	if got := parseHeader(h[:legacyHeaderSize], false); got != want {
		t.Errorf("legacy: got %+v, want %+v", got, want)
	}
	for _, c := range []struct {
		flags uint8
		want  bool
	}{
		{0, false},
		{VIRTIO_NET_HDR_F_NEEDS_CSUM, true},
		{VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID, true},
		{VIRTIO_NET_HDR_F_NEEDS_CSUM | 0x80, true}, // unknown bits are ignored
		{VIRTIO_NET_HDR_F_DATA_VALID, false},
		{VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_RSC_INFO, false},
	} {
		if got := (rxHeader{flags: c.flags}).needsCsum(); got != c.want {
			t.Errorf("flags %#x: needsCsum %v, want %v", c.flags, got, c.want)
		}
	}
}
