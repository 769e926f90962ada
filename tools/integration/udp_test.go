package integration

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// UDP and name resolution in the guest (testdata/udpprobe): the guest
// reads the /etc/resolv.conf and /etc/hosts the network service
// publishes, sends datagrams to an echo server on the host, asks a DNS
// server on the host for a name with Go's own resolver, and serves as a
// UDP echo server that this test queries through a QEMU port forward.
func TestUDP(t *testing.T) {
	img := buildTestProgram(t, "udpprobe")
	echo := listenUDP(t)
	go serveEcho(echo)
	const name, answer = "probe.coracle.test", "192.0.2.55"
	dns := listenUDP(t)
	go serveDNS(dns, name, net.ParseIP(answer))
	hostPort := freeUDPPort(t)
	g := startGuest(t, 5*time.Minute, "run", "--accel", "tcg", "-p", fmt.Sprintf("%d:7777/udp", hostPort), img, "--",
		gatewayAddr(echo), gatewayAddr(dns), name, "7777")
	g.waitFor(t, "udpprobe: echoing on", 3*time.Minute)
	for _, want := range []string{
		"udpprobe: resolv.conf: # coracle: from the kernel command line or the DHCP lease nameserver 10.0.2.3",
		"udpprobe: localhost is 127.0.0.1 ::1",
		"udpprobe: 120 datagrams echoed by",
		"udpprobe: " + name + " is " + answer,
	} {
		if !strings.Contains(g.out.String(), want) {
			t.Errorf("console lacks %q\n%s", want, g)
		}
	}

	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", hostPort))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 2048)
	for i := range 50 {
		msg := fmt.Sprintf("datagram %d %s", i, strings.Repeat("x", i*20))
		got := ""
		for try := 0; try < 5 && got != msg; try++ { // UDP may drop
			c.Write([]byte(msg))
			c.SetReadDeadline(time.Now().Add(3 * time.Second))
			if n, err := c.Read(buf); err == nil {
				got = string(buf[:n])
			}
		}
		if got != msg {
			t.Fatalf("echo of %q: got %q\n%s", msg, got, g)
		}
	}
	c.Write([]byte("quit"))
	if status := g.wait(t); status != 0 || !strings.Contains(g.out.String(), "udpprobe: done") {
		t.Errorf("exit status %d\n%s", status, g)
	}
}

func listenUDP(t *testing.T) *net.UDPConn {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// gatewayAddr is where the guest reaches c: QEMU user networking's
// gateway stands for the host's loopback.
func gatewayAddr(c *net.UDPConn) string {
	return fmt.Sprintf("10.0.2.2:%d", c.LocalAddr().(*net.UDPAddr).Port)
}

func freeUDPPort(t *testing.T) int {
	c := listenUDP(t)
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func serveEcho(c *net.UDPConn) {
	buf := make([]byte, 1<<16)
	for {
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			return
		}
		c.WriteToUDP(buf[:n], from)
	}
}

// serveDNS answers A queries for name with ip and every other query
// with no records (RFC 1035 §4.1).
func serveDNS(c *net.UDPConn, name string, ip net.IP) {
	buf := make([]byte, 512)
	for {
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			return
		}
		q := buf[:n]
		if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
			continue
		}
		// The question: labels, then QTYPE and QCLASS.
		end, labels := 12, []string{}
		for end < len(q) && q[end] != 0 {
			l := int(q[end])
			if end+1+l > len(q) {
				break
			}
			labels = append(labels, string(q[end+1:end+1+l]))
			end += 1 + l
		}
		end += 5
		if end > len(q) {
			continue
		}
		qtype := binary.BigEndian.Uint16(q[end-4:])
		resp := append([]byte{}, q[:end]...)
		binary.BigEndian.PutUint16(resp[2:], 0x8180) // response, RD, RA, NOERROR
		binary.BigEndian.PutUint16(resp[8:], 0)      // no authority records
		binary.BigEndian.PutUint16(resp[10:], 0)     // no additional records (drops EDNS)
		if qtype == 1 && strings.EqualFold(strings.Join(labels, "."), name) {
			binary.BigEndian.PutUint16(resp[6:], 1)
			resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
			resp = append(resp, ip.To4()...)
		} else {
			binary.BigEndian.PutUint16(resp[6:], 0)
		}
		c.WriteToUDP(resp, from)
	}
}
