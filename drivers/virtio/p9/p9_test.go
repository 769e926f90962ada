package virtio9p

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// tmessage builds a 9P message: size[4] type[1] tag[2] body.
func tmessage(typ byte, tag uint16, body []byte) []byte {
	m := make([]byte, 7, 7+len(body))
	m[4] = typ
	binary.LittleEndian.PutUint16(m[5:], tag)
	m = append(m, body...)
	binary.LittleEndian.PutUint32(m, uint32(len(m)))
	return m
}

// versionBody is Tversion's body: msize[4] version[s].
func versionBody(msize uint32, v string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, msize)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

func TestForQEMU(t *testing.T) {
	fsyncBody := binary.LittleEndian.AppendUint32(nil, 7) // fid 7
	for _, c := range []struct {
		name    string
		in, out []byte
	}{
		{"a dialect of 9P2000.L", tmessage(tversion, 0xffff, versionBody(8192, "9P2000.L.Google.7")), tmessage(tversion, 0xffff, versionBody(8192, "9P2000.L"))},
		{"9P2000.L itself", tmessage(tversion, 0xffff, versionBody(8192, "9P2000.L")), tmessage(tversion, 0xffff, versionBody(8192, "9P2000.L"))},
		{"another protocol", tmessage(tversion, 0xffff, versionBody(8192, "9P2000.u")), tmessage(tversion, 0xffff, versionBody(8192, "9P2000.u"))},
		{"a prefix that is not a dialect", tmessage(tversion, 0xffff, versionBody(8192, "9P2000.Lx")), tmessage(tversion, 0xffff, versionBody(8192, "9P2000.Lx"))},
		{"a short Tversion", tmessage(tversion, 1, []byte{1, 2}), tmessage(tversion, 1, []byte{1, 2})},
		{"Tfsync without datasync", tmessage(tfsync, 3, fsyncBody), tmessage(tfsync, 3, append(fsyncBody, 0, 0, 0, 0))},
		{"Tfsync with datasync", tmessage(tfsync, 3, append(fsyncBody, 1, 0, 0, 0)), tmessage(tfsync, 3, append(fsyncBody, 1, 0, 0, 0))},
		{"anything else", tmessage(110, 4, []byte("walk")), tmessage(110, 4, []byte("walk"))},
	} {
		got := forQEMU(append([]byte(nil), c.in...))
		if !bytes.Equal(got, c.out) {
			t.Errorf("%s: forQEMU(% x) = % x, want % x", c.name, c.in, got, c.out)
		}
		if size := binary.LittleEndian.Uint32(got); int(size) != len(got) {
			t.Errorf("%s: size field %d for %d bytes", c.name, size, len(got))
		}
	}
}
