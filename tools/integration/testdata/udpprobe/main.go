// Udpprobe exercises UDP and name resolution in the guest. It waits for
// the network's /etc/resolv.conf, resolves localhost through /etc/hosts,
// sends datagrams to an echo server on the host and checks the replies,
// resolves a name through Go's own DNS client against a server on the
// host, then echoes datagrams on a port of its own until told to stop.
//
// Usage: udpprobe ECHO-ADDR DNS-ADDR NAME LISTEN-PORT
package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// pr prints the lines, each behind the prefix "udpprobe:".
var pr = probe.P("udpprobe")

func main() {
	if len(os.Args) != 5 {
		pr.Fail("usage: udpprobe ECHO-ADDR DNS-ADDR NAME LISTEN-PORT")
	}
	echoAddr, dnsAddr, name, port := os.Args[1], os.Args[2], os.Args[3], os.Args[4]

	conf := waitResolvConf()
	pr.Printf("resolv.conf: %s", strings.Join(strings.Fields(conf), " "))

	addrs, err := net.LookupHost("localhost")
	if err != nil {
		pr.Fail("lookup localhost: %v", err)
	}
	pr.Printf("localhost is %s", strings.Join(addrs, " "))

	echoClient(echoAddr)

	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dnsAddr)
	}}
	ips, err := r.LookupHost(context.Background(), name)
	if err != nil {
		pr.Fail("lookup %s: %v", name, err)
	}
	pr.Printf("%s is %s", name, strings.Join(ips, " "))

	echoServer(port)
}

// waitResolvConf returns /etc/resolv.conf once it names a server (DHCP
// runs in the background).
func waitResolvConf() string {
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, err := os.ReadFile("/etc/resolv.conf")
		if err == nil && bytes.Contains(b, []byte("nameserver")) {
			return string(b)
		}
		if time.Now().After(deadline) {
			pr.Fail("no name server in /etc/resolv.conf: %q, %v", b, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// echoClient sends datagrams of several sizes, connected and not, and
// checks each reply.
func echoClient(addr string) {
	raddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		pr.Fail("%v", err)
	}
	c, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		pr.Fail("dial %s: %v", addr, err)
	}
	defer c.Close()
	u, err := net.ListenUDP("udp", nil)
	if err != nil {
		pr.Fail("listen: %v", err)
	}
	defer u.Close()
	buf := make([]byte, 1<<16)
	sizes := []int{0, 1, 100, 1400, 4000, 8192}
	n := 0
	for round := range 20 {
		for _, size := range sizes {
			msg := bytes.Repeat([]byte{byte(round*len(sizes) + size)}, size)
			var got []byte
			if round%2 == 0 {
				got = exchange(c, nil, msg, buf)
			} else {
				got = exchange(u, raddr, msg, buf)
			}
			if !bytes.Equal(got, msg) {
				pr.Fail("echo of %d bytes came back as %d bytes", len(msg), len(got))
			}
			n++
		}
	}
	pr.Printf("%d datagrams echoed by %s", n, addr)
}

// exchange sends msg (to to, if the socket is not connected) and
// returns the reply, resending on a timeout: UDP may drop.
func exchange(c *net.UDPConn, to *net.UDPAddr, msg, buf []byte) []byte {
	for range 5 {
		var err error
		if to != nil {
			_, err = c.WriteToUDP(msg, to)
		} else {
			_, err = c.Write(msg)
		}
		if err != nil {
			pr.Fail("send %d bytes: %v", len(msg), err)
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, from, err := c.ReadFromUDP(buf)
		if err == nil {
			if to != nil && from.Port != to.Port {
				pr.Fail("reply from %v, want %v", from, to)
			}
			return buf[:n]
		}
		if !os.IsTimeout(err) {
			pr.Fail("receive: %v", err)
		}
	}
	pr.Fail("no reply to %d bytes after 5 tries", len(msg))
	return nil
}

// echoServer answers every datagram on port with its contents until one
// says "quit".
func echoServer(port string) {
	pc, err := net.ListenPacket("udp", ":"+port)
	if err != nil {
		pr.Fail("listen on %s: %v", port, err)
	}
	pr.Printf("echoing on %v", pc.LocalAddr())
	buf := make([]byte, 1<<16)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			pr.Fail("echo server: %v", err)
		}
		if string(buf[:n]) == "quit" {
			pr.Printf("done")
			return
		}
		if _, err := pc.WriteTo(buf[:n], from); err != nil {
			pr.Fail("echo server: %v", err)
		}
	}
}
