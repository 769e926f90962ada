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

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"golang.org/x/sys/unix"
)

// pr prints the lines, each behind the prefix "fdprobe:".
var pr = probe.P("fdprobe")

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
	pr.Printf("done")
}

// The generic ioctls (asm-generic/ioctls.h), which x/sys/unix does not
// name.
const (
	fionclex = 0x5450
	fioclex  = 0x5451
	fionbio  = 0x5421
	fionread = 0x541B
)

// must returns v, failing the probe when err is not nil.
func must(v int, err error) int {
	pr.Check(err)
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
	pr.Say("dup: original cloexec, copy cloexec", fmt.Sprint(cloexec(fd), cloexec(d)))
	buf := make([]byte, 10)
	must(unix.Read(fd, buf))
	pr.Say("dup: offset after reading 10 through the original, seen through the copy", offset(d))
	seek(d, 3)
	pr.Say("dup: offset after seeking the copy to 3, seen through the original", offset(fd))
	unix.Close(fd)
	n, err := unix.Read(d, buf)
	pr.Say("dup: read through the copy after closing the original", fmt.Sprint(n, " ", probe.Errno(err)))
	pr.Say("dup: offset of the copy", offset(d))
	_, err = unix.Read(fd, buf)
	pr.Say("dup: read through the closed original", probe.Errno(err))

	// dup2 and dup3 to numbers the runtime leaves alone.
	r, _, e := unix.Syscall(unix.SYS_DUP2, uintptr(d), uintptr(d), 0)
	pr.Say("dup2 of a descriptor to itself", fmt.Sprint(int(r) == d, " ", probe.Errno(probe.Err(e))))
	// x/sys/unix's Dup2 is dup3 on amd64, which refuses equal
	// descriptors: the raw call.
	_, _, e = unix.Syscall(unix.SYS_DUP2, 200, 200, 0)
	pr.Say("dup2 of a closed descriptor to itself", probe.Errno(probe.Err(e)))
	r, _, e = unix.Syscall(unix.SYS_DUP2, uintptr(d), 102, 0)
	pr.Say("dup2 to 102", fmt.Sprint(r, " ", probe.Errno(probe.Err(e)), " cloexec ", cloexec(102), " offset ", offset(102)))
	unix.Close(102)
	err = unix.Dup3(d, d, 0)
	pr.Say("dup3 of a descriptor to itself", probe.Errno(err))
	err = unix.Dup3(d, 100, unix.O_CLOEXEC)
	pr.Say("dup3 O_CLOEXEC to 100", fmt.Sprint(probe.Errno(err), " cloexec ", cloexec(100), " offset ", offset(100)))
	err = unix.Dup3(d, 101, 0x40)
	pr.Say("dup3 with an unknown flag", probe.Errno(err))
	err = unix.Dup2(200, 101)
	pr.Say("dup2 of a closed descriptor", probe.Errno(err))

	// dup2 over an open eventfd closes it; the number then names the file.
	efd := must(unix.Eventfd(0, unix.EFD_CLOEXEC))
	err = unix.Dup2(d, efd)
	pr.Say("dup2 over an eventfd", probe.Errno(err))
	_, err = unix.Seek(efd, 0, unix.SEEK_CUR)
	pr.Say("lseek through the replaced number", probe.Errno(err))
	_, err = unix.Write(efd, make([]byte, 8))
	pr.Say("eventfd write through the replaced number", probe.Errno(err))
	unix.Close(efd)
	unix.Close(d)
	unix.Close(100)
}

func fcntlCalls() {
	fd := openHosts()
	d := must(unix.FcntlInt(uintptr(fd), unix.F_DUPFD, 110))
	pr.Say("F_DUPFD from 110", fmt.Sprint(d, " cloexec ", cloexec(d)))
	d2 := must(unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 110))
	pr.Say("F_DUPFD_CLOEXEC from 110", fmt.Sprint(d2, " cloexec ", cloexec(d2)))
	pr.Say("F_GETFL of a regular file", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(fd), unix.F_SETFL, unix.O_NONBLOCK|unix.O_WRONLY|unix.O_CREAT))
	pr.Say("F_SETFL O_NONBLOCK|O_WRONLY|O_CREAT, F_GETFL through the dup", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(d), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(d2), unix.F_SETFL, unix.O_APPEND))
	pr.Say("F_SETFL O_APPEND, F_GETFL through the original", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(d), unix.F_SETFD, 0))
	must(unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC))
	pr.Say("F_SETFD: cloexec of the original and the dup", fmt.Sprint(cloexec(fd), cloexec(d)))
	_, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD, 1<<20)
	pr.Say("F_DUPFD from above RLIMIT_NOFILE", probe.Errno(err))
	_, err = unix.FcntlInt(uintptr(fd), 9999, 0)
	pr.Say("fcntl with an unknown command", probe.Errno(err))

	e := must(unix.Eventfd(0, 0))
	ed := must(unix.Dup(e))
	pr.Say("F_GETFL of an eventfd", fmt.Sprintf("%#x", must(unix.FcntlInt(uintptr(e), unix.F_GETFL, 0))))
	must(unix.FcntlInt(uintptr(ed), unix.F_SETFL, unix.O_NONBLOCK))
	_, err = unix.Read(e, make([]byte, 8))
	pr.Say("read of an empty eventfd made non-blocking through its dup", probe.Errno(err))
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
	pr.Say("close_range CLOSE_RANGE_CLOEXEC 120-124", fmt.Sprint(probe.Errno(err), " cloexec ", cloexec(120), cloexec(121), cloexec(125)))
	err = unix.CloseRange(120, 124, 0)
	_, e120 := unix.FcntlInt(120, unix.F_GETFD, 0)
	_, e121 := unix.FcntlInt(121, unix.F_GETFD, 0)
	pr.Say("close_range 120-124", fmt.Sprint(probe.Errno(err), " 120 ", probe.Errno(e120), " 121 ", probe.Errno(e121), " offset of 125 ", offset(125)))
	pr.Say("close_range last below first", probe.Errno(unix.CloseRange(125, 124, 0)))
	pr.Say("close_range with an unknown flag", probe.Errno(unix.CloseRange(125, 125, 1<<7)))
	// Not CLOSE_RANGE_UNSHARE: on Linux it gives the calling thread a
	// descriptor table of its own, which the runtime's other threads
	// would no longer see.
	pr.Say("close_range 125-max", probe.Errno(unix.CloseRange(125, ^uint(0)>>32, 0)))
	_, err = unix.FcntlInt(125, unix.F_GETFD, 0)
	pr.Say("125 after close_range to the end", probe.Errno(err))
}

func ioctls() {
	fd := openHosts()
	d := must(unix.Dup(fd))
	pr.Say("FIONCLEX", fmt.Sprint(probe.Errno(unix.IoctlSetInt(fd, fionclex, 0)), " cloexec ", cloexec(fd)))
	pr.Say("FIOCLEX", fmt.Sprint(probe.Errno(unix.IoctlSetInt(d, fioclex, 0)), " cloexec ", cloexec(d), " of the other ", cloexec(fd)))
	err := unix.IoctlSetPointerInt(fd, fionbio, 1)
	pr.Say("FIONBIO 1, F_GETFL O_NONBLOCK through the dup", fmt.Sprint(probe.Errno(err), " ", must(unix.FcntlInt(uintptr(d), unix.F_GETFL, 0))&unix.O_NONBLOCK != 0))
	err = unix.IoctlSetPointerInt(d, fionbio, 0)
	pr.Say("FIONBIO 0, F_GETFL O_NONBLOCK", fmt.Sprint(probe.Errno(err), " ", must(unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0))&unix.O_NONBLOCK != 0))

	var st unix.Stat_t
	must(0, unix.Fstat(fd, &st))
	seek(fd, 7)
	n, err := unix.IoctlGetInt(d, fionread)
	pr.Say("FIONREAD of a file at offset 7 is its size less 7", fmt.Sprint(probe.Errno(err), " ", int64(n) == st.Size-7))
	seek(fd, st.Size+5)
	n, err = unix.IoctlGetInt(d, fionread)
	pr.Say("FIONREAD past the end", fmt.Sprint(probe.Errno(err), " ", n))

	e := must(unix.Eventfd(3, 0))
	_, err = unix.IoctlGetInt(e, fionread)
	pr.Say("FIONREAD of an eventfd", probe.Errno(err))
	ep := must(unix.EpollCreate1(0))
	_, err = unix.IoctlGetInt(ep, fionread)
	pr.Say("FIONREAD of an epoll descriptor", probe.Errno(err))
	_, err = unix.IoctlGetInt(fd, 0x1234)
	pr.Say("an unknown ioctl on a file", probe.Errno(err))
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
		pr.Say("TCGETS on "+c.name, probe.Errno(err))
	}
	fi, err := os.Stdout.Stat()
	if err != nil {
		pr.Say("os.Stdout.Stat", err)
	} else {
		pr.Say("os.Stdout.Stat mode (system)", fi.Mode().Type())
	}
	for _, x := range []int{fd, e, s} {
		unix.Close(x)
	}
}

func pollEventfd() {
	e := must(unix.Eventfd(0, unix.EFD_NONBLOCK))
	fds := []unix.PollFd{{Fd: int32(e), Events: unix.POLLIN | unix.POLLOUT}}
	n, err := poll(fds, 0)
	pr.Say("poll of an empty eventfd, no wait", fmt.Sprintf("%d %s %#x", n, probe.Errno(err), fds[0].Revents))
	fds[0].Events = unix.POLLIN
	start := time.Now()
	n, err = poll(fds, 100)
	pr.Say("poll of an empty eventfd for POLLIN, 100 ms", fmt.Sprintf("%d %s %#x waited %v", n, probe.Errno(err), fds[0].Revents, time.Since(start) >= 100*time.Millisecond))

	go func() {
		time.Sleep(200 * time.Millisecond)
		unix.Write(e, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}()
	start = time.Now()
	n, err = poll(fds, -1)
	pr.Say("poll without timeout until another thread writes the eventfd", fmt.Sprintf("%d %s %#x waited %v", n, probe.Errno(err), fds[0].Revents, time.Since(start) >= 150*time.Millisecond))

	d := must(unix.Dup(e))
	fds = []unix.PollFd{{Fd: int32(d), Events: unix.POLLIN}, {Fd: 200, Events: unix.POLLIN}, {Fd: -1, Events: unix.POLLIN}}
	n, err = poll(fds, 0)
	pr.Say("poll of the eventfd's dup, a closed descriptor and -1", fmt.Sprintf("%d %s %#x %#x %#x", n, probe.Errno(err), fds[0].Revents, fds[1].Revents, fds[2].Revents))

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
	pr.Say("ppoll of an empty eventfd, 100 ms, with a signal mask", fmt.Sprintf("%d %s waited %v time left %v", r, probe.Errno(probe.Err(en)), time.Since(start) >= 100*time.Millisecond, ts.Nano()))
	ts = unix.NsecToTimespec(int64(100 * time.Millisecond))
	start = time.Now()
	n, err = ppoll(fds, &ts, &unix.Sigset_t{})
	pr.Say("ppoll with a signal mask through x/sys/unix (sigsetsize 0)", fmt.Sprintf("%d %s waited %v time left %v", n, probe.Errno(err), time.Since(start) >= 100*time.Millisecond, ts.Nano()))
	go func() {
		time.Sleep(200 * time.Millisecond)
		unix.Write(e, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}()
	ts = unix.NsecToTimespec(int64(30 * time.Second))
	n, err = ppoll(fds, &ts, nil)
	pr.Say("ppoll until another thread writes the eventfd", fmt.Sprintf("%d %s %#x time left %v", n, probe.Errno(err), fds[0].Revents, ts.Nano() > int64(20*time.Second) && ts.Nano() < int64(30*time.Second)))
	ts = unix.Timespec{Sec: 0, Nsec: 2e9}
	_, err = ppoll(fds, &ts, nil)
	pr.Say("ppoll with tv_nsec out of range", probe.Errno(err))

	// epoll reports a write to the eventfd for a registered dup.
	ep := must(unix.EpollCreate1(0))
	must(0, unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, d, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: 77}))
	must(unix.Read(e, make([]byte, 8)))
	unix.Write(e, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	evs := make([]unix.EpollEvent, 4)
	n, err = unix.EpollWait(ep, evs, 1000)
	pr.Say("epoll of a dup, after a write through the original", fmt.Sprintf("%d %s data %d", n, probe.Errno(err), evs[0].Fd))
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
	pr.Say("FIONREAD of a listening socket", probe.Errno(err))
	fds := []unix.PollFd{{Fd: int32(l), Events: unix.POLLIN}}
	n, err := poll(fds, 0)
	pr.Say("poll of a listening socket with no connection", fmt.Sprintf("%d %s %#x", n, probe.Errno(err), fds[0].Revents))
	c := must(unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0))
	must(0, unix.Connect(c, sa))
	n, err = poll(fds, 10000)
	pr.Say("poll of a listening socket after a connect", fmt.Sprintf("%d %s %#x", n, probe.Errno(err), fds[0].Revents))
	a, _, err := unix.Accept(l)
	must(a, err)
	fds = []unix.PollFd{{Fd: int32(a), Events: unix.POLLIN | unix.POLLOUT}, {Fd: int32(c), Events: unix.POLLOUT}}
	n, err = poll(fds, 10000)
	pr.Say("poll of both ends of a new connection", fmt.Sprintf("%d %s %#x %#x", n, probe.Errno(err), fds[0].Revents, fds[1].Revents))
	n, err = unix.IoctlGetInt(a, fionread)
	pr.Say("FIONREAD of a connection with nothing sent", fmt.Sprint(probe.Errno(err), " ", n))
	must(unix.Write(c, []byte("hello")))
	fds = fds[:1]
	fds[0].Events = unix.POLLIN
	n, err = poll(fds, 10000)
	pr.Say("poll after the peer wrote", fmt.Sprintf("%d %s %#x", n, probe.Errno(err), fds[0].Revents))
	n, err = unix.IoctlGetInt(a, fionread)
	pr.Say("FIONREAD after the peer wrote 5 bytes", fmt.Sprint(probe.Errno(err), " ", n))

	// A dup of the connection shares it: closing the original keeps it.
	ad := must(unix.Dup(a))
	unix.Close(a)
	buf := make([]byte, 16)
	n, err = unix.Read(ad, buf)
	pr.Say("read through a dup after closing the original", fmt.Sprintf("%q %s", buf[:max(n, 0)], probe.Errno(err)))
	unix.Close(c)
	fds[0].Fd = int32(ad)
	fds[0].Events = unix.POLLIN | unix.POLLRDHUP
	n, err = poll(fds, 10000)
	pr.Say("poll after the peer closed", fmt.Sprintf("%d %s %#x", n, probe.Errno(err), fds[0].Revents))
	unix.Close(ad)
	unix.Close(l)

	u := must(unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0))
	must(0, unix.Bind(u, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	usa, err := unix.Getsockname(u)
	must(0, err)
	n, err = unix.IoctlGetInt(u, fionread)
	pr.Say("FIONREAD of an empty UDP socket", fmt.Sprint(probe.Errno(err), " ", n))
	s := must(unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0))
	must(0, unix.Sendto(s, []byte("seven!!"), 0, usa))
	must(0, unix.Sendto(s, []byte("abc"), 0, usa))
	fds = []unix.PollFd{{Fd: int32(u), Events: unix.POLLIN}}
	n, err = poll(fds, 10000)
	pr.Say("poll of a UDP socket with datagrams", fmt.Sprintf("%d %s %#x", n, probe.Errno(err), fds[0].Revents))
	n, err = unix.IoctlGetInt(u, fionread)
	pr.Say("FIONREAD of a UDP socket: the first datagram's length", fmt.Sprint(probe.Errno(err), " ", n))
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
	pr.Say("pselect6 of an empty eventfd (read, write) and a file (read), no wait", fmt.Sprint(n, " ", probe.Errno(err), " ", r.IsSet(e), w.IsSet(e), r.IsSet(f)))
	r.Zero()
	r.Set(e)
	ts := unix.NsecToTimespec(int64(100 * time.Millisecond))
	start := time.Now()
	n, err = pselect(e+1, &r, nil, nil, &ts, nil)
	pr.Say("pselect6 of an empty eventfd for reading, 100 ms", fmt.Sprint(n, " ", probe.Errno(err), " ", r.IsSet(e), " waited ", time.Since(start) >= 100*time.Millisecond, " time left ", ts.Nano()))
	go func() {
		time.Sleep(200 * time.Millisecond)
		unix.Write(e, []byte{2, 0, 0, 0, 0, 0, 0, 0})
	}()
	r.Set(e)
	n, err = pselect(e+1, &r, nil, nil, nil, &unix.Sigset_t{})
	pr.Say("pselect6 without timeout until another thread writes", fmt.Sprint(n, " ", probe.Errno(err), " ", r.IsSet(e)))
	unix.Close(f)
	r.Zero()
	r.Set(f)
	_, err = pselect(f+1, &r, nil, nil, &unix.Timespec{}, nil)
	pr.Say("pselect6 of a closed descriptor", probe.Errno(err))
	_, err = pselect(-1, nil, nil, nil, &unix.Timespec{}, nil)
	pr.Say("pselect6 with nfds -1", probe.Errno(err))
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
		s += probe.Errno(r) + " "
	}
	pr.Say("read, write, close, fstat, dup, F_GETFL, F_DUPFD, FIONREAD, TCGETS, dup3, lseek of a closed descriptor", s)
	pr.Say("close_range of closed descriptors", probe.Errno(unix.CloseRange(300, 310, 0)))
}

func limits() {
	var old unix.Rlimit
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &old))
	fd := openHosts()
	lim := unix.Rlimit{Cur: 130, Max: old.Max}
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, &lim, nil))
	var got unix.Rlimit
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &got))
	pr.Say("RLIMIT_NOFILE lowered to", got.Cur)
	var dups []int
	var err error
	for {
		var d int
		if d, err = unix.Dup(fd); err != nil {
			break
		}
		dups = append(dups, d)
	}
	pr.Say("dup until it fails", fmt.Sprint(probe.Errno(err), " highest ", dups[len(dups)-1]))
	err = unix.Dup2(fd, 130)
	pr.Say("dup2 to the limit", probe.Errno(err))
	_, err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD, 130)
	pr.Say("F_DUPFD from the limit", probe.Errno(err))
	_, err = unix.Open("/etc/hosts", unix.O_RDONLY, 0)
	pr.Say("open with the table full to the limit", probe.Errno(err))
	bad := unix.Rlimit{Cur: old.Max + 1, Max: old.Max}
	pr.Say("RLIMIT_NOFILE with cur above max", probe.Errno(unix.Prlimit(0, unix.RLIMIT_NOFILE, &bad, nil)))
	for _, d := range dups {
		unix.Close(d)
	}
	unix.Close(fd)
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, &old, nil))
	must(0, unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &got))
	pr.Say("RLIMIT_NOFILE restored", got == old)
}

func seek(fd int, off int64) {
	_, err := unix.Seek(fd, off, unix.SEEK_SET)
	must(0, err)
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
