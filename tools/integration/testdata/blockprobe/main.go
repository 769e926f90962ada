// Blockprobe uses blocking sockets through package syscall, as programs
// that do not use package net might: accept, connect, read and write
// without O_NONBLOCK wait for their peer (over loopback), and so does a
// UDP recvfrom.
package main

import (
	"net"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// pr prints the lines, each behind the prefix "blockprobe:".
var pr = probe.P("blockprobe")

var _ = net.IPv4len // package net brings in coracle's socket service

func main() {
	tcp()
	udp()
	pr.Printf("done")
}

func tcp() {
	l := must(syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0))
	pr.Check(syscall.Bind(l, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	pr.Check(syscall.Listen(l, 8))
	sa, err := syscall.Getsockname(l)
	pr.Check(err)
	port := sa.(*syscall.SockaddrInet4).Port

	done := make(chan string)
	go func() {
		time.Sleep(100 * time.Millisecond) // accept waits for this
		c := must(syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0))
		pr.Check(syscall.Connect(c, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}))
		time.Sleep(100 * time.Millisecond) // the server's read waits for this
		_, err := syscall.Write(c, []byte("ping"))
		pr.Check(err)
		buf := make([]byte, 16)
		n := must(syscall.Read(c, buf))
		syscall.Close(c)
		done <- string(buf[:n])
	}()
	start := time.Now()
	c, _, err := syscall.Accept(l)
	pr.Check(err)
	buf := make([]byte, 16)
	n := must(syscall.Read(c, buf))
	if string(buf[:n]) != "ping" {
		pr.Fail("server read %q", buf[:n])
	}
	_, err = syscall.Write(c, []byte("pong"))
	pr.Check(err)
	if got := <-done; got != "pong" {
		pr.Fail("client read %q", got)
	}
	syscall.Close(c)
	syscall.Close(l)
	pr.Printf("tcp accept, connect, read and write blocked and completed (%v)", time.Since(start).Round(100*time.Millisecond) >= 200*time.Millisecond)
}

func udp() {
	s := must(syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0))
	pr.Check(syscall.Bind(s, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(s)
	pr.Check(err)
	go func() {
		time.Sleep(100 * time.Millisecond)
		c := must(syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0))
		pr.Check(syscall.Sendto(c, []byte("hello"), 0, sa))
		syscall.Close(c)
	}()
	buf := make([]byte, 16)
	n, _, err := syscall.Recvfrom(s, buf, 0)
	pr.Check(err)
	if string(buf[:n]) != "hello" {
		pr.Fail("udp read %q", buf[:n])
	}
	if _, _, err := syscall.Recvfrom(s, buf, syscall.MSG_DONTWAIT); err != syscall.EAGAIN {
		pr.Fail("recvfrom with MSG_DONTWAIT on an empty socket: %v, want EAGAIN", err)
	}
	// SO_RCVTIMEO: a blocking receive gives up with EAGAIN.
	tv := syscall.Timeval{Usec: 200_000}
	pr.Check(syscall.SetsockoptTimeval(s, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv))
	start := time.Now()
	if _, _, err := syscall.Recvfrom(s, buf, 0); err != syscall.EAGAIN || time.Since(start) < 200*time.Millisecond {
		pr.Fail("recvfrom with a 200 ms SO_RCVTIMEO: %v after %v, want EAGAIN after the timeout", err, time.Since(start))
	}
	syscall.Close(s)
	pr.Printf("udp recvfrom blocked and completed; MSG_DONTWAIT did not; SO_RCVTIMEO timed out")
}

func must(v int, err error) int {
	pr.Check(err)
	return v
}
