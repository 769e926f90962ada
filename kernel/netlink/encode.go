package netlink

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

var le = binary.LittleEndian

// align rounds n up to netlink's 4-byte alignment (NLMSG_ALIGN, RTA_ALIGN).
func align(n int) int { return (n + 3) &^ 3 }

// Header is struct nlmsghdr.
type Header struct {
	Len   uint32
	Type  uint16
	Flags uint16
	Seq   uint32
	Pid   uint32
}

func (h *Header) put(b []byte) {
	le.PutUint32(b[0:], h.Len)
	le.PutUint16(b[4:], h.Type)
	le.PutUint16(b[6:], h.Flags)
	le.PutUint32(b[8:], h.Seq)
	le.PutUint32(b[12:], h.Pid)
}

func parseHeader(b []byte) Header {
	return Header{Len: le.Uint32(b[0:]), Type: le.Uint16(b[4:]), Flags: le.Uint16(b[6:]), Seq: le.Uint32(b[8:]), Pid: le.Uint32(b[12:])}
}

// msgWriter builds one message at the end of a datagram.
type msgWriter struct {
	b     []byte // the datagram's buffer
	start int    // where the message begins
	n     int    // where the next byte goes
	short bool   // it did not fit
}

func (w *msgWriter) room(n int) []byte {
	if w.short || w.n+n > len(w.b) {
		w.short = true
		return nil
	}
	p := w.b[w.n : w.n+n]
	clear(p)
	w.n += n
	return p
}

// attr appends an rtattr of type typ with payload v, padded.
func (w *msgWriter) attr(typ uint16, v []byte) {
	p := w.room(align(linux.SizeofRtattr + len(v)))
	if p == nil {
		return
	}
	le.PutUint16(p[0:], uint16(linux.SizeofRtattr+len(v)))
	le.PutUint16(p[2:], typ)
	copy(p[linux.SizeofRtattr:], v)
}

func (w *msgWriter) attrU32(typ uint16, v uint32) {
	var b [4]byte
	le.PutUint32(b[:], v)
	w.attr(typ, b[:])
}

// finish writes the header of the message begun at w.start and reports
// the datagram's new length, or false if the message did not fit.
func (w *msgWriter) finish(h Header) (int, bool) {
	if w.short {
		return w.start, false
	}
	h.Len = uint32(w.n - w.start)
	h.put(w.b[w.start:])
	return w.n, true
}

// putLink encodes RTM_NEWLINK for f at b[at:] and returns the new end,
// or false if it does not fit.
func putLink(b []byte, at int, f *iftab.Interface, seq, port uint32) (int, bool) {
	w := msgWriter{b: b, start: at, n: at}
	w.room(linux.SizeofNlmsghdr)
	if m := w.room(linux.SizeofIfinfomsg); m != nil {
		m[0] = linux.AF_UNSPEC
		le.PutUint16(m[2:], f.Type)
		le.PutUint32(m[4:], f.Index)
		le.PutUint32(m[8:], f.Flags)
	}
	var name [iftab.NameSize]byte
	n := copy(name[:], f.Name[:f.NameLen()])
	w.attr(linux.IFLA_IFNAME, name[:n+1])
	w.attrU32(linux.IFLA_TXQLEN, txQueueLen(f))
	w.attr(linux.IFLA_OPERSTATE, []byte{operState(f)})
	w.attrU32(linux.IFLA_MTU, f.MTU)
	if f.HWLen > 0 {
		w.attr(linux.IFLA_ADDRESS, f.HWAddr[:f.HWLen])
		var bcast [iftab.HWAddrSize]byte
		if f.Flags&linux.IFF_BROADCAST != 0 {
			for i := range bcast {
				bcast[i] = 0xff
			}
		}
		w.attr(linux.IFLA_BROADCAST, bcast[:f.HWLen])
	}
	return w.finish(Header{Type: linux.RTM_NEWLINK, Flags: linux.NLM_F_MULTI, Seq: seq, Pid: port})
}

// txQueueLen is IFLA_TXQLEN: Linux's default for Ethernet devices, and
// for loopback since 5.x as well.
func txQueueLen(f *iftab.Interface) uint32 { return 1000 }

// operState is IFLA_OPERSTATE as Linux reports it: loopback has no
// carrier to speak of (unknown), a NIC is up when it runs.
func operState(f *iftab.Interface) byte {
	switch {
	case f.Flags&linux.IFF_LOOPBACK != 0:
		return linux.IF_OPER_UNKNOWN
	case f.Flags&linux.IFF_RUNNING != 0:
		return linux.IF_OPER_UP
	}
	return linux.IF_OPER_DOWN
}

// putAddr encodes RTM_NEWADDR for address a of f at b[at:], with the
// attributes in Linux's order: IPv4 has IFA_ADDRESS, IFA_LOCAL, a
// broadcast address on broadcast interfaces, IFA_LABEL and IFA_FLAGS;
// IPv6 has IFA_ADDRESS and IFA_FLAGS.
func putAddr(b []byte, at int, f *iftab.Interface, a *iftab.Addr, seq, port uint32) (int, bool) {
	w := msgWriter{b: b, start: at, n: at}
	w.room(linux.SizeofNlmsghdr)
	if m := w.room(linux.SizeofIfaddrmsg); m != nil {
		m[0], m[1], m[2], m[3] = a.Family, a.PrefixLen, a.Flags, a.Scope
		le.PutUint32(m[4:], f.Index)
	}
	ip := a.IP[:a.IPLen()]
	w.attr(linux.IFA_ADDRESS, ip)
	if a.Family == linux.AF_INET {
		w.attr(linux.IFA_LOCAL, ip)
		if f.Flags&linux.IFF_BROADCAST != 0 && a.PrefixLen < 31 {
			var bc [4]byte
			for i := range bc {
				host := byte(0xff)
				if bits := int(a.PrefixLen) - 8*i; bits >= 8 {
					host = 0
				} else if bits > 0 {
					host = 0xff >> bits
				}
				bc[i] = ip[i] | host
			}
			w.attr(linux.IFA_BROADCAST, bc[:])
		}
		var name [iftab.NameSize]byte
		n := copy(name[:], f.Name[:f.NameLen()])
		w.attr(linux.IFA_LABEL, name[:n+1])
	}
	w.attrU32(linux.IFA_FLAGS, uint32(a.Flags))
	return w.finish(Header{Type: linux.RTM_NEWADDR, Flags: linux.NLM_F_MULTI, Seq: seq, Pid: port})
}

// putDone encodes NLMSG_DONE, the end of a dump, whose payload is the
// dump's result (0).
func putDone(b []byte, seq, port uint32) int {
	w := msgWriter{b: b}
	w.room(linux.SizeofNlmsghdr)
	w.room(4)
	n, _ := w.finish(Header{Type: linux.NLMSG_DONE, Flags: linux.NLM_F_MULTI, Seq: seq, Pid: port})
	return n
}

// putError encodes NLMSG_ERROR for request req: errno e (0 is an
// acknowledgement) and the request's header, without its payload.
func putError(b []byte, req *Header, e linux.Errno, port uint32) int {
	w := msgWriter{b: b}
	w.room(linux.SizeofNlmsghdr)
	if p := w.room(linux.SizeofNlmsgerr); p != nil {
		le.PutUint32(p, uint32(-int32(e)))
		req.put(p[4:])
	}
	n, _ := w.finish(Header{Type: linux.NLMSG_ERROR, Flags: linux.NLM_F_CAPPED, Seq: req.Seq, Pid: port})
	return n
}
