package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/qemu"
)

// The network of the first-200 rows: QEMU's user networking on
// 192.0.2.0/24 (TEST-NET-1), as bench-http's tap network, with the
// guest's port forwarded from the host's loopback address only.
var (
	slirpNet  = netip.MustParsePrefix("192.0.2.0/24")
	slirpHost = netip.MustParseAddr("192.0.2.1")      // QEMU's side, the guest's gateway
	guestAddr = netip.MustParsePrefix("192.0.2.2/24") // static, on the command line
	loopback  = netip.MustParseAddr("127.0.0.1")      // the forward's host side
)

// httpPort is where examples/httpd listens by default (":8080").
const httpPort = 8080

// first200Line is what the first-200 rows wait for, in the report.
const first200Line = "HTTP/1.1 200 to GET /"

// httpTarget is how a first-200 system is booted: its QEMU arguments
// without the NIC, which is added per boot with a new host port.
type httpTarget struct {
	args    []string
	machine qemu.Machine
}

// userNetdev is the -netdev value: user networking on slirpNet with the
// guest's httpPort forwarded from port on the host's loopback address.
// The guest has a static address; nothing on its path asks QEMU's DHCP.
func userNetdev(port string) string {
	return fmt.Sprintf("user,id=net0,net=%s,host=%s,hostfwd=tcp:%s:%s-%s:%d",
		slirpNet, slirpHost, loopback, port, guestAddr.Addr(), httpPort)
}

// argsFor returns the QEMU arguments of one boot, its NIC forwarding
// the host's port.
func (h *httpTarget) argsFor(port string) ([]string, error) {
	nic, err := qemu.Network{Mode: qemu.NetUser}.Args(h.machine)
	if err != nil {
		return nil, err
	}
	i := slices.Index(nic, "-netdev")
	if i < 0 || i+1 >= len(nic) {
		return nil, fmt.Errorf("no -netdev in the NIC's arguments %q", nic)
	}
	nic[i+1] = userNetdev(port)
	return append(slices.Clone(h.args), nic...), nil
}

// freePort returns a TCP port of the host's loopback address that was
// free a moment ago: QEMU listens there for the forward.
func freePort() (int, error) {
	l, err := net.Listen("tcp", netip.AddrPortFrom(loopback, 0).String())
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// timeFirst200 starts QEMU (path) for one boot of h, GETs / through the
// forward until a complete HTTP/1.1 200 arrives, and kills QEMU. The
// clock starts just before the fork and exec of QEMU and stops when the
// read that completes the answer returns. The console is kept, for -v
// and for errors.
func timeFirst200(ctx context.Context, path string, h *httpTarget, timeout time.Duration) (bootResult, error) {
	return first200(ctx, path, h, nil, killQEMU, timeout)
}

// first200 is timeFirst200 with extra QEMU arguments, and stop to end
// QEMU once the answer has come (or the GETs have given up).
func first200(ctx context.Context, path string, h *httpTarget, extra []string, stop func(p *os.Process, ended <-chan struct{}) error, timeout time.Duration) (bootResult, error) {
	port, err := freePort()
	if err != nil {
		return bootResult{}, fmt.Errorf("finding a free port: %w", err)
	}
	args, err := h.argsFor(strconv.Itoa(port))
	if err != nil {
		return bootResult{}, err
	}
	cmd := exec.Command(path, append(args, extra...)...)
	var console, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &console, &stderr
	ended := make(chan struct{})

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return bootResult{}, fmt.Errorf("starting %s: %w", path, err)
	}
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(ended) }()
	actx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("no complete HTTP/1.1 200 after %v", timeout))
	defer cancel()
	go func() {
		select {
		case <-ended:
			cancel()
		case <-actx.Done():
		}
	}()
	at, tries, err := firstAnswer(actx, netip.AddrPortFrom(loopback, uint16(port)).String())
	stopErr := stop(cmd.Process, ended)
	if err != nil {
		select {
		case <-actx.Done():
			if context.Cause(actx) == context.Canceled && ctx.Err() == nil {
				err = fmt.Errorf("QEMU ended (%v) before the guest answered", waitErr)
			}
		default:
		}
		return bootResult{}, bootError(fmt.Errorf("%w (%d attempts)", err, tries), console.Bytes(), stderr.String())
	}
	if stopErr != nil {
		return bootResult{}, bootError(stopErr, console.Bytes(), stderr.String())
	}
	return bootResult{elapsed: at.Sub(start), console: console.Bytes(), tries: tries}, nil
}

// killQEMU ends QEMU at once: a timed boot is over when the answer
// has come.
func killQEMU(p *os.Process, ended <-chan struct{}) error {
	p.Kill()
	<-ended
	return nil
}

// termQEMU asks QEMU to end with SIGTERM, on which it stops the guest
// and ends cleanly (its -D log complete), and kills it if it has not
// ended within 10 s.
func termQEMU(p *os.Process, ended <-chan struct{}) error {
	p.Signal(syscall.SIGTERM)
	select {
	case <-ended:
		return nil
	case <-time.After(10 * time.Second):
		p.Kill()
		<-ended
		return errors.New("QEMU did not end within 10 s of SIGTERM")
	}
}

// lockedBuffer is a bytes.Buffer that QEMU's output goroutine and the
// benchmark may use at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *lockedBuffer) String() string { return string(b.Bytes()) }
