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
