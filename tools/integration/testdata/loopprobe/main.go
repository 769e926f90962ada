// Loopprobe talks to itself over the loopback interface, which works
// without a NIC: a TCP echo over 127.0.0.1 and [::1] (1 MiB each way,
// several connections at once), an HTTP request to its own server, and
// UDP datagrams over 127.0.0.1. First it checks that sockets which
// streamed through their rings give the rings' pages back once closed.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// pr prints the lines, each behind the prefix "loopprobe:".
var pr = probe.P("loopprobe")

func main() {
	ringPages()
	for _, network := range []struct{ name, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
		tcpEcho(network.name, network.addr, 8, bytes.Repeat([]byte("coracle loopback "), 1<<16)) // ~1 MiB
	}
	httpSelf()
	udpEcho()
	pr.Printf("done")
}

// ringPages streams 512 KiB each way over 16 connections in socket
// slots not used before, which takes every page of both rings of all 32
// sockets (about 3.75 MiB), and fails unless the memory free comes back
// to within 3 MiB of what it was once they are closed: about 1.6 MiB
// stays taken by what the runtime and netstack keep (5.3 MiB when the
// pages stayed with their slots).
func ringPages() {
	const bound = 3072 // KiB
	before := memFreeKiB()
	tcpEcho("tcp4", "127.0.0.1:0", 16, bytes.Repeat([]byte("ring pages "), 512<<10/11))
	var taken int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		// The socket service frees each socket shortly after the close.
		taken = before - memFreeKiB()
		if taken <= bound || time.Now().After(deadline) {
			break
		}
	}
	if taken > bound {
		pr.Fail("ring pages: %d KiB still taken after 16 streaming connections closed (at most %d)", taken, bound)
	}
	pr.Printf("ring pages: given back (%d KiB taken, at most %d)", taken, bound)
}

// memFreeKiB is MemFree from /proc/meminfo, after the runtime has
// collected and returned what it can.
func memFreeKiB() int {
	debug.FreeOSMemory()
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		pr.Fail("meminfo: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemFree:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				pr.Fail("meminfo: %q: %v", sc.Text(), err)
			}
			return n
		}
	}
	pr.Fail("meminfo has no MemFree line")
	return 0
}

func tcpEcho(network, addr string, conns int, payload []byte) {
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
	want := sha256.Sum256(payload)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for range conns {
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
	pr.Printf("%s echo of %d bytes on %d connections over %v", network, len(payload), conns, l.Addr())
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
