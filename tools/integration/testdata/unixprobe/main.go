// Unixprobe exercises AF_UNIX sockets through raw system calls and
// through package net, and prints what it saw, one line per check, in
// words that do not depend on timing, process IDs or paths: the
// integration test runs it natively on the host and in the guest and
// compares the two.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// pr prints the lines, each behind the prefix "unixprobe:".
var pr = probe.P("unixprobe")

var dir string

func main() {
	unix.Umask(0o022)
	var err error
	dir, err = os.MkdirTemp("", "unixprobe")
	pr.Check(err)
	defer os.RemoveAll(dir)
	types()
	names()
	connects()
	stream()
	closing()
	readiness()
	datagrams()
	seqpackets()
	options()
	blocking()
	netStream()
	netPackets()
	copies()
	rights()
	pr.Printf("done")
}

func sock(typ int) int {
	fd, err := unix.Socket(unix.AF_UNIX, typ|unix.SOCK_CLOEXEC, 0)
	pr.Check(err)
	return fd
}

func pair(typ int) (int, int) {
	fds, err := unix.Socketpair(unix.AF_UNIX, typ|unix.SOCK_CLOEXEC, 0)
	pr.Check(err)
	return fds[0], fds[1]
}

// rawName is getsockname (or getpeername) as the kernel returns it: the
// length and whether it is unnamed, abstract or a path.
func rawName(fd int, peer bool) string {
	var buf [128]byte
	l := uint32(len(buf))
	nr := uintptr(unix.SYS_GETSOCKNAME)
	if peer {
		nr = unix.SYS_GETPEERNAME
	}
	_, _, e := unix.Syscall(nr, uintptr(fd), uintptr(unsafePtr(&buf[0])), uintptr(unsafePtr(&l)))
	if e != 0 {
		return probe.Errno(e)
	}
	kind := "unnamed"
	switch {
	case l > 2 && buf[2] == 0:
		kind = "abstract"
	case l > 2:
		// The temporary directory's length differs from run to run.
		n := bytes.IndexByte(buf[2:], 0)
		return fmt.Sprintf("path + NUL: %v, family %d", n >= 0 && int(l) == 2+n+1, buf[0])
	}
	return fmt.Sprintf("len %d %s family %d", l, kind, buf[0])
}

func path(name string) string { return filepath.Join(dir, name) }

func types() {
	for _, c := range []struct {
		name string
		typ  int
	}{{"stream", unix.SOCK_STREAM}, {"dgram", unix.SOCK_DGRAM}, {"seqpacket", unix.SOCK_SEQPACKET}} {
		fd := sock(c.typ)
		typ, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
		dom, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
		proto, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL)
		pr.Say(c.name+" SO_TYPE SO_DOMAIN SO_PROTOCOL", typ, " ", dom, " ", proto)
		var st unix.Stat_t
		unix.Fstat(fd, &st)
		pr.Say(c.name+" fstat is a socket", st.Mode&unix.S_IFMT == unix.S_IFSOCK)
		link, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
		pr.Say(c.name+" /proc/self/fd link", strings.HasPrefix(link, "socket:[") && strings.HasSuffix(link, "]"))
		unix.Close(fd)
	}
	_, err := unix.Socket(unix.AF_UNIX, 9, 0)
	pr.Say("socket of type 9", probe.Errno(err))
	_, err = unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 7)
	pr.Say("socket of protocol 7", probe.Errno(err))
	_, err = unix.Socketpair(unix.AF_INET, unix.SOCK_STREAM, 0)
	pr.Say("socketpair of AF_INET", probe.Errno(err))
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	pr.Check(err)
	fl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	pr.Say("SOCK_NONBLOCK sets O_NONBLOCK", fl&unix.O_NONBLOCK != 0)
	unix.Close(fd)
}

func names() {
	a := sock(unix.SOCK_STREAM)
	pr.Say("unbound getsockname", rawName(a, false))
	pr.Say("unbound getpeername", rawName(a, true))
	// Autobind: bind with the family alone.
	_, _, e := unix.Syscall(unix.SYS_BIND, uintptr(a), uintptr(unsafePtr(&[2]byte{1, 0})), 2)
	pr.Say("autobind", probe.Errno(probe.Err(e)), " ", rawName(a, false))
	sa, _ := unix.Getsockname(a)
	if u, ok := sa.(*unix.SockaddrUnix); ok {
		pr.Say("autobind name is @ and five hex digits", len(u.Name) == 6 && u.Name[0] == '@' && strings.Trim(u.Name[1:], "0123456789abcdef") == "")
	}
	_, _, e = unix.Syscall(unix.SYS_BIND, uintptr(a), uintptr(unsafePtr(&[2]byte{1, 0})), 2)
	pr.Say("autobind again", probe.Errno(probe.Err(e)))
	unix.Close(a)

	p := path("named")
	b := sock(unix.SOCK_STREAM)
	pr.Say("bind to a path", probe.Errno(unix.Bind(b, &unix.SockaddrUnix{Name: p})))
	pr.Say("its getsockname", rawName(b, false))
	var st unix.Stat_t
	pr.Check(unix.Stat(p, &st))
	pr.Say("the path is a socket", st.Mode&unix.S_IFMT == unix.S_IFSOCK, fmt.Sprintf(" mode %o", st.Mode&0o7777))
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() == "named" {
			pr.Say("readdir type is socket", e.Type()&os.ModeSocket != 0)
		}
	}
	pr.Say("bind a bound socket again", probe.Errno(unix.Bind(b, &unix.SockaddrUnix{Name: path("other")})))
	c := sock(unix.SOCK_STREAM)
	pr.Say("bind to a path that exists", probe.Errno(unix.Bind(c, &unix.SockaddrUnix{Name: p})))
	pr.Say("bind in a missing directory", probe.Errno(unix.Bind(c, &unix.SockaddrUnix{Name: path("none/x")})))
	_, err := unix.Open(p, unix.O_RDONLY, 0)
	pr.Say("open the socket's path", probe.Errno(err))
	pr.Say("unlink it", probe.Errno(unix.Unlink(p)))
	pr.Say("getsockname after unlink", rawName(b, false))
	abs := fmt.Sprintf("@unixprobe-%d", os.Getpid())
	pr.Say("bind abstract", probe.Errno(unix.Bind(c, &unix.SockaddrUnix{Name: abs})), " ", strings.Replace(rawName(c, false), fmt.Sprintf("len %d ", len(abs)+2), "len of the name + 2 ", 1))
	d := sock(unix.SOCK_DGRAM)
	pr.Say("bind the same abstract name", probe.Errno(unix.Bind(d, &unix.SockaddrUnix{Name: abs})))
	pr.Say("bind a dgram socket to the stream's old path", probe.Errno(unix.Bind(d, &unix.SockaddrUnix{Name: p})))
	unix.Close(b)
	unix.Close(c)
	unix.Close(d)
	os.Remove(p)
}

func connects() {
	p := path("srv")
	l := sock(unix.SOCK_STREAM)
	pr.Say("listen unbound", probe.Errno(unix.Listen(l, 1)))
	dg := sock(unix.SOCK_DGRAM)
	pr.Say("listen on a datagram socket", probe.Errno(unix.Listen(dg, 1)))
	pr.Check(unix.Bind(l, &unix.SockaddrUnix{Name: p}))
	c := sock(unix.SOCK_STREAM)
	pr.Say("connect to a missing path", probe.Errno(unix.Connect(c, &unix.SockaddrUnix{Name: path("missing")})))
	pr.Say("connect to a bound socket that does not listen", probe.Errno(unix.Connect(c, &unix.SockaddrUnix{Name: p})))
	os.WriteFile(path("file"), nil, 0o644)
	pr.Say("connect to a regular file", probe.Errno(unix.Connect(c, &unix.SockaddrUnix{Name: path("file")})))
	pr.Check(unix.Bind(dg, &unix.SockaddrUnix{Name: path("dg")}))
	pr.Say("connect a stream socket to a datagram socket", probe.Errno(unix.Connect(c, &unix.SockaddrUnix{Name: path("dg")})))
	pr.Say("connect to a missing abstract name", probe.Errno(unix.Connect(c, &unix.SockaddrUnix{Name: "@unixprobe-nobody-here"})))
	pr.Check(unix.Listen(l, 1))
	pr.Say("listen again", probe.Errno(unix.Listen(l, 1)))
	var clients []int
	for i := range 3 {
		c := sock(unix.SOCK_STREAM | unix.SOCK_NONBLOCK)
		err := unix.Connect(c, &unix.SockaddrUnix{Name: p})
		pr.Say(fmt.Sprintf("non-blocking connect %d with backlog 1", i+1), probe.Errno(err))
		clients = append(clients, c)
	}
	pr.Say("connect a connected socket", probe.Errno(unix.Connect(clients[0], &unix.SockaddrUnix{Name: p})))
	pr.Say("client getpeername", rawName(clients[0], true))
	nfd, _, err := unix.Accept4(l, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	pr.Say("accept4", probe.Errno(err))
	fl, _ := unix.FcntlInt(uintptr(nfd), unix.F_GETFL, 0)
	pr.Say("accepted is non-blocking", fl&unix.O_NONBLOCK != 0)
	pr.Say("accepted getsockname", rawName(nfd, false))
	pr.Say("accepted getpeername (unbound client)", rawName(nfd, true))
	pr.Say("connect once there is room", probe.Errno(unix.Connect(clients[2], &unix.SockaddrUnix{Name: p})))
	n2, _, err := unix.Accept4(l, 0)
	pr.Say("second accept", probe.Errno(err))
	n3, _, err := unix.Accept4(l, 0)
	pr.Say("third accept", probe.Errno(err))
	unix.SetNonblock(l, true)
	_, _, err = unix.Accept4(l, 0)
	pr.Say("accept with nothing queued", probe.Errno(err))
	_, _, err = unix.Accept4(dg, 0)
	pr.Say("accept on a datagram socket", probe.Errno(err))
	acc, _ := unix.GetsockoptInt(l, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	pr.Say("SO_ACCEPTCONN of the listener", acc)
	// A client still queued when the listener closes is reset.
	q := sock(unix.SOCK_STREAM)
	pr.Check(unix.Connect(q, &unix.SockaddrUnix{Name: p}))
	unix.Close(l)
	_, err = unix.Read(q, make([]byte, 4))
	pr.Say("read after the listener closed with us queued", probe.Errno(err))
	n, err := unix.Read(q, make([]byte, 4))
	pr.Say("then", n, " ", probe.Errno(err))
	pr.Say("connect after the listener closed", probe.Errno(unix.Connect(sock(unix.SOCK_STREAM), &unix.SockaddrUnix{Name: p})))
	for _, fd := range append(clients, nfd, n2, n3, c, dg, q) {
		unix.Close(fd)
	}
}

func stream() {
	a, b := pair(unix.SOCK_STREAM)
	n, err := unix.Write(a, []byte("hello, "))
	pr.Say("write", n, " ", probe.Errno(err))
	n, err = unix.Writev(a, [][]byte{[]byte("wor"), []byte("ld")})
	pr.Say("writev", n, " ", probe.Errno(err))
	q, _ := unix.IoctlGetInt(b, unix.SIOCINQ)
	pr.Say("FIONREAD", q)
	buf := make([]byte, 64)
	n, _, _ = unix.Recvfrom(b, buf[:5], unix.MSG_PEEK)
	pr.Say("peek", string(buf[:n]))
	n, _ = unix.Read(b, buf[:3])
	pr.Say("read 3", string(buf[:n]))
	x, y := make([]byte, 2), make([]byte, 20)
	n, _ = unix.Readv(b, [][]byte{x, y})
	pr.Say("readv", n, " ", string(x)+string(y[:n-2]))
	unix.SetNonblock(b, true)
	_, err = unix.Read(b, buf)
	pr.Say("read with nothing there", probe.Errno(err))
	_, _, err = unix.Recvfrom(b, buf, unix.MSG_DONTWAIT)
	pr.Say("recv MSG_DONTWAIT", probe.Errno(err))
	n, err = unix.Read(b, buf[:0])
	pr.Say("read of nothing with nothing there", n, " ", probe.Errno(err))
	pr.Say("sendto with an address on a connected stream", probe.Errno(unix.Sendto(a, []byte("x"), 0, &unix.SockaddrUnix{Name: path("x")})))
	pr.Say("shutdown how 3", probe.Errno(unix.Shutdown(a, 3)))
	pr.Say("shutdown SHUT_WR", probe.Errno(unix.Shutdown(a, unix.SHUT_WR)))
	n, err = unix.Read(b, buf)
	pr.Say("peer reads after SHUT_WR", n, " ", probe.Errno(err))
	err = unix.Send(a, []byte("x"), unix.MSG_NOSIGNAL)
	pr.Say("write after SHUT_WR", probe.Errno(err))
	n, err = unix.Write(b, []byte("back"))
	pr.Say("the peer still writes", n, " ", probe.Errno(err))
	n, _ = unix.Read(a, buf)
	pr.Say("and we read", string(buf[:n]))
	pr.Say("shutdown SHUT_RD", probe.Errno(unix.Shutdown(b, unix.SHUT_RD)))
	err = unix.Send(a, []byte("x"), unix.MSG_NOSIGNAL)
	pr.Say("write to a peer shut for reading", probe.Errno(err))
	unix.Close(a)
	unix.Close(b)
	u := sock(unix.SOCK_STREAM)
	_, err = unix.Read(u, buf)
	pr.Say("read an unconnected stream socket", probe.Errno(err))
	_, err = unix.Write(u, buf)
	pr.Say("write an unconnected stream socket", probe.Errno(err))
	pr.Say("shutdown an unconnected socket", probe.Errno(unix.Shutdown(u, unix.SHUT_RDWR)))
	unix.Close(u)
}

func closing() {
	a, b := pair(unix.SOCK_STREAM)
	unix.Write(a, []byte("left"))
	unix.Write(b, []byte("unread"))
	unix.Close(b) // with "left" unread
	buf := make([]byte, 16)
	n, err := unix.Read(a, buf)
	pr.Say("read after the peer closed with our data unread", n, " ", probe.Errno(err))
	n, err = unix.Read(a, buf)
	pr.Say("then", n, " ", probe.Errno(err))
	n, err = unix.Read(a, buf)
	pr.Say("then", n, " ", probe.Errno(err))
	err = unix.Send(a, []byte("x"), unix.MSG_NOSIGNAL)
	pr.Say("write to a closed peer", probe.Errno(err))
	pr.Say("getpeername after the peer closed", rawName(a, true))
	unix.Close(a)

	a, b = pair(unix.SOCK_STREAM)
	unix.Write(b, []byte("bye"))
	unix.Close(b)
	n, err = unix.Read(a, buf)
	pr.Say("read after a clean close", string(buf[:n]), " ", probe.Errno(err))
	n, err = unix.Read(a, buf)
	pr.Say("then", n, " ", probe.Errno(err))
	e, _ := unix.GetsockoptInt(a, unix.SOL_SOCKET, unix.SO_ERROR)
	pr.Say("SO_ERROR", e)
	unix.Close(a)

	// SIGPIPE: without MSG_NOSIGNAL, a write to a closed peer raises it.
	a, b = pair(unix.SOCK_STREAM)
	unix.Close(b)
	sigs := make(chan os.Signal, 1)
	signalNotify(sigs)
	_, err = unix.Write(a, []byte("x"))
	pr.Say("write to a closed peer without MSG_NOSIGNAL", probe.Errno(err))
	select {
	case s := <-sigs:
		pr.Say("signal", s)
	case <-time.After(5 * time.Second):
		pr.Say("signal", "none")
	}
	signalStop(sigs)
	unix.Close(a)
}

// events polls fd for reading, writing and a peer's shutdown and names
// what is ready.
func events(fd int) string {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | unix.POLLOUT | unix.POLLRDHUP}}
	unix.Poll(fds, 0)
	var s []string
	for _, b := range []struct {
		bit  int16
		name string
	}{{unix.POLLIN, "IN"}, {unix.POLLOUT, "OUT"}, {unix.POLLRDHUP, "RDHUP"}, {unix.POLLHUP, "HUP"}, {unix.POLLERR, "ERR"}} {
		if fds[0].Revents&b.bit != 0 {
			s = append(s, b.name)
		}
	}
	ep, _ := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	defer unix.Close(ep)
	unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP, Fd: int32(fd)})
	evs := make([]unix.EpollEvent, 1)
	n, _ := unix.EpollWait(ep, evs, 0)
	same := n == 1 && evs[0].Events == uint32(uint16(fds[0].Revents)) || n == 0 && fds[0].Revents == 0
	return strings.Join(s, "|") + fmt.Sprintf(" (epoll agrees: %v)", same)
}

func readiness() {
	u := sock(unix.SOCK_STREAM)
	pr.Say("events: unconnected stream", events(u))
	p := path("ready")
	unix.Bind(u, &unix.SockaddrUnix{Name: p})
	unix.Listen(u, 4)
	pr.Say("events: idle listener", events(u))
	c := sock(unix.SOCK_STREAM)
	unix.Connect(c, &unix.SockaddrUnix{Name: p})
	pr.Say("events: listener with a connection", events(u))
	s, _, _ := unix.Accept4(u, 0)
	pr.Say("events: connected, idle", events(s))
	unix.Write(c, []byte("x"))
	pr.Say("events: connected, data", events(s))
	unix.Shutdown(c, unix.SHUT_WR)
	pr.Say("events: peer shut for writing", events(s))
	pr.Say("events: shut for writing ourselves", events(c))
	unix.Close(c)
	pr.Say("events: peer closed", events(s))
	full1, full2 := pair(unix.SOCK_STREAM)
	unix.SetNonblock(full1, true)
	total := 0
	for {
		n, err := unix.Write(full1, make([]byte, 4096))
		if err != nil {
			pr.Say("filling a stream: stops with", probe.Errno(err))
			break
		}
		total += n
	}
	pr.Say("events: stream whose peer is full", events(full1))
	buf := make([]byte, 1<<20)
	got := 0
	unix.SetNonblock(full2, true)
	for got < total {
		n, err := unix.Read(full2, buf)
		if err != nil {
			break
		}
		got += n
	}
	pr.Say("read all that was written", got == total)
	pr.Say("events: stream whose peer drained", events(full1))
	d := sock(unix.SOCK_DGRAM)
	pr.Say("events: unbound datagram", events(d))
	sp := sock(unix.SOCK_SEQPACKET)
	pr.Say("events: unconnected seqpacket", events(sp))
	for _, fd := range []int{u, s, full1, full2, d, sp} {
		unix.Close(fd)
	}
}

func recvmsg(fd int, n, flags int) string {
	buf := make([]byte, n)
	m, _, rflags, from, err := unix.Recvmsg(fd, buf, nil, flags)
	if err != nil {
		return probe.Errno(err)
	}
	name := "nil"
	if u, ok := from.(*unix.SockaddrUnix); ok {
		name = filepath.Base(u.Name)
	}
	return fmt.Sprintf("%d %q trunc %v from %s", m, buf[:min(m, n)], rflags&unix.MSG_TRUNC != 0, name)
}

func datagrams() {
	r := sock(unix.SOCK_DGRAM)
	pr.Check(unix.Bind(r, &unix.SockaddrUnix{Name: path("r")}))
	s := sock(unix.SOCK_DGRAM)
	pr.Check(unix.Bind(s, &unix.SockaddrUnix{Name: path("s")}))
	ra := &unix.SockaddrUnix{Name: path("r")}
	for _, m := range []string{"first", "", "a longer message"} {
		pr.Say(fmt.Sprintf("sendto %q", m), probe.Errno(unix.Sendto(s, []byte(m), 0, ra)))
	}
	q, _ := unix.IoctlGetInt(r, unix.SIOCINQ)
	pr.Say("FIONREAD is the next datagram's length", q)
	pr.Say("recvmsg", recvmsg(r, 64, unix.MSG_PEEK))
	pr.Say("recvmsg", recvmsg(r, 64, 0))
	pr.Say("recvmsg", recvmsg(r, 64, 0))
	pr.Say("recvmsg short", recvmsg(r, 4, 0))
	pr.Say("recvmsg empty", recvmsg(r, 4, unix.MSG_DONTWAIT))
	unix.Sendto(s, []byte("truncated"), 0, ra)
	n, _, _ := unix.Recvfrom(r, make([]byte, 2), unix.MSG_TRUNC)
	pr.Say("recvfrom MSG_TRUNC gives the real length", n)
	u := sock(unix.SOCK_DGRAM)
	unix.Sendto(u, []byte("anon"), 0, ra)
	pr.Say("from an unbound sender", recvmsg(r, 64, 0))
	pr.Say("send without a destination", probe.Errno(unix.Send(u, []byte("x"), 0)))
	pr.Say("sendto a missing abstract name", probe.Errno(unix.Sendto(u, []byte("x"), 0, &unix.SockaddrUnix{Name: "@unixprobe-nobody-here"})))
	pr.Say("sendto a missing path", probe.Errno(unix.Sendto(u, []byte("x"), 0, &unix.SockaddrUnix{Name: path("nobody")})))
	big := make([]byte, 300000)
	pr.Say("sendto 300000 bytes", probe.Errno(unix.Sendto(s, big, 0, ra)))
	// Connected: only the peer may send to r.
	pr.Say("connect r to s", probe.Errno(unix.Connect(r, &unix.SockaddrUnix{Name: path("s")})))
	pr.Say("a third socket sends to r", probe.Errno(unix.Sendto(u, []byte("x"), 0, ra)))
	pr.Say("r sends to its peer", probe.Errno(unix.Send(r, []byte("to s"), 0)))
	pr.Say("s receives", recvmsg(s, 64, 0))
	pr.Say("getpeername of r", rawName(r, true))
	unix.Close(s)
	pr.Say("r sends after its peer closed", probe.Errno(unix.Send(r, []byte("x"), 0)))
	pr.Say("and again", probe.Errno(unix.Send(r, []byte("x"), 0)))
	pr.Say("getpeername then", rawName(r, true))
	pr.Say("connect to AF_UNSPEC", probe.Errno(unix.Connect(r, &unix.SockaddrInet4{})))
	st := sock(unix.SOCK_STREAM)
	unix.Bind(st, &unix.SockaddrUnix{Name: path("st")})
	pr.Say("sendto a stream socket", probe.Errno(unix.Sendto(u, []byte("x"), 0, &unix.SockaddrUnix{Name: path("st")})))
	pr.Say("shutdown SHUT_WR of a datagram socket", probe.Errno(unix.Shutdown(u, unix.SHUT_WR)))
	pr.Say("then sendto", probe.Errno(unix.Sendto(u, []byte("x"), 0, ra)))
	// A full receiver: non-blocking senders get EAGAIN.
	f := sock(unix.SOCK_DGRAM | unix.SOCK_NONBLOCK)
	var err error
	for range 100000 {
		if err = unix.Sendto(f, make([]byte, 1000), 0, &unix.SockaddrUnix{Name: path("r")}); err != nil {
			break
		}
	}
	pr.Say("filling a receiver stops with", probe.Errno(err))
	for _, fd := range []int{r, u, st, f} {
		unix.Close(fd)
	}
	a, b := pair(unix.SOCK_DGRAM)
	unix.Write(a, []byte("one"))
	unix.Write(a, []byte("two"))
	pr.Say("datagram socketpair", recvmsg(b, 64, 0), ", ", recvmsg(b, 64, 0))
	unix.Close(a)
	unix.Close(b)
}

func seqpackets() {
	a, b := pair(unix.SOCK_SEQPACKET)
	unix.Write(a, []byte("packet one"))
	unix.Write(a, []byte("two"))
	pr.Say("seqpacket short read", recvmsg(b, 6, 0))
	pr.Say("seqpacket next", recvmsg(b, 64, 0))
	unix.Close(a)
	pr.Say("seqpacket after the peer closed", recvmsg(b, 64, 0))
	err := unix.Send(b, []byte("x"), unix.MSG_NOSIGNAL)
	pr.Say("seqpacket send to a closed peer", probe.Errno(err))
	unix.Close(b)
	u := sock(unix.SOCK_SEQPACKET)
	pr.Say("seqpacket send unconnected", probe.Errno(unix.Send(u, []byte("x"), unix.MSG_NOSIGNAL)))
	_, err = unix.Read(u, make([]byte, 4))
	pr.Say("seqpacket read unconnected", probe.Errno(err))
	unix.Close(u)
}

func options() {
	a, b := pair(unix.SOCK_STREAM)
	cred, err := unix.GetsockoptUcred(a, unix.SOL_SOCKET, unix.SO_PEERCRED)
	pr.Check(err)
	pr.Say("SO_PEERCRED of a socketpair is ours", int(cred.Pid) == os.Getpid() && int(cred.Uid) == os.Getuid() && int(cred.Gid) == os.Getgid())
	u := sock(unix.SOCK_STREAM)
	cred, _ = unix.GetsockoptUcred(u, unix.SOL_SOCKET, unix.SO_PEERCRED)
	pr.Say("SO_PEERCRED unconnected", cred.Pid, " ", int32(cred.Uid), " ", int32(cred.Gid))
	pr.Say("SO_SNDBUF 10000", probe.Errno(unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 10000)))
	v, _ := unix.GetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF)
	pr.Say("reads back", v)
	unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_RCVBUF, 1)
	v, _ = unix.GetsockoptInt(a, unix.SOL_SOCKET, unix.SO_RCVBUF)
	pr.Say("SO_RCVBUF 1 reads back", v)
	pr.Say("SO_PASSCRED", probe.Errno(unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_PASSCRED, 1)))
	v, _ = unix.GetsockoptInt(a, unix.SOL_SOCKET, unix.SO_PASSCRED)
	pr.Say("reads back", v)
	pr.Say("SO_REUSEADDR", probe.Errno(unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)))
	pr.Say("SO_REUSEPORT", probe.Errno(unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)))
	pr.Say("TCP_NODELAY", probe.Errno(unix.SetsockoptInt(a, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)))
	// A receive timeout ends a blocking read.
	pr.Check(unix.SetsockoptTimeval(b, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 50000}))
	start := time.Now()
	_, err = unix.Read(b, make([]byte, 4))
	pr.Say("blocking read with SO_RCVTIMEO", probe.Errno(err), " after the timeout: ", time.Since(start) >= 40*time.Millisecond)
	for _, fd := range []int{a, b, u} {
		unix.Close(fd)
	}
}

// blocking moves data between goroutines through blocking descriptors,
// which park in the kernel.
func blocking() {
	a, b := pair(unix.SOCK_STREAM)
	data := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320000 bytes: several rings
	done := make(chan int)
	go func() {
		got := 0
		buf := make([]byte, 50000)
		for {
			n, err := unix.Read(b, buf)
			if n <= 0 || err != nil {
				break
			}
			got += n
		}
		done <- got
	}()
	n, err := unix.Write(a, data)
	pr.Say("one blocking write of 320000 bytes", n, " ", probe.Errno(err))
	unix.Close(a)
	pr.Say("the reader got", <-done)
	unix.Close(b)

	l := sock(unix.SOCK_STREAM)
	p := path("blk")
	unix.Bind(l, &unix.SockaddrUnix{Name: p})
	unix.Listen(l, 0)
	go func() {
		time.Sleep(50 * time.Millisecond)
		c := sock(unix.SOCK_STREAM)
		unix.Connect(c, &unix.SockaddrUnix{Name: p})
		unix.Write(c, []byte("hi"))
		unix.Close(c)
	}()
	s, _, err := unix.Accept4(l, 0)
	pr.Say("blocking accept", probe.Errno(err))
	buf := make([]byte, 8)
	n, _ = unix.Read(s, buf)
	pr.Say("blocking read", string(buf[:n]))
	unix.Close(s)
	unix.Close(l)

	r := sock(unix.SOCK_DGRAM)
	unix.Bind(r, &unix.SockaddrUnix{Name: path("blkdg")})
	go func() {
		time.Sleep(50 * time.Millisecond)
		w := sock(unix.SOCK_DGRAM)
		unix.Sendto(w, []byte("late"), 0, &unix.SockaddrUnix{Name: path("blkdg")})
		unix.Close(w)
	}()
	n, _, err = unix.Recvfrom(r, buf, 0)
	pr.Say("blocking recvfrom", string(buf[:n]), " ", probe.Errno(err))
	unix.Close(r)
}

func netStream() {
	p := path("net")
	ln, err := net.Listen("unix", p)
	pr.Check(err)
	pr.Say("net.Listen addr", ln.Addr().Network(), " ", filepath.Base(ln.Addr().String()))
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c) // echo
		c.Close()
	}()
	c, err := net.Dial("unix", p)
	pr.Check(err)
	pr.Say("dial remote", filepath.Base(c.RemoteAddr().String()), " local ", fmt.Sprintf("%q", c.LocalAddr().String()))
	msg := bytes.Repeat([]byte("echo "), 30000)
	go func() { c.Write(msg); c.(*net.UnixConn).CloseWrite() }()
	got, err := io.ReadAll(c)
	pr.Say("echo of 150000 bytes", bytes.Equal(got, msg), " ", probe.Errno(err))
	c.Close()
	c, _ = net.Dial("unix", p)
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	pr.Say("read deadline", os.IsTimeout(err))
	c.Close()
	f, err := ln.(*net.UnixListener).File()
	pr.Check(err)
	fl, err := net.FileListener(f)
	pr.Say("net.FileListener", probe.Errno(err))
	if err == nil {
		pr.Say("its addr", fl.Addr().Network(), " ", filepath.Base(fl.Addr().String()))
		fl.Close()
	}
	f.Close()
	ln.Close()
	_, err = os.Stat(p)
	pr.Say("the listener's path after Close", os.IsNotExist(err))
	_, err = net.Dial("unix", p)
	pr.Say("dial after Close", probe.Errno(err))

	// unixpacket keeps message boundaries.
	pp := path("packet")
	pl, err := net.Listen("unixpacket", pp)
	pr.Check(err)
	res := make(chan string)
	go func() {
		c, err := pl.Accept()
		if err != nil {
			res <- err.Error()
			return
		}
		var s []string
		buf := make([]byte, 100)
		for {
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			s = append(s, string(buf[:n]))
		}
		res <- strings.Join(s, ",")
	}()
	pc, err := net.Dial("unixpacket", pp)
	pr.Check(err)
	for _, m := range []string{"a", "bb", "ccc"} {
		pc.Write([]byte(m))
	}
	pc.Close()
	pr.Say("unixpacket messages", <-res)
	pl.Close()
}

func netPackets() {
	p := path("gram")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	pr.Check(err)
	other, err := net.ListenPacket("unixgram", path("gram2"))
	pr.Check(err)
	_, err = other.WriteTo([]byte("datagram"), conn.LocalAddr())
	pr.Say("WriteTo", probe.Errno(err))
	buf := make([]byte, 100)
	n, from, err := conn.ReadFromUnix(buf)
	pr.Say("ReadFromUnix", string(buf[:n]), " from ", filepath.Base(from.String()), " ", probe.Errno(err))
	conn.WriteToUnix([]byte("reply"), from)
	n, _, _ = other.ReadFrom(buf)
	pr.Say("reply", string(buf[:n]))
	d, err := net.Dial("unixgram", p)
	pr.Check(err)
	d.Write([]byte("dialed"))
	n, from, _ = conn.ReadFromUnix(buf)
	pr.Say("from a dialed unixgram", string(buf[:n]), " from ", fmt.Sprintf("%v", from))
	d.Close()
	conn.Close()
	other.Close()
}

// copies moves a file through a socket with sendfile (io.Copy to a
// UnixConn from an *os.File) and back (io.Copy to an *os.File from a
// UnixConn, which tries splice).
func copies() {
	data := bytes.Repeat([]byte("file contents "), 5000)
	src := path("src")
	os.WriteFile(src, data, 0o644)
	a, b := pair(unix.SOCK_STREAM)
	fa, fb := os.NewFile(uintptr(a), "a"), os.NewFile(uintptr(b), "b")
	ca, _ := net.FileConn(fa)
	cb, _ := net.FileConn(fb)
	fa.Close()
	fb.Close()
	go func() {
		f, _ := os.Open(src)
		n, err := io.Copy(ca, f)
		pr.Say("io.Copy from a file to a unix socket", n, " ", probe.Errno(err))
		f.Close()
		ca.Close()
	}()
	dst, _ := os.Create(path("dst"))
	n, err := io.Copy(dst, cb)
	pr.Say("io.Copy from a unix socket to a file", n, " ", probe.Errno(err))
	dst.Close()
	got, _ := os.ReadFile(path("dst"))
	pr.Say("the copy is the file", bytes.Equal(got, data))
	cb.Close()
}

// recvRights receives up to 64 bytes and the descriptors sent with
// them, with room for max descriptors, and describes what came.
func recvRights(fd, max, flags int) (string, []int) {
	buf := make([]byte, 64)
	oob := make([]byte, unix.CmsgLen(4*max))
	if max == 0 {
		oob = nil
	}
	n, oobn, rflags, _, err := unix.Recvmsg(fd, buf, oob, flags)
	if err != nil {
		return probe.Errno(err), nil
	}
	var fds []int
	msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
	for _, m := range msgs {
		f, _ := unix.ParseUnixRights(&m)
		fds = append(fds, f...)
	}
	return fmt.Sprintf("%q, %d descriptors, ctrunc %v", buf[:n], len(fds), rflags&unix.MSG_CTRUNC != 0), fds
}

// rights passes descriptors with SCM_RIGHTS.
func rights() {
	a, b := pair(unix.SOCK_STREAM)
	var p [2]int
	pr.Check(unix.Pipe2(p[:], unix.O_CLOEXEC))
	pr.Say("sendmsg SCM_RIGHTS", probe.Errno(unix.Sendmsg(a, []byte("pipe"), unix.UnixRights(p[1]), nil, 0)))
	unix.Close(p[1]) // in flight, the pipe's write end stays open
	unix.Write(a, []byte("more"))
	what, fds := recvRights(b, 4, unix.MSG_CMSG_CLOEXEC)
	pr.Say("recvmsg", what)
	if len(fds) == 1 {
		fl, _ := unix.FcntlInt(uintptr(fds[0]), unix.F_GETFD, 0)
		pr.Say("MSG_CMSG_CLOEXEC sets FD_CLOEXEC", fl&unix.FD_CLOEXEC != 0)
		unix.Write(fds[0], []byte("through the passed descriptor"))
		buf := make([]byte, 64)
		n, _ := unix.Read(p[0], buf)
		pr.Say("the pipe reads", string(buf[:n]))
		unix.Close(fds[0])
	}
	what, _ = recvRights(b, 4, 0)
	pr.Say("then", what)
	unix.Close(p[0])

	// Read without recvmsg: the descriptors are dropped, as closed.
	pr.Check(unix.Pipe2(p[:], unix.O_CLOEXEC))
	unix.Sendmsg(a, []byte("x"), unix.UnixRights(p[1]), nil, 0)
	unix.Close(p[1])
	unix.Read(b, make([]byte, 8))
	n, err := unix.Read(p[0], make([]byte, 8))
	pr.Say("the pipe after its write end was read past", n, " ", probe.Errno(err))
	unix.Close(p[0])

	// Closing the receiver releases what is in flight to it.
	pr.Check(unix.Pipe2(p[:], unix.O_CLOEXEC))
	unix.Sendmsg(a, []byte("x"), unix.UnixRights(p[1]), nil, 0)
	unix.Close(p[1])
	unix.Close(b)
	n, err = unix.Read(p[0], make([]byte, 8))
	pr.Say("the pipe after the receiver closed", n, " ", probe.Errno(err))
	unix.Close(p[0])
	unix.Close(a)

	pr.Say("SCM_RIGHTS of a closed descriptor", probe.Errno(unix.Sendmsg(sock(unix.SOCK_DGRAM), []byte("x"), unix.UnixRights(999), nil, 0)))
	bad := unix.UnixRights(0)
	bad[12] = 77 // an unknown SOL_SOCKET message type
	d1, d2 := pair(unix.SOCK_DGRAM)
	pr.Say("an unknown control message", probe.Errno(unix.Sendmsg(d1, []byte("x"), bad, nil, 0)))
	pr.Say("two descriptors in a datagram", probe.Errno(unix.Sendmsg(d1, []byte("two"), unix.UnixRights(0, 1), nil, 0)))
	what, fds = recvRights(d2, 1, 0)
	pr.Say("received with room for one", what)
	for _, fd := range fds {
		unix.Close(fd)
	}
	unix.Sendmsg(d1, []byte("none"), unix.UnixRights(2), nil, 0)
	what, _ = recvRights(d2, 0, 0)
	pr.Say("received with no room", what)
	unix.Close(d1)
	unix.Close(d2)
}
