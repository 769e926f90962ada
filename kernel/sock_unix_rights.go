package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/fdtable"
	"github.com/coracle-os/coracle/kernel/filelock"
	"github.com/coracle-os/coracle/kernel/unixsock"
)

// SCM_RIGHTS: descriptors passed in sendmsg's control data on AF_UNIX
// sockets. The sender's descriptions are held (fdtable.Hold: they stay
// open whatever the sender closes) in a batch that names the receiving
// socket and the ring position its data starts at; the receiver's
// recvmsg that reads from that position installs them as new
// descriptors (MSG_CMSG_CLOEXEC: close-on-exec) and writes the
// SCM_RIGHTS message, cut short with MSG_CTRUNC when msg_control is too
// small. Data read or dropped any other way (read, a peek does not take
// them, a closed socket) releases the batch, as closing would. A stream
// read that reaches a batch's data takes the descriptors and stops at
// the end of the write they came with, as Linux stops after the buffer
// that carried them. Descriptors in flight in a socket that
// is itself in flight in its own ring are never released: the kernel
// has no collector for such cycles.

// maxRightsBatches is how many messages with descriptors may be in
// flight at once (ETOOMANYREFS beyond, as past fdtable.MaxHeld holds).
const maxRightsBatches = 64

// A rightsBatch is one message's descriptions in flight.
type rightsBatch struct {
	used  bool
	owner unixsock.ID // the receiving socket
	pos   uint64      // where the data they travel with starts in owner's ring
	len   uint64      // and its length (a stream write's; 0 for a message)
	n     int16
	files [linux.SCM_MAX_FD]int16 // held descriptions (fdtable indices)
}

// unixParseControl reads sendmsg's control data at (addr, n): the
// descriptors of SCM_RIGHTS messages go to unixSendFDs (each must be
// open: EBADF), SCM_CREDENTIALS is checked for size and otherwise
// ignored, other SOL_SOCKET messages answer EINVAL and other levels are
// skipped, as Linux's __scm_send and unix sockets do.
func unixParseControl(addr, n uint64) linux.Errno {
	unixSendN = 0
	if n < 16 {
		return 0 // not even one header: no control message
	}
	b, ok := userBytes(addr, n, false)
	if !ok {
		return linux.EFAULT
	}
	for off := uint64(0); off+16 <= n; {
		l := binary.LittleEndian.Uint64(b[off:])
		level := binary.LittleEndian.Uint32(b[off+8:])
		typ := binary.LittleEndian.Uint32(b[off+12:])
		if l < 16 || l > n-off {
			return linux.EINVAL
		}
		if level == linux.SOL_SOCKET {
			switch typ {
			case linux.SCM_RIGHTS:
				k := int((l - 16) / 4)
				if unixSendN+k > linux.SCM_MAX_FD {
					return linux.EINVAL
				}
				for j := range k {
					fd := binary.LittleEndian.Uint32(b[off+16+4*uint64(j):])
					if lookupFD(uint64(fd)) == nil {
						return linux.EBADF
					}
					unixSendFDs[unixSendN] = int32(fd)
					unixSendN++
				}
			case linux.SCM_CREDENTIALS:
				if l != 16+12 {
					return linux.EINVAL
				}
			default:
				return linux.EINVAL
			}
		}
		off += (l + 7) &^ 7
	}
	return 0
}

// unixAttachRights holds the descriptions of unixSendFDs for data about
// to be put at position pos of socket owner's ring and returns the
// batch (-1 if there are none): ETOOMANYREFS when too many are in
// flight (nothing is held then).
func unixAttachRights(owner unixsock.ID, pos uint64) (int, linux.Errno) {
	if unixSendN == 0 {
		return -1, 0
	}
	slot := -1
	for i := range unixRights {
		if !unixRights[i].used {
			slot = i
			break
		}
	}
	if slot < 0 {
		return -1, linux.ETOOMANYREFS
	}
	b := &unixRights[slot]
	for j := range unixSendN {
		i, e := fdt.Hold(uint64(unixSendFDs[j]))
		if e != 0 {
			for _, h := range b.files[:j] {
				unixDropHeld(int(h))
			}
			return -1, e
		}
		b.files[j] = int16(i)
	}
	b.used, b.owner, b.pos, b.len, b.n = true, owner, pos, 0, int16(unixSendN)
	unixSendN = 0
	return slot, 0
}

// unixRightsAt is the batch travelling with the data at position pos of
// socket id's ring, or -1.
func unixRightsAt(id unixsock.ID, pos uint64) int {
	for i := range unixRights {
		if b := &unixRights[i]; b.used && b.owner == id && b.pos == pos {
			return i
		}
	}
	return -1
}

// unixNextRights is socket id's first batch at or after position pos,
// or -1.
func unixNextRights(id unixsock.ID, pos uint64) int {
	next := -1
	for i := range unixRights {
		if b := &unixRights[i]; b.used && b.owner == id && b.pos >= pos && (next < 0 || b.pos < unixRights[next].pos) {
			next = i
		}
	}
	return next
}

// unixDeliverRights installs batch i's descriptions as descriptors and
// writes its SCM_RIGHTS message to m's control buffer, as much as fits;
// those that do not fit, or find no free descriptor, are released. It
// returns the control bytes used and whether the message was cut short.
func unixDeliverRights(i int, m *msghdr, cloexec bool) (used uint64, ctrunc bool) {
	b := &unixRights[i]
	b.used = false
	room := 0
	if m.controllen >= 16 {
		room = int((m.controllen - 16) / 4)
	}
	out, ok := userBytes(m.control, min(m.controllen, 16+4*uint64(b.n)), true)
	if !ok {
		room = 0
	}
	k := 0
	for j, h := range b.files[:b.n] {
		if j < room {
			if fd, e := fdt.Install(int(h), cloexec); e == 0 {
				binary.LittleEndian.PutUint32(out[16+4*j:], uint32(fd))
				k++
				continue
			}
			room = j // no descriptor free: the rest are released
		}
		unixDropHeld(int(h))
	}
	if k > 0 {
		binary.LittleEndian.PutUint64(out, 16+4*uint64(k))
		binary.LittleEndian.PutUint32(out[8:], linux.SOL_SOCKET)
		binary.LittleEndian.PutUint32(out[12:], linux.SCM_RIGHTS)
		used = min((16+4*uint64(k)+7)&^7, m.controllen)
	}
	return used, k < int(b.n)
}

// unixRightsGC releases the batches of socket id whose data was taken
// without them (read, a short message, a purge).
func unixRightsGC(id unixsock.ID) {
	head := unixSocks.RecvHead(id)
	for i := range unixRights {
		if b := &unixRights[i]; b.used && b.owner == id && b.pos < head {
			unixReleaseBatch(i)
		}
	}
}

// unixRightsClose releases every batch of socket id, which closed.
func unixRightsClose(id unixsock.ID) {
	for i := range unixRights {
		if b := &unixRights[i]; b.used && b.owner == id {
			unixReleaseBatch(i)
		}
	}
}

func unixReleaseBatch(i int) {
	b := &unixRights[i]
	b.used = false
	for _, h := range b.files[:b.n] {
		unixDropHeld(int(h))
	}
}

// unixDropHeld gives up a hold on description h; the last reference
// releases it as closing its last descriptor would (its OFD and flock
// locks go; the process's POSIX locks, which only a close drops, stay).
func unixDropHeld(h int) {
	closed := fdt.Drop(h)
	if closed.Kind == fdtable.None {
		return
	}
	owner := filelock.Owner(h)
	if dropped := recordLocks.DropOwner(owner); flockLocks.DropOwner(owner) || dropped {
		wakeLockWaiters()
	}
	releaseFile(&closed)
}
