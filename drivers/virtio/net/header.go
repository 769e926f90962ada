package virtionet

import "encoding/binary"

// The header in front of every frame (struct virtio_net_hdr, §5.1.6).
// Its fields are little endian: VERSION_1 says so, and a legacy device
// uses the guest's byte order, which on x86 is the same.
const (
	VIRTIO_NET_HDR_F_NEEDS_CSUM = 1 // csum_start and csum_offset are valid
	VIRTIO_NET_HDR_F_DATA_VALID = 2 // received: the device checked the checksum
	VIRTIO_NET_HDR_F_RSC_INFO   = 4 // received, with RSC_EXT: csum_* are counts

	VIRTIO_NET_HDR_GSO_NONE  = 0
	VIRTIO_NET_HDR_GSO_TCPV4 = 1
	VIRTIO_NET_HDR_GSO_TCPV6 = 4

	hdrFlags      = 0
	hdrGSOType    = 1
	hdrHdrLen     = 2
	hdrGSOSize    = 4
	hdrCsumStart  = 6
	hdrCsumOffset = 8
	hdrNumBuffers = 10 // le16, only in the 12-byte header
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
// size long, and zeroes what o does not use (num_buffers too, as
// §5.1.6.2 requires of a transmitted header).
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

// rxHeader is what the driver uses of a received header (§5.1.6.4).
// gso_type, gso_size and hdr_len only describe how the frame was
// coalesced: the frame is whole either way, so they are not kept.
type rxHeader struct {
	flags                 uint8
	csumStart, csumOffset uint16
	// numBuffers is how many receive buffers the frame spans, this one
	// included: num_buffers with VIRTIO_NET_F_MRG_RXBUF, else 1.
	numBuffers uint16
}

// parseHeader reads the header h, the device's header size long (10 or
// 12 bytes). Without mergeable buffers a frame is always in one buffer,
// whatever a 12-byte header's num_buffers says (the device must set it
// to 1, §5.1.6.4).
func parseHeader(h []byte, mergeable bool) rxHeader {
	r := rxHeader{
		flags:      h[hdrFlags],
		csumStart:  binary.LittleEndian.Uint16(h[hdrCsumStart:]),
		csumOffset: binary.LittleEndian.Uint16(h[hdrCsumOffset:]),
		numBuffers: 1,
	}
	if mergeable {
		r.numBuffers = binary.LittleEndian.Uint16(h[hdrNumBuffers:])
	}
	return r
}

// needsCsum reports whether the frame carries a partial checksum the
// driver must finish: NEEDS_CSUM, and not RSC_INFO, which turns
// csum_start and csum_offset into counts the driver must not use as
// offsets (§5.1.6.4.2).
func (h rxHeader) needsCsum() bool {
	return h.flags&(VIRTIO_NET_HDR_F_NEEDS_CSUM|VIRTIO_NET_HDR_F_RSC_INFO) == VIRTIO_NET_HDR_F_NEEDS_CSUM
}
