package virtionet

// assembler turns the used receive buffers, in the order the device
// returns them, back into frames (§5.1.6.4). With VIRTIO_NET_F_MRG_RXBUF
// a frame too large for one buffer flows over into the next ones; the
// first carries the header, whose num_buffers counts them all, and the
// others carry only data. The device fills every buffer but the last
// completely and makes all of a frame's buffers used together, so all
// num_buffers of them are there when the first is (§5.1.6.4.1).
//
// The driver gives every buffer back to the device as soon as add has
// returned: a frame in one buffer is returned in place, one in several
// is copied into buf. A device that breaks the rules costs frames, never
// buffers: add and abort drop the frame and count it in dropped.
type assembler struct {
	hdrLen    int  // the device's header size
	mergeable bool // VIRTIO_NET_F_MRG_RXBUF
	bufSize   int  // the size of every receive buffer

	// buf holds a frame spread over several buffers (nil without
	// mergeable buffers): maxRxBuffers of them, less the header.
	buf     []byte
	n       int      // bytes of buf in use
	hdr     rxHeader // the header of the frame in buf
	missing int      // buffers still to come for it; 0 when none is
	bad     bool     // the frame is being dropped: its buffers are skipped

	dropped uint64 // frames dropped because the device broke a rule
}

// newAssembler returns the assembler for buffers of bufSize bytes that
// start with hdrLen bytes of header.
func newAssembler(hdrLen, bufSize int, mergeable bool) *assembler {
	a := &assembler{hdrLen: hdrLen, bufSize: bufSize, mergeable: mergeable}
	if mergeable {
		a.buf = make([]byte, maxRxBuffers*bufSize-hdrLen)
	}
	return a
}

// add takes the next used buffer, the b bytes the device wrote into it
// (at most bufSize), and returns a frame when b completes one: its bytes
// after the header, with a partial checksum finished (finishChecksum).
// The frame is b itself or part of a.buf, and is valid until the next
// add.
//
// It drops a buffer too short for a header, and one whose num_buffers is
// 0 or more than maxRxBuffers; skipping the rest of its buffers, a frame
// one of whose buffers but the last is not full; and a frame whose
// partial checksum lies outside it. An empty frame is not delivered.
func (a *assembler) add(b []byte) (frame []byte, ok bool) {
	if a.missing > 0 {
		a.missing--
		if a.missing > 0 && len(b) != a.bufSize || len(b) > len(a.buf)-a.n {
			a.bad = true
		}
		if !a.bad {
			a.n += copy(a.buf[a.n:], b)
		}
		if a.missing > 0 {
			return nil, false
		}
		if a.bad {
			a.bad = false
			a.dropped++
			return nil, false
		}
		return a.complete(a.buf[:a.n], a.hdr)
	}
	if len(b) < a.hdrLen {
		a.dropped++
		return nil, false
	}
	h := parseHeader(b[:a.hdrLen], a.mergeable)
	switch {
	case h.numBuffers == 1:
		return a.complete(b[a.hdrLen:], h)
	case h.numBuffers == 0 || h.numBuffers > maxRxBuffers:
		a.dropped++
		return nil, false
	}
	a.n = copy(a.buf, b[a.hdrLen:])
	a.hdr = h
	a.missing = int(h.numBuffers) - 1
	a.bad = len(b) != a.bufSize
	return nil, false
}

// complete finishes frame's partial checksum if h says it has one.
func (a *assembler) complete(frame []byte, h rxHeader) ([]byte, bool) {
	if len(frame) == 0 {
		return nil, false
	}
	if h.needsCsum() && !finishChecksum(frame, h.csumStart, h.csumOffset) {
		a.dropped++
		return nil, false
	}
	return frame, true
}

// abort drops a frame whose buffers stopped coming before num_buffers of
// them had (the used ring is empty): the device broke §5.1.6.4.1. It
// reports whether there was such a frame.
func (a *assembler) abort() bool {
	if a.missing == 0 {
		return false
	}
	a.missing, a.bad = 0, false
	a.dropped++
	return true
}
