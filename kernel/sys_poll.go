package kernel

import (
	"encoding/binary"
	"math/bits"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// poll, ppoll and pselect6 on any descriptor. They take each
// descriptor's readiness from the function epoll uses (readiness in
// sys_epoll.go). A call that finds nothing ready and may wait parks the
// thread (waitPoll) with RAX still the call's number, so that the waker
// knows which call it is; whenever a descriptor's state rises
// (kindEvent) every parked caller looks at its descriptors again, in
// the caller's own arrays, and a deadline that passes ends the wait with
// 0. The signal mask argument of ppoll and pselect6 is checked and
// otherwise ignored, as epoll_pwait ignores it: signals do not interrupt
// the wait. ppoll and pselect6 write back the time left, as Linux's
// system calls do (the C library hides it).

// pollfdSize is sizeof(struct pollfd): int fd, short events, short
// revents.
const pollfdSize = 8

// Linux's select sets (fs/select.c POLLIN_SET, POLLOUT_SET, POLLEX_SET):
// what makes a descriptor count as readable, writable or exceptional.
const (
	selectIn  = linux.POLLIN | linux.POLLRDNORM | linux.POLLHUP | linux.POLLERR
	selectOut = linux.POLLOUT | linux.POLLWRNORM | linux.POLLERR
	selectEx  = linux.POLLPRI
)

// pollReadiness is d's readiness as poll reports it: readiness, with
// POLLRDNORM and POLLWRNORM beside POLLIN and POLLOUT for the kinds
// whose Linux poll reports them (sockets, regular files, terminals).
func pollReadiness(d *openFile) uint32 {
	r := readiness(d)
	switch d.Kind {
	case fdSocket, fdFile, fdConsole, fdShare, fdUnix, fdNetlink:
		if r&linux.POLLIN != 0 {
			r |= linux.POLLRDNORM
		}
		if r&linux.POLLOUT != 0 {
			r |= linux.POLLWRNORM
		}
	}
	return r
}

// poll(fds, nfds, timeout)
func sysPoll(t *Thread, f *amd64.TrapFrame) uint64 {
	timeout := int64(int32(f.RDX)) // milliseconds; negative waits forever
	deadline := int64(0)
	if timeout > 0 {
		deadline = nanotime() + timeout*1e6
	}
	return startPoll(t, f, f.RDI, f.RSI, timeout == 0, deadline)
}

// ppoll(fds, nfds, tmo_p, sigmask, sigsetsize)
func sysPpoll(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.R10 != 0 && f.R8 != 8 {
		return linux.EINVAL.Ret()
	}
	now, deadline, e := pollDeadline(f.RDX)
	if e != 0 {
		return e.Ret()
	}
	return startPoll(t, f, f.RDI, f.RSI, now, deadline)
}

// pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask), where
// sigmask points at {const sigset_t *ss; size_t ss_len}.
func sysPselect6(t *Thread, f *amd64.TrapFrame) uint64 {
	if int32(f.RDI) < 0 {
		return linux.EINVAL.Ret()
	}
	if f.R9 != 0 {
		b, ok := userBytes(f.R9, 16, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		if binary.LittleEndian.Uint64(b) != 0 && binary.LittleEndian.Uint64(b[8:]) != 8 {
			return linux.EINVAL.Ret()
		}
	}
	now, deadline, e := pollDeadline(f.R8)
	if e != 0 {
		return e.Ret()
	}
	n, e := selectScan(&t.Frame)
	if e != 0 || n > 0 {
		return pollDone(f.R8, deadline, n, e)
	}
	if now {
		selectClear(f)
		return pollDone(f.R8, deadline, 0, 0)
	}
	block(t, waitPoll, deadline)
	return f.RAX
}

// pollDeadline reads the timeout at addr (a struct timespec; 0: none):
// whether the call must not wait (a zero timeout) and its deadline (0:
// forever).
func pollDeadline(addr uint64) (now bool, deadline int64, e linux.Errno) {
	if addr == 0 {
		return false, 0, 0
	}
	if _, ok := userBytes(addr, 16, false); !ok {
		return false, 0, linux.EFAULT
	}
	ns, ok := readTimespec(addr)
	if !ok {
		return false, 0, linux.EINVAL
	}
	if ns == 0 {
		return true, 0, 0
	}
	return false, nanotime() + ns, 0
}

// startPoll is poll and ppoll: it answers now if something is ready (or
// the call must not wait), else parks t.
func startPoll(t *Thread, f *amd64.TrapFrame, addr, nfds uint64, now bool, deadline int64) uint64 {
	if nfds > uint64(fdt.Limit()) {
		return linux.EINVAL.Ret()
	}
	n, e := pollScan(addr, nfds)
	tmo := uint64(0)
	if f.RAX == linux.SYS_PPOLL {
		tmo = f.RDX
	}
	if e != 0 || n > 0 || now {
		return pollDone(tmo, deadline, n, e)
	}
	block(t, waitPoll, deadline)
	return f.RAX
}

// pollDone is the result of a poll, ppoll or pselect6 that found n
// ready descriptors (or failed with e), writing the time left before
// deadline to the timespec at tmo (if not 0 and there is a deadline).
func pollDone(tmo uint64, deadline int64, n int, e linux.Errno) uint64 {
	if tmo != 0 && deadline != 0 && e != linux.EFAULT {
		writeTimespec(tmo, max(deadline-nanotime(), 0))
	}
	if e != 0 {
		return e.Ret()
	}
	return uint64(n)
}

// pollScan fills in revents of the nfds struct pollfd at addr and
// returns how many are not zero: POLLNVAL for a descriptor that is not
// open, none for a negative one.
func pollScan(addr, nfds uint64) (int, linux.Errno) {
	b, ok := userBytes(addr, nfds*pollfdSize, true)
	if !ok {
		return 0, linux.EFAULT
	}
	n := 0
	for i := uint64(0); i < nfds; i++ {
		p := b[i*pollfdSize:]
		fd := int32(binary.LittleEndian.Uint32(p))
		var rev uint32
		if fd >= 0 {
			if d := lookupFD(uint64(fd)); d == nil {
				rev = linux.POLLNVAL
			} else {
				events := uint32(binary.LittleEndian.Uint16(p[4:]))
				rev = pollReadiness(d) & (events | linux.POLLERR | linux.POLLHUP)
			}
		}
		binary.LittleEndian.PutUint16(p[6:], uint16(rev))
		if rev != 0 {
			n++
		}
	}
	return n, 0
}

// selectScan is pselect6's look at its descriptors, whose arguments are
// in f: EBADF if a set names a descriptor that is not open; else the
// number of bits set in the result sets, which replace the sets if it
// is not 0 (a wait that times out clears them: selectClear).
func selectScan(f *amd64.TrapFrame) (int, linux.Errno) {
	nfds := min(uint64(uint32(f.RDI)), maxFDs)
	words := (nfds + 63) / 64
	var sets [3][]byte
	for k, addr := range [3]uint64{f.RSI, f.RDX, f.R10} {
		if addr == 0 {
			continue
		}
		b, ok := userBytes(addr, words*8, true)
		if !ok {
			return 0, linux.EFAULT
		}
		sets[k] = b
	}
	// Two passes: count (and check every descriptor), then write the
	// results only if something is ready, so that a waiting call keeps
	// its sets to look at again.
	n := 0
	for pass := 0; pass < 2; pass++ {
		for w := uint64(0); w < words; w++ {
			var in [3]uint64
			for k := range sets {
				if sets[k] != nil {
					in[k] = binary.LittleEndian.Uint64(sets[k][w*8:])
				}
			}
			if w == words-1 && nfds%64 != 0 {
				for k := range in {
					in[k] &= 1<<(nfds%64) - 1
				}
			}
			out, e := selectWord(w, in)
			if e != 0 {
				return 0, e
			}
			if pass == 0 {
				n += bits.OnesCount64(out[0]) + bits.OnesCount64(out[1]) + bits.OnesCount64(out[2])
				continue
			}
			for k := range sets {
				if sets[k] != nil {
					binary.LittleEndian.PutUint64(sets[k][w*8:], out[k])
				}
			}
		}
		if n == 0 {
			break
		}
	}
	return n, 0
}

// selectWord is the result, for descriptors 64w to 64w+63, of the
// read, write and exception sets in.
func selectWord(w uint64, in [3]uint64) (out [3]uint64, e linux.Errno) {
	all := in[0] | in[1] | in[2]
	for all != 0 {
		i := uint64(bits.TrailingZeros64(all))
		all &^= 1 << i
		d := lookupFD(w*64 + i)
		if d == nil {
			return out, linux.EBADF
		}
		r := pollReadiness(d)
		for k, want := range [3]uint32{selectIn, selectOut, selectEx} {
			if in[k]&(1<<i) != 0 && r&want != 0 {
				out[k] |= 1 << i
			}
		}
	}
	return out, 0
}

// selectClear empties pselect6's sets, for a wait that timed out.
func selectClear(f *amd64.TrapFrame) {
	words := (min(uint64(uint32(f.RDI)), maxFDs) + 63) / 64
	for _, addr := range [3]uint64{f.RSI, f.RDX, f.R10} {
		if b, ok := userBytes(addr, words*8, true); ok && addr != 0 {
			clear(b)
		}
	}
}

// pollWaitScan looks again at the descriptors of t's parked poll, ppoll
// or pselect6.
func pollWaitScan(t *Thread) (int, linux.Errno) {
	f := &t.Frame
	if f.RAX == linux.SYS_PSELECT6 {
		return selectScan(f)
	}
	return pollScan(f.RDI, f.RSI)
}

// pollTimeout is where a parked call keeps its timespec, or 0.
func pollTimeout(f *amd64.TrapFrame) uint64 {
	switch f.RAX {
	case linux.SYS_PPOLL:
		return f.RDX
	case linux.SYS_PSELECT6:
		return f.R8
	}
	return 0
}

// wakePollWaiters completes the parked polls that now have something
// ready (or fail).
func wakePollWaiters() {
	for i := range liveSlots() {
		t := &threads[i]
		if t.state != threadBlocked || t.wait != waitPoll {
			continue
		}
		if n, e := pollWaitScan(t); n > 0 || e != 0 {
			wake(t, pollDone(pollTimeout(&t.Frame), t.deadline, n, e))
		}
	}
}

// pollTimedOut ends a parked poll whose deadline passed: nothing is
// ready, no time is left, and pselect6's sets are cleared.
func pollTimedOut(t *Thread) {
	if t.Frame.RAX == linux.SYS_PSELECT6 {
		selectClear(&t.Frame)
	}
	if tmo := pollTimeout(&t.Frame); tmo != 0 {
		writeTimespec(tmo, 0)
	}
	wake(t, 0)
}
