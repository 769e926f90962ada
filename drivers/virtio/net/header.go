package virtionet

import "encoding/binary"

// The header in front of every frame (struct virtio_net_hdr, §5.1.6).
// Its fields are little endian: VERSION_1 says so, and a legacy device
// uses the guest's byte order, which on x86 is the same.
const (
	VIRTIO_NET_HDR_F_NEEDS_CSUM = 1 // csum_start and csum_offset are valid
	VIRTIO_NET_HDR_F_DATA_VALID = 2

	VIRTIO_NET_HDR_GSO_NONE  = 0
	VIRTIO_NET_HDR_GSO_TCPV4 = 1
	VIRTIO_NET_HDR_GSO_TCPV6 = 4

	hdrFlags      = 0
	hdrGSOType    = 1
	hdrHdrLen     = 2
	hdrGSOSize    = 4
	hdrCsumStart  = 6
	hdrCsumOffset = 8
)

// TxOffload is what a frame asks of the device (§5.1.6.2): to finish its
// transport checksum, and to cut it into TCP segments. The zero value
// asks for nothing.
type TxOffload struct {
	// NeedsCsum: the device sums from CsumStart to the end of the frame
	// and stores the result at CsumStart+CsumOffset, where the frame
	// holds the pseudo-header checksum.
	NeedsCsum             bool
	CsumStart, CsumOffset uint16

	// GSOType (VIRTIO_NET_HDR_GSO_TCPV4 or _TCPV6) asks the device to
	// split the frame into segments of GSOSize payload bytes; HdrLen is
	// the length of the Ethernet, IP and TCP headers each one repeats.
	GSOType         uint8
	GSOSize, HdrLen uint16
}

// putHeader writes the header for o into h, which is the device's header
// size long, and zeroes what o does not use.
func putHeader(h []byte, o TxOffload) {
	clear(h)
	if o.NeedsCsum {
		h[hdrFlags] = VIRTIO_NET_HDR_F_NEEDS_CSUM
		binary.LittleEndian.PutUint16(h[hdrCsumStart:], o.CsumStart)
		binary.LittleEndian.PutUint16(h[hdrCsumOffset:], o.CsumOffset)
	}
	if o.GSOType != VIRTIO_NET_HDR_GSO_NONE {
		h[hdrGSOType] = o.GSOType
		binary.LittleEndian.PutUint16(h[hdrHdrLen:], o.HdrLen)
		binary.LittleEndian.PutUint16(h[hdrGSOSize:], o.GSOSize)
	}
}
