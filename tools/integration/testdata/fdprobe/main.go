// Fdprobe exercises the descriptor calls through golang.org/x/sys/unix:
// dup, dup2, dup3, fcntl, close_range, ioctl, poll, ppoll, pselect6 and
// RLIMIT_NOFILE, on a regular file (/etc/hosts), eventfds and loopback
// sockets. Each line it prints is "fdprobe: what: result" and does not
// depend on descriptor numbers the runtime took, so that the same
// program run natively on Linux prints the same lines, but for those
// marked "(system)", which describe the system it runs on.
package main

import (
	"fmt"
	"net"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

var _ = net.IPv4len // package net brings in coracle's socket service, which publishes /etc/hosts

func main() {
	dupCalls()
	fcntlCalls()
	closeRange()
	ioctls()
	terminal()
	pollEventfd()
	pollSockets()
	selects()
	badDescriptors()
	limits()
	fmt.Println("fdprobe: done")
}

// The generic ioctls (asm-generic/ioctls.h), which x/sys/unix does not
// name.
const (
	fionclex = 0x5450
	fioclex  = 0x5451
	fionbio  = 0x5421
	fionread = 0x541B
)

func say(what string, v any) { fmt.Printf("fdprobe: %s: %v\n", what, v) }

// errno is err as its name, or "ok".
func errno(err error) string {
	if err == nil {
		return "ok"
	}
	if e, ok := err.(unix.Errno); ok {
		return unix.ErrnoName(e)
	}
	return err.Error()
}

func must(v int, err error) int {
	if err != nil {
		fmt.Printf("fdprobe: FAIL: %v\n", err)
		os.Exit(1)
	}
	return v
}

func openHosts() int { return must(unix.Open("/etc/hosts", unix.O_RDONLY|unix.O_CLOEXEC, 0)) }

func cloexec(fd int) int { return must(unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)) }

func offset(fd int) int64 {
	off, err := unix.Seek(fd, 0, unix.SEEK_CUR)
	must(0, err)
	return off
}

func dupCalls() {
	fd := openHosts()
	d := must(unix.Dup(fd))
	say("dup: original cloexec, copy cloexec", fmt.Sprint(cloexec(fd), cloexec(d)))
	buf := make([]byte, 10)
	must(unix.Read(fd, buf))
	say("dup: offset after reading 10 through the original, seen through the copy", offset(d))
	seek(d, 3)
	say("dup: offset after seeking the copy to 3, seen through the original", offset(fd))
	unix.Close(fd)
	n, err := unix.Read(d, buf)
	say("dup: read through the copy after closing the original", fmt.Sprint(n, " ", errno(err)))
	say("dup: offset of the copy", offset(d))
	_, err = unix.Read(fd, buf)
	say("dup: read through the closed original", errno(err))

	// dup2 and dup3 to numbers the runtime leaves alone.
	r, _, e := unix.Syscall(unix.SYS_DUP2, uintptr(d), uintptr(d), 0)
	say("dup2 of a descriptor to itself", fmt.Sprint(int(r) == d, " ", errno(errOf(e))))
	// x/sys/unix's Dup2 is dup3 on amd64, which refuses equal
	// descriptors: the raw call.
	_, _, e = unix.Syscall(unix.SYS_DUP2, 200, 200, 0)
	say("dup2 of a closed descriptor to itself", errno(errOf(e)))
	r, _, e = unix.Syscall(unix.SYS_DUP2, uintptr(d), 102, 0)
	say("dup2 to 102", fmt.Sprint(r, " ", errno(errOf(e)), " cloexec ", cloexec(102), " offset ", offset(102)))
	unix.Close(102)
	err = unix.Dup3(d, d, 0)
	say("dup3 of a descriptor to itself", errno(err))
	err = unix.Dup3(d, 100, unix.O_CLOEXEC)
	say("dup3 O_CLOEXEC to 100", fmt.Sprint(errno(err), " cloexec ", cloexec(100), " offset ", offset(100)))
	err = unix.Dup3(d, 101, 0x40)
	say("dup3 with an unknown flag", errno(err))
	err = unix.Dup2(200, 101)
	say("dup2 of a closed descriptor", errno(err))

	// dup2 over an open eventfd closes it; the number then names the file.
	efd := must(unix.Eventfd(0, unix.EFD_CLOEXEC))
	err = unix.Dup2(d, efd)
	say("dup2 over an eventfd", errno(err))
	_, err = unix.Seek(efd, 0, unix.SEEK_CUR)
	say("lseek through the replaced number", errno(err))
	_, err = unix.Write(efd, make([]byte, 8))
	say("eventfd write through the replaced number", errno(err))
	unix.Close(efd)
	unix.Close(d)
	unix.Close(100)
}

func fcntlCalls() {
	fd := openHosts()
	d := must(unix.FcntlInt(uintptr(fd), unix.F_DUPFD, 110))
	say("F_DUPFD from 110", fmt.Sprint(d, " cloexec ", cloexec(d)))
	d2 := must(unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 110))
	say("F_DUPFD_CLOEXEC from 110", fmt.Sprint(d2, " cloexec ", cloexec(d2)))
	say("F_GETFL of a regular file", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(fd), unix.F_SETFL, unix.O_NONBLOCK|unix.O_WRONLY|unix.O_CREAT))
	say("F_SETFL O_NONBLOCK|O_WRONLY|O_CREAT, F_GETFL through the dup", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(d), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(d2), unix.F_SETFL, unix.O_APPEND))
	say("F_SETFL O_APPEND, F_GETFL through the original", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(d), unix.F_SETFD, 0))
	must(unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC))
	say("F_SETFD: cloexec of the original and the dup", fmt.Sprint(cloexec(fd), cloexec(d)))
	_, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD, 1<<20)
	say("F_DUPFD from above RLIMIT_NOFILE", errno(err))
	_, err = unix.FcntlInt(uintptr(fd), 9999, 0)
	say("fcntl with an unknown command", errno(err))

	e := must(unix.Eventfd(0, 0))
	ed := must(unix.Dup(e))
	say("F_GETFL of an eventfd", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(e), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(ed), unix.F_SETFL, unix.O_NONBLOCK))
	_, err = unix.Read(e, make([]byte, 8))
	say("read of an empty eventfd made non-blocking through its dup", errno(err))
	for _, x := range []int{fd, d, d2, e, ed} {
		unix.Close(x)
	}
}

func closeRange() {
	fd := openHosts()
	for _, n := range []int{120, 121, 125} {
		must(0, unix.Dup3(fd, n, 0))
	}
	unix.Close(fd)
	err := unix.CloseRange(120, 124, unix.CLOSE_RANGE_CLOEXEC)
	say("close_range CLOSE_RANGE_CLOEXEC 120-124", fmt.Sprint(errno(err), " cloexec ", cloexec(120), cloexec(121), cloexec(125)))
	err = unix.CloseRange(120, 124, 0)
	_, e120 := unix.FcntlInt(120, unix.F_GETFD, 0)
	_, e121 := unix.FcntlInt(121, unix.F_GETFD, 0)
	say("close_range 120-124", fmt.Sprint(errno(err), " 120 ", errno(e120), " 121 ", errno(e121), " offset of 125 ", offset(125)))
	say("close_range last below first", errno(unix.CloseRange(125, 124, 0)))
	say("close_range with an unknown flag", errno(unix.CloseRange(125, 125, 1<<7)))
	// Not CLOSE_RANGE_UNSHARE: on Linux it gives the calling thread a
	// descriptor table of its own, which the runtime's other threads
	// would no longer see.
	say("close_range 125-max", errno(unix.CloseRange(125, ^uint(0)>>32, 0)))
	_, err = unix.FcntlInt(125, unix.F_GETFD, 0)
	say("125 after close_range to the end", errno(err))
}

func ioctls() {
	fd := openHosts()
	d := must(unix.Dup(fd))
	say("FIONCLEX", fmt.Sprint(errno(unix.IoctlSetInt(fd, fionclex, 0)), " cloexec ", cloexec(fd)))
	say("FIOCLEX", fmt.Sprint(errno(unix.IoctlSetInt(d, fioclex, 0)), " cloexec ", cloexec(d), " of the other ", cloexec(fd)))
	err := unix.IoctlSetPointerInt(fd, fionbio, 1)
	say("FIONBIO 1, F_GETFL O_NONBLOCK through the dup", fmt.Sprint(errno(err), " ", must(unix.FcntlInt(uintptr(d), unix.F_GETFL, 0))&unix.O_NONBLOCK != 0))
	err = unix.IoctlSetPointerInt(d, fionbio, 0)
	say("FIONBIO 0, F_GETFL O_NONBLOCK", fmt.Sprint(errno(err), " ", must(unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0))&unix.O_NONBLOCK != 0))

	var st unix.Stat_t
	must(0, unix.Fstat(fd, &st))
	seek(fd, 7)
	n, err := unix.IoctlGetInt(d, fionread)
	say("FIONREAD of a file at offset 7 is its size less 7", fmt.Sprint(errno(err), " ", int64(n) == st.Size-7))
	seek(fd, st.Size+5)
	n, err = unix.IoctlGetInt(d, fionread)
	say("FIONREAD past the end", fmt.Sprint(errno(err), " ", n))

	e := must(unix.Eventfd(3, 0))
	_, err = unix.IoctlGetInt(e, fionread)
	say("FIONREAD of an eventfd", errno(err))
	ep := must(unix.EpollCreate1(0))
	_, err = unix.IoctlGetInt(ep, fionread)
	say("FIONREAD of an epoll descriptor", errno(err))
	_, err = unix.IoctlGetInt(fd, 0x1234)
	say("an unknown ioctl on a file", errno(err))
	for _, x := range []int{fd, d, e, ep} {
		unix.Close(x)
	}
}

// terminal is what a program asks to know whether it talks to a
// terminal: TCGETS (golang.org/x/term.IsTerminal, isatty), and fstat.
func terminal() {
	fd := openHosts()
	e := must(unix.Eventfd(0, 0))
	s := must(unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	for _, c := range []struct {
		name string
		fd   int
	}{{"a file", fd}, {"an eventfd", e}, {"a socket", s}, {"stdin", 0}, {"stdout", 1}, {"stderr", 2}} {
		_, err := unix.IoctlGetTermios(c.fd, unix.TCGETS)
		say("TCGETS on "+c.name, errno(err))
	}
	fi, err := os.Stdout.Stat()
	if err != nil {
		say("os.Stdout.Stat", err)
	} else {
		say("os.Stdout.Stat mode (system)", fi.Mode().Type())
	}
	for _, x := range []int{fd, e, s} {
		unix.Close(x)
	}
}

func pollEventfd() {
	e := must(unix.Eventfd(0, unix.EFD_NONBLOCK))
	fds := []unix.PollFd{{Fd: int32(e), Events: unix.POLLIN | unix.POLLOUT}}
	n, err := poll(fds, 0)
	say("poll of an empty eventfd, no wait", fmt.Sprintf("%d %s %#x", n, errno(err), fds[0].Revents))
	fds[0].Events = unix.POLLIN
	start := time.Now()
	n, err = poll(fds, 100)
	say("poll of an empty eventfd for POLLIN, 100 ms", fmt.Sprintf("%d %s %#x waited %v", n, errno(err), fds[0].Revents, time.Since(start) >= 100*time.Millisecond))

	go func() {
		time.Sleep(200 * time.Millisecond)
		unix.Write(e, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}()
	start = time.Now()
	n, err = poll(fds, -1)
	say("poll without timeout until another thread writes the eventfd", fmt.Sprintf("%d %s %#x waited %v", n, errno(err), fds[0].Revents, time.Since(start) >= 150*time.Millisecond))

	d := must(unix.Dup(e))
	fds = []unix.PollFd{{Fd: int32(d), Events: unix.POLLIN}, {Fd: 200, Events: unix.POLLIN}, {Fd: -1, Events: unix.POLLIN}}
	n, err = poll(fds, 0)
	say("poll of the eventfd's dup, a closed descriptor and -1", fmt.Sprintf("%d %s %#x %#x %#x", n, errno(err), fds[0].Revents, fds[1].Revents, fds[2].Revents))

	must(unix.Read(e, make([]byte, 8)))
	fds = fds[:1]
	// x/sys/unix's Ppoll passes a sigsetsize of 0, which Linux refuses
	// with a mask; the raw call passes 8, sizeof(sigset_t) to the kernel.
	ts := unix.NsecToTimespec(int64(100 * time.Millisecond))
	var mask unix.Sigset_t
	start = time.Now()
	r, _, en := unix.Syscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 1, uintptr(unsafe.Pointer(&ts)), uintptr(unsafe.Pointer(&mask)), 8, 0)
	for en == unix.EINTR {
		r, _, en = unix.Syscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 1, uintptr(unsafe.Pointer(&ts)), uintptr(unsafe.Pointer(&mask)), 8, 0)
	}
	say("ppoll of an empty eventfd, 100 ms, with a signal mask", fmt.Sprintf("%d %s waited %v time left %v", r, errno(errOf(en)), time.Since(start) >= 100*time.Millisecond, ts.Nano()))
	ts = unix.NsecToTimespec(int64(100 * time.Millisecond))
	start = time.Now()
	n, err = ppoll(fds, &ts, &unix.Sigset_t{})
	say("ppoll with a signal mask through x/sys/unix (sigsetsize 0)", fmt.Sprintf("%d %s waited %v time left %v", n, errno(err), time.Since(start) >= 100*time.Millisecond, ts.Nano()))
	go func() {
		time.Sleep(200 * time.Millisecond)
		unix.Write(e, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}()
	ts = unix.NsecToTimespec(int64(30 * time.Second))
	n, err = ppoll(fds, &ts, nil)
	say("ppoll until another thread writes the eventfd", fmt.Sprintf("%d %s %#x time left %v", n, errno(err), fds[0].Revents, ts.Nano() > int64(20*time.Second) && ts.Nano() < int64(30*time.Second)))
	ts = unix.Timespec{Sec: 0, Nsec: 2e9}
	_, err = ppoll(fds, &ts, nil)
	say("ppoll with tv_nsec out of range", errno(err))

	// epoll reports a write to the eventfd for a registered dup.
	ep := must(unix.EpollCreate1(0))
	must(0, unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, d, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: 77}))
	must(unix.Read(e, make([]byte, 8)))
	unix.Write(e, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	evs := make([]unix.EpollEvent, 4)
	n, err = unix.EpollWait(ep, evs, 1000)
	say("epoll of a dup, after a write through the original", fmt.Sprintf("%d %s data %d", n, errno(err), evs[0].Fd))
	for _, x := range []int{e, d, ep} {
		unix.Close(x)
	}
}

func pollSockets() {
	l := must(unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0))
	must(0, unix.Bind(l, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	must(0, unix.Listen(l, 4))
	sa, err := unix.Getsockname(l)
	must(0, err)
	_, err = unix.IoctlGetInt(l, fionread)
	say("FIONREAD of a listening socket", errno(err))
	fds := []unix.PollFd{{Fd: int32(l), Events: unix.POLLIN}}
	n, err := poll(fds, 0)
	say("poll of a listening socket with no connection", fmt.Sprintf("%d %s %#x", n, errno(err), fds[0].Revents))
	c := must(unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0))
	must(0, unix.Connect(c, sa))
	n, err = poll(fds, 10000)
	say("poll of a listening socket after a connect", fmt.Sprintf("%d %s %#x", n, errno(err), fds[0].Revents))
	a, _, err := unix.Accept(l)
	must(a, err)
	fds = []unix.PollFd{{Fd: int32(a), Events: unix.POLLIN | unix.POLLOUT}, {Fd: int32(c), Events: unix.POLLOUT}}
	n, err = poll(fds, 10000)
	say("poll of both ends of a new connection", fmt.Sprintf("%d %s %#x %#x", n, errno(err), fds[0].Revents, fds[1].Revents))
	n, err = unix.IoctlGetInt(a, fionread)
	say("FIONREAD of a connection with nothing sent", fmt.Sprint(errno(err), " ", n))
	must(unix.Write(c, []byte("hello")))
	fds = fds[:1]
	fds[0].Events = unix.POLLIN
	n, err = poll(fds, 10000)
	say("poll after the peer wrote", fmt.Sprintf("%d %s %#x", n, errno(err), fds[0].Revents))
	n, err = unix.IoctlGetInt(a, fionread)
	say("FIONREAD after the peer wrote 5 bytes", fmt.Sprint(errno(err), " ", n))

	// A dup of the connection shares it: closing the original keeps it.
	ad := must(unix.Dup(a))
	unix.Close(a)
	buf := make([]byte, 16)
	n, err = unix.Read(ad, buf)
	say("read through a dup after closing the original", fmt.Sprintf("%q %s", buf[:max(n, 0)], errno(err)))
	unix.Close(c)
	fds[0].Fd = int32(ad)
	fds[0].Events = unix.POLLIN | unix.POLLRDHUP
	n, err = poll(fds, 10000)
	say("poll after the peer closed", fmt.Sprintf("%d %s %#x", n, errno(err), fds[0].Revents))
	unix.Close(ad)
	unix.Close(l)

	u := must(unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0))
	must(0, unix.Bind(u, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	usa, err := unix.Getsockname(u)
	must(0, err)
	n, err = unix.IoctlGetInt(u, fionread)
	say("FIONREAD of an empty UDP socket", fmt.Sprint(errno(err), " ", n))
	s := must(unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0))
	must(0, unix.Sendto(s, []byte("seven!!"), 0, usa))
	must(0, unix.Sendto(s, []byte("abc"), 0, usa))
	fds = []unix.PollFd{{Fd: int32(u), Events: unix.POLLIN}}
	n, err = poll(fds, 10000)
	say("poll of a UDP socket with datagrams", fmt.Sprintf("%d %s %#x", n, errno(err), fds[0].Revents))
	n, err = unix.IoctlGetInt(u, fionread)
	say("FIONREAD of a UDP socket: the first datagram's length", fmt.Sprint(errno(err), " ", n))
	unix.Close(u)
	unix.Close(s)
}

func selects() {
	e := must(unix.Eventfd(0, unix.EFD_NONBLOCK))
	f := openHosts()
	var r, w unix.FdSet
	r.Set(e)
	w.Set(e)
	r.Set(f)
	n, err := pselect(max(e, f)+1, &r, &w, nil, &unix.Timespec{}, nil)
	say("pselect6 of an empty eventfd (read, write) and a file (read), no wait", fmt.Sprint(n, " ", errno(err), " ", r.IsSet(e), w.IsSet(e), r.IsSet(f)))
	r.Zero()
	r.Set(e)
	ts := unix.NsecToTimespec(int64(100 * time.Millisecond))
	start := time.Now()
	n, err = pselect(e+1, &r, nil, nil, &ts, nil)
	say("pselect6 of an empty eventfd for reading, 100 ms", fmt.Sprint(n, " ", errno(err), " ", r.IsSet(e), " waited ", time.Since(start) >= 100*time.Millisecond, " time left ", ts.Nano()))
	go func() {
		time.Sleep(200 * time.Millisecond)
		unix.Write(e, []byte{2, 0, 0, 0, 0, 0, 0, 0})
	}()
	r.Set(e)
	n, err = pselect(e+1, &r, nil, nil, nil, &unix.Sigset_t{})
	say("pselect6 without timeout until another thread writes", fmt.Sprint(n, " ", errno(err), " ", r.IsSet(e)))
	unix.Close(f)
	r.Zero()
	r.Set(f)
	_, err = pselect(f+1, &r, nil, nil, &unix.Timespec{}, nil)
	say("pselect6 of a closed descriptor", errno(err))
	_, err = pselect(-1, nil, nil, nil, &unix.Timespec{}, nil)
	say("pselect6 with nfds -1", errno(err))
	unix.Close(e)
}

func badDescriptors() {
	const bad = 300
	buf := make([]byte, 8)
	_, rerr := unix.Read(bad, buf)
	_, werr := unix.Write(bad, buf)
	var st unix.Stat_t
	results := []error{rerr, werr, unix.Close(bad), unix.Fstat(bad, &st)}
	_, err := unix.Dup(bad)
	results = append(results, err)
	_, err = unix.FcntlInt(bad, unix.F_GETFL, 0)
	results = append(results, err)
	_, err = unix.FcntlInt(bad, unix.F_DUPFD, 0)
	results = append(results, err)
	_, err = unix.IoctlGetInt(bad, fionread)
	results = append(results, err)
	_, err = unix.IoctlGetTermios(bad, unix.TCGETS)
	results = append(results, err, unix.Dup3(bad, 301, 0))
	_, err = unix.Seek(bad, 0, unix.SEEK_SET)
	results = append(results, err)
	var s string
	for _, r := range results {
		s += errno(r) + " "
	}
	say("read, write, close, fstat, dup, F_GETFL, F_DUPFD, FIONREAD, TCGETS, dup3, lseek of a closed descriptor", s)
	say("close_range of closed descriptors", errno(unix.CloseRange(300, 310, 0)))
}

func limits() {
	var old unix.Rlimit
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &old))
	fd := openHosts()
	lim := unix.Rlimit{Cur: 130, Max: old.Max}
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, &lim, nil))
	var got unix.Rlimit
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &got))
	say("RLIMIT_NOFILE lowered to", got.Cur)
	var dups []int
	var err error
	for {
		var d int
		if d, err = unix.Dup(fd); err != nil {
			break
		}
		dups = append(dups, d)
	}
	say("dup until it fails", fmt.Sprint(errno(err), " highest ", dups[len(dups)-1]))
	err = unix.Dup2(fd, 130)
	say("dup2 to the limit", errno(err))
	_, err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD, 130)
	say("F_DUPFD from the limit", errno(err))
	_, err = unix.Open("/etc/hosts", unix.O_RDONLY, 0)
	say("open with the table full to the limit", errno(err))
	bad := unix.Rlimit{Cur: old.Max + 1, Max: old.Max}
	say("RLIMIT_NOFILE with cur above max", errno(unix.Prlimit(0, unix.RLIMIT_NOFILE, &bad, nil)))
	for _, d := range dups {
		unix.Close(d)
	}
	unix.Close(fd)
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, &old, nil))
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &got))
	say("RLIMIT_NOFILE restored", got == old)
}

func seek(fd int, off int64) {
	_, err := unix.Seek(fd, off, unix.SEEK_SET)
	must(0, err)
}

// errOf is a raw system call's errno as an error (nil for none).
func errOf(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// poll, ppoll and pselect retry when Linux interrupts them (EINTR), as
// it does for the Go runtime's preemption signal.
func poll(fds []unix.PollFd, timeout int) (int, error) {
	for {
		n, err := unix.Poll(fds, timeout)
		if err != unix.EINTR {
			return n, err
		}
	}
}

func ppoll(fds []unix.PollFd, ts *unix.Timespec, mask *unix.Sigset_t) (int, error) {
	for {
		n, err := unix.Ppoll(fds, ts, mask)
		if err != unix.EINTR {
			return n, err
		}
	}
}

func pselect(n int, r, w, e *unix.FdSet, ts *unix.Timespec, mask *unix.Sigset_t) (int, error) {
	for {
		n, err := unix.Pselect(n, r, w, e, ts, mask)
		if err != unix.EINTR {
			return n, err
		}
	}
}
