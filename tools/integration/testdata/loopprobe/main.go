// Loopprobe talks to itself over the loopback interface, which works
// without a NIC: a TCP echo over 127.0.0.1 and [::1] (1 MiB each way,
// several connections at once), an HTTP request to its own server, and
// UDP datagrams over 127.0.0.1.
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// pr prints the lines, each behind the prefix "loopprobe:".
var pr = probe.P("loopprobe")

func main() {
	for _, network := range []struct{ name, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
		tcpEcho(network.name, network.addr)
	}
	httpSelf()
	udpEcho()
	pr.Printf("done")
}

func tcpEcho(network, addr string) {
	l, err := net.Listen(network, addr)
	if err != nil {
		pr.Fail("listen %s %s: %v", network, addr, err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	payload := bytes.Repeat([]byte("coracle loopback "), 1<<16) // ~1 MiB
	want := sha256.Sum256(payload)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial(network, l.Addr().String())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			go func() { c.Write(payload); c.(*net.TCPConn).CloseWrite() }()
			h := sha256.New()
			if n, err := io.Copy(h, c); err != nil || n != int64(len(payload)) || !bytes.Equal(h.Sum(nil), want[:]) {
				errs <- fmt.Errorf("echo: %d bytes back, %v", n, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		pr.Fail("%s: %v", network, err)
	}
	pr.Printf("%s echo of %d bytes on 8 connections over %v", network, len(payload), l.Addr())
}

func httpSelf() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pr.Fail("listen: %v", err)
	}
	go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello, self") }))
	resp, err := http.Get("http://" + l.Addr().String() + "/")
	if err != nil {
		pr.Fail("GET: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pr.Printf("http: %s %q", resp.Status, b)
}

func udpEcho() {
	s, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		pr.Fail("listen udp: %v", err)
	}
	defer s.Close()
	go func() {
		buf := make([]byte, 1<<16)
		for {
			n, from, err := s.ReadFrom(buf)
			if err != nil {
				return
			}
			s.WriteTo(buf[:n], from)
		}
	}()
	c, err := net.Dial("udp4", s.LocalAddr().String())
	if err != nil {
		pr.Fail("dial udp: %v", err)
	}
	defer c.Close()
	buf := make([]byte, 1<<16)
	for _, size := range []int{1, 512, 9000, 60000} {
		msg := bytes.Repeat([]byte{byte(size)}, size)
		if _, err := c.Write(msg); err != nil {
			pr.Fail("udp send %d: %v", size, err)
		}
		n, err := c.Read(buf)
		if err != nil || !bytes.Equal(buf[:n], msg) {
			pr.Fail("udp echo of %d bytes: %d back, %v", size, n, err)
		}
	}
	pr.Printf("udp echo of 1, 512, 9000 and 60000 bytes")
}
