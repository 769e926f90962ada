package integration

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// netns is a network namespace a test creates, holding a tap device at
// tapHost (192.0.2.1/24, TEST-NET-1) for a guest at tapGuest: traffic
// between the test and the guest stays off every real network.
type netns struct {
	name string
}

const (
	tapName  = "ctap0"
	tapHost  = "192.0.2.1"
	tapGuest = "192.0.2.2"
)

// newNetns creates the namespace and its tap device, or skips t where
// that needs privileges the test does not have.
func newNetns(t *testing.T) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test creates a network namespace and a tap device")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (Debian's iproute2)")
	}
	n := &netns{name: fmt.Sprintf("coracle-test-%d", os.Getpid())}
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", n.name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", n.name).Run() })
	ip("-n", n.name, "link", "set", "lo", "up")
	ip("-n", n.name, "tuntap", "add", "dev", tapName, "mode", "tap")
	ip("-n", n.name, "addr", "add", tapHost+"/24", "dev", tapName)
	ip("-n", n.name, "link", "set", tapName, "up")
	return n
}

// command returns a command that runs name inside the namespace.
func (n *netns) command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", n.name, name}, args...)...)
}

// do runs f on an OS thread that has entered the namespace, so that
// sockets f creates belong to it. The thread is discarded afterwards.
func (n *netns) do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		fd, err := unix.Open("/run/netns/"+n.name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", n.name, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}
