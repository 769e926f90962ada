package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// rawChecks exercises a NETLINK_ROUTE socket as programs other than
// package net use it.
func rawChecks() {
	if _, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW, 1); err != nil {
		fmt.Println("nl: protocol NETLINK_UNUSED:", err)
	}
	s, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_ROUTE)
	if err != nil {
		fmt.Println("nl: socket:", err)
		return
	}
	defer syscall.Close(s)
	fmt.Println("nl: port before bind:", port(s))
	if err := syscall.Bind(s, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		fmt.Println("nl: bind:", err)
		return
	}
	fmt.Println("nl: port is the pid:", port(s) == uint32(os.Getpid()))
	s2, _ := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM, syscall.NETLINK_ROUTE)
	syscall.Bind(s2, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK})
	fmt.Println("nl: second port is negative:", int32(port(s2)) < 0)
	s3, _ := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW, syscall.NETLINK_ROUTE)
	fmt.Println("nl: bind to a used port:", syscall.Bind(s3, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Pid: port(s)}))
	fmt.Println("nl: bind to another family:", syscall.Bind(s3, &syscall.SockaddrInet4{}))
	syscall.Close(s2)
	syscall.Close(s3)

	fmt.Println("nl: readable before a request:", readable(s))
	send(s, syscall.RTM_GETLINK, syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP, 42, syscall.AF_UNSPEC)
	fmt.Println("nl: readable after a request:", readable(s))
	small := make([]byte, 16)
	n, _, err := syscall.Recvfrom(s, small, syscall.MSG_PEEK|syscall.MSG_TRUNC)
	fmt.Println("nl: peek with MSG_TRUNC reports more than 16 bytes:", n > 16, err)
	oob := make([]byte, 0)
	n, _, flags, from, err := syscall.Recvmsg(s, small, oob, 0)
	nlFrom, _ := from.(*syscall.SockaddrNetlink)
	fmt.Println("nl: short recvmsg:", n, "bytes, MSG_TRUNC", flags&syscall.MSG_TRUNC != 0, "from the kernel", nlFrom != nil && nlFrom.Pid == 0, err)
	h := (*syscall.NlMsghdr)(unsafe.Pointer(&small[0]))
	fmt.Println("nl: first message:", h.Type == syscall.RTM_NEWLINK, "seq", h.Seq, "multi", h.Flags&syscall.NLM_F_MULTI != 0, "port", h.Pid == port(s))
	// The rest of the links, if any, then NLMSG_DONE in a datagram of its own.
	var done bool
	for range 100 {
		msgs := recvAll(s)
		if len(msgs) == 1 && msgs[0].Header.Type == syscall.NLMSG_DONE {
			done = true
			fmt.Println("nl: done alone in its datagram, seq", msgs[0].Header.Seq, "length", msgs[0].Header.Len)
			break
		}
	}
	if !done {
		fmt.Println("nl: no NLMSG_DONE")
	}

	send(s, syscall.RTM_GETADDR, syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP, 43, syscall.AF_INET6)
	only6, loop6 := true, false
	for m := range messages(s) {
		a := (*syscall.IfAddrmsg)(unsafe.Pointer(&m.Data[0]))
		only6 = only6 && a.Family == syscall.AF_INET6
		attrs, _ := syscall.ParseNetlinkRouteAttr(&m)
		for _, at := range attrs {
			if at.Attr.Type == syscall.IFA_ADDRESS && a.Prefixlen == 128 && a.Scope == 254 && at.Value[15] == 1 {
				loop6 = true
			}
		}
	}
	fmt.Println("nl: AF_INET6 address dump: only AF_INET6", only6, "::1/128 host scope", loop6)

	send(s, 0x7c, syscall.NLM_F_REQUEST|syscall.NLM_F_ACK, 44, 0)
	printError(s, "type beyond RTM_MAX")
	send(s, syscall.NLMSG_NOOP, syscall.NLM_F_REQUEST|syscall.NLM_F_ACK, 45, 0)
	printError(s, "NLMSG_NOOP with NLM_F_ACK")
	send(s, syscall.NLMSG_NOOP, syscall.NLM_F_REQUEST, 46, 0)
	fmt.Println("nl: NLMSG_NOOP without NLM_F_ACK: readable", readable(s))
	_, _, err = syscall.Recvfrom(s, small, syscall.MSG_DONTWAIT)
	fmt.Println("nl: receive with nothing queued:", err)
	fmt.Println("nl: listen:", syscall.Listen(s, 1))
	typ, err := syscall.GetsockoptInt(s, syscall.SOL_SOCKET, syscall.SO_TYPE)
	fmt.Println("nl: SO_TYPE:", typ, err)
}

// port is the socket's port ID (getsockname).
func port(s int) uint32 {
	sa, err := syscall.Getsockname(s)
	if err != nil {
		fmt.Println("nl: getsockname:", err)
		return 0
	}
	return sa.(*syscall.SockaddrNetlink).Pid
}

func send(s int, typ, flags uint16, seq uint32, family byte) {
	b := make([]byte, syscall.NLMSG_HDRLEN+syscall.SizeofRtGenmsg)
	*(*syscall.NlMsghdr)(unsafe.Pointer(&b[0])) = syscall.NlMsghdr{Len: uint32(len(b)), Type: typ, Flags: flags, Seq: seq}
	b[syscall.NLMSG_HDRLEN] = family
	if err := syscall.Sendto(s, b, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		fmt.Println("nl: sendto:", err)
	}
}

func readable(s int) bool {
	fds := []pollFd{{fd: int32(s), events: 1}}
	n, _, _ := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), 1, 0)
	return n == 1 && fds[0].revents&1 != 0
}

type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

func recvAll(s int) []syscall.NetlinkMessage {
	b := make([]byte, 1<<16)
	n, _, err := syscall.Recvfrom(s, b, syscall.MSG_DONTWAIT)
	if err != nil {
		fmt.Println("nl: recvfrom:", err)
		return nil
	}
	msgs, err := syscall.ParseNetlinkMessage(b[:n])
	if err != nil {
		fmt.Println("nl: parse:", err)
	}
	return msgs
}

// messages yields a dump's messages up to NLMSG_DONE.
func messages(s int) func(func(syscall.NetlinkMessage) bool) {
	return func(yield func(syscall.NetlinkMessage) bool) {
		for range 100 {
			for _, m := range recvAll(s) {
				if m.Header.Type == syscall.NLMSG_DONE || m.Header.Type == syscall.NLMSG_ERROR {
					return
				}
				if !yield(m) {
					return
				}
			}
		}
	}
}

func printError(s int, what string) {
	msgs := recvAll(s)
	if len(msgs) != 1 || msgs[0].Header.Type != syscall.NLMSG_ERROR {
		fmt.Println("nl:", what, ": no NLMSG_ERROR:", msgs)
		return
	}
	e := syscall.Errno(-int32(binary.LittleEndian.Uint32(msgs[0].Data)))
	var echoed syscall.NlMsghdr
	copy((*[syscall.NLMSG_HDRLEN]byte)(unsafe.Pointer(&echoed))[:], msgs[0].Data[4:])
	desc := "acknowledged"
	if e != 0 {
		desc = e.Error()
	}
	fmt.Println("nl:", what+":", desc, "seq", msgs[0].Header.Seq, "echoed seq", echoed.Seq)
}
