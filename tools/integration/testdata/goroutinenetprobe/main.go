// Goroutinenetprobe uses package net over loopback (a TCP connection and
// a UDP socket) and prints what it can see of its goroutines before and
// while it does: runtime.NumGoroutine and the goroutine profile.
// Natively package net starts no goroutine; in the guest the network
// runs in goroutines (the socket service, its per-socket pumps, the
// virtio-net link, gVisor's netstack), and the program must see no more
// of them than Go's runtime shows of its own. With the argument "crash"
// it ends in a panic, whose traceback shows coracle's services only with
// GOTRACEBACK=system.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/goroutines"
	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

var pr = probe.P("goroutinenetprobe")

func main() {
	// gVisor starts one TCP processor per P: the test counts on this
	// line (outside the prefix compared with the host's output).
	fmt.Printf("gomaxprocs: %d\n", runtime.GOMAXPROCS(0))
	goroutines.Count(pr, "start")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	pr.Check(err)
	c, err := net.Dial("tcp", ln.Addr().String())
	pr.Check(err)
	s, err := ln.Accept()
	pr.Check(err)
	_, err = c.Write([]byte("ping"))
	pr.Check(err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(s, buf)
	pr.Check(err)
	pr.Say("tcp", string(buf))

	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	pr.Check(err)
	_, err = u.WriteTo([]byte("pong"), u.LocalAddr())
	pr.Check(err)
	n, _, err := u.ReadFrom(buf)
	pr.Check(err)
	pr.Say("udp", string(buf[:n]))

	goroutines.Count(pr, "sockets open")
	goroutines.Profile(pr)
	if len(os.Args) > 1 && os.Args[1] == "crash" {
		goroutines.Crash(pr)
	}
	for _, cl := range []io.Closer{u, s, c, ln} {
		pr.Check(cl.Close())
	}
	goroutines.Count(pr, "end")
	pr.Printf("done")
}
