package integration

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// examples/httpd in a 64 MiB VM on a tap device in a network namespace
// the test makes, with a static address (ip= and gw= words): the guest
// answers ping and curl, moves 16 MiB both ways, and serves 100
// connections whose SYNs all arrive at once (QEMU user networking cannot
// pass such a burst).
func TestTap(t *testing.T) {
	ns := newNetns(t)
	img := buildImage(t, "./examples/httpd")
	// 64 MiB: a net/http server fits a small VM (the 32 MiB of
	// zero-initialised crypto scratch space in every such program is
	// backed only if touched).
	g := startGuestIn(t, ns, 5*time.Minute, "run", "--accel", "tcg", "-m", "64", "--tap", tapName,
		"--cmdline", "ip="+tapGuest+"/24 gw="+tapHost, img)
	g.waitFor(t, "httpd: listening on", 2*time.Minute)
	base := "http://" + tapGuest + ":8080"
	if want := "offloads: checksum TSO4 TSO6, receive checksum TSO4 TSO6; mergeable receive buffers"; !strings.Contains(g.out.String(), want) {
		t.Errorf("QEMU offers offloads over a tap device: the console lacks %q\n%s", want, g)
	}

	t.Run("ping", func(t *testing.T) {
		err := ns.do(func() error { return ping(tapGuest, 10) })
		if err != nil {
			t.Errorf("%v\n%s", err, g.tail())
		}
	})
	t.Run("curl", func(t *testing.T) {
		out, err := ns.command("curl", "-sS", "--max-time", "60", base+"/").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "<h1>Hello from coracle</h1>") {
			t.Errorf("curl %s/: %v\n%s", base, err, out)
		}
	})
	t.Run("16 MiB both ways", func(t *testing.T) {
		// Over a tap device QEMU offers checksum and segmentation
		// offload, so these frames take the offload path.
		const size = 16 << 20
		want := httpdBytes(size)
		got, err := ns.command("curl", "-sS", "--max-time", "120", fmt.Sprintf("%s/bytes?n=%d", base, size)).Output()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("download: %d bytes, %v; want the %d expected", len(got), err, size)
		}
		f := filepath.Join(t.TempDir(), "body")
		if err := os.WriteFile(f, want, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := ns.command("curl", "-sS", "--max-time", "120", "--data-binary", "@"+f, base+"/upload").Output()
		if w := httpdUploadAnswer(want); err != nil || string(out) != w {
			t.Errorf("upload: got %q (%v), want %q", out, err, w)
		}
	})
	t.Run("100 connections at once", func(t *testing.T) {
		const n = 100
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		err := ns.do(func() error {
			var err error
			conns, err = connectAll(tapGuest, 8080, n)
			return err
		})
		if err != nil {
			t.Fatalf("%v\n%s", err, g.tail())
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := bufio.NewReader(c)
				for k := range 5 {
					path := "/"
					if i == 0 && k == 4 {
						path = "/api/status" // asked while every connection is open
					}
					body, err := roundTrip(c, r, path)
					if err != nil {
						errs <- fmt.Errorf("connection %d, request %d: %w", i, k, err)
						return
					}
					if path != "/" {
						var st struct{ Goroutines int }
						if err := json.Unmarshal(body, &st); err != nil || st.Goroutines < n {
							errs <- fmt.Errorf("%d connections open, the server runs %d goroutines (%v); want one per connection", n, st.Goroutines, err)
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// connectAll starts n TCP connections to ip:port at once (every connect
// is non-blocking, so all SYNs leave together), then waits for each.
func connectAll(ip string, port, n int) ([]net.Conn, error) {
	sa := &unix.SockaddrInet4{Port: port}
	copy(sa.Addr[:], net.ParseIP(ip).To4())
	var conns []net.Conn
	var fds []int
	for range n {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS {
			return nil, fmt.Errorf("connect: %w", err)
		}
		fds = append(fds, fd)
	}
	deadline := time.Now().Add(time.Minute)
	for i, fd := range fds {
		for {
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
			if _, err := unix.Poll(pfd, int(time.Until(deadline).Milliseconds())); err != nil && err != unix.EINTR {
				return nil, err
			}
			if pfd[0].Revents != 0 || time.Now().After(deadline) {
				break
			}
		}
		if soErr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || soErr != 0 {
			return nil, fmt.Errorf("connection %d of %d: %v %v", i, n, unix.Errno(soErr), err)
		}
		f := os.NewFile(uintptr(fd), "conn")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// roundTrip sends a GET for path on c and returns the response body.
func roundTrip(c net.Conn, r *bufio.Reader, path string) ([]byte, error) {
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: guest\r\n\r\n", path); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// ping sends count ICMP echo requests to ip and wants every reply
// (RFC 792), with its identifier, sequence number and data.
func ping(ip string, count int) error {
	c, err := net.ListenPacket("ip4:icmp", "0.0.0.0")
	if err != nil {
		return err
	}
	defer c.Close()
	dst := &net.IPAddr{IP: net.ParseIP(ip)}
	const id = 0xc0de
	buf := make([]byte, 1500)
	for seq := range count {
		data := []byte(fmt.Sprintf("coracle ping %d", seq))
		req := make([]byte, 8+len(data))
		req[0] = 8 // echo request
		binary.BigEndian.PutUint16(req[4:], id)
		binary.BigEndian.PutUint16(req[6:], uint16(seq))
		copy(req[8:], data)
		binary.BigEndian.PutUint16(req[2:], inetChecksum(req))
		got := false
		for try := 0; try < 3 && !got; try++ {
			if _, err := c.WriteTo(req, dst); err != nil {
				return err
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			for !got {
				n, from, err := c.ReadFrom(buf)
				if err != nil {
					break // timed out: send again
				}
				m := buf[:n]
				got = from.String() == ip && n >= 8 && m[0] == 0 && // echo reply
					binary.BigEndian.Uint16(m[4:]) == id && binary.BigEndian.Uint16(m[6:]) == uint16(seq) &&
					string(m[8:]) == string(data) && inetChecksum(m) == 0
			}
		}
		if !got {
			return fmt.Errorf("no echo reply from %s to request %d", ip, seq)
		}
	}
	return nil
}

// inetChecksum is the Internet checksum (RFC 1071) of b.
func inetChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
