package netlink

import (
	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// A dump walks items: links in index order, or addresses as Linux's
// all-families dump lists them (every IPv4 address of every interface,
// then every IPv6 one), filtered by family.

// addrAt returns the i'th address of the dump for family (AF_INET,
// AF_INET6, or anything else for both), or nil past the end.
func addrAt(t *iftab.Table, family uint8, i int) (*iftab.Interface, *iftab.Addr) {
	for _, fam := range [2]uint8{linux.AF_INET, linux.AF_INET6} {
		if (family == linux.AF_INET || family == linux.AF_INET6) && family != fam {
			continue
		}
		for k := range t.N {
			f := &t.Interfaces[k]
			for j := range f.NAddrs {
				if a := &f.Addrs[j]; a.Family == fam {
					if i == 0 {
						return f, a
					}
					i--
				}
			}
		}
	}
	return nil, nil
}

// fillDump encodes the items of dump r from item r.next on into b, as
// many whole messages as fit, and returns the length and the item after
// the last one encoded. With no item left it encodes NLMSG_DONE, alone
// in its datagram as Linux sends it for these dumps, and returns next
// -1. An item too large for b on its own is skipped (never the case:
// an item takes a few hundred bytes).
func fillDump(b []byte, r *reply, t *iftab.Table, port uint32) (n, next int) {
	next = r.next
	for {
		var end int
		var ok bool
		switch r.req.Type {
		case linux.RTM_GETLINK:
			if next >= int(t.N) {
				return doneOr(b, n, next, r, port)
			}
			end, ok = putLink(b, n, &t.Interfaces[next], r.req.Seq, port)
		default: // RTM_GETADDR
			f, a := addrAt(t, r.family, next)
			if f == nil {
				return doneOr(b, n, next, r, port)
			}
			end, ok = putAddr(b, n, f, a, r.req.Seq, port)
		}
		if !ok {
			if n == 0 {
				next++ // too large even alone: leave it out
				continue
			}
			return n, next
		}
		n = end
		next++
	}
}

// doneOr ends a datagram at the end of the items: the items gathered so
// far, or, if none, NLMSG_DONE.
func doneOr(b []byte, n, next int, r *reply, port uint32) (int, int) {
	if n > 0 {
		return n, next
	}
	return putDone(b, r.req.Seq, port), -1
}
