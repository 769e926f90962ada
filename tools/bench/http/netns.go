package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The benchmark's network: 192.0.2.0/24 (TEST-NET-1, RFC 5737), which
// is never routed anywhere, on a tap device inside a network namespace of
// its own, so that nothing on the host's own network is touched or in
// the way.
var (
	hostAddr  = netip.MustParsePrefix("192.0.2.1/24") // the tap device, where wrk runs
	guestAddr = netip.MustParsePrefix("192.0.2.2/24") // each guest in turn
)

// nsPrefix starts the names of the namespaces the benchmark creates; the
// process ID follows.
const nsPrefix = "coracle-bench-"

// tapName is the tap device's name, inside the namespace.
const tapName = "benchtap0"

// netns is the benchmark's network namespace and the tap device in it.
type netns struct {
	name string
	tap  string
	host netip.Prefix // the tap device's address
}

func newNetns(pid int) netns {
	return netns{name: nsPrefix + strconv.Itoa(pid), tap: tapName, host: hostAddr}
}

// path is the namespace's file, which ip netns add bind-mounts.
func (n netns) path() string { return filepath.Join("/run/netns", n.name) }

// setUpCommands are the ip commands that create the namespace and the
// tap device in it, with lo up.
func (n netns) setUpCommands() [][]string {
	return [][]string{
		{"ip", "netns", "add", n.name},
		{"ip", "-n", n.name, "link", "set", "lo", "up"},
		{"ip", "-n", n.name, "tuntap", "add", "dev", n.tap, "mode", "tap"},
		{"ip", "-n", n.name, "addr", "add", n.host.String(), "dev", n.tap},
		{"ip", "-n", n.name, "link", "set", n.tap, "up"},
	}
}

// tearDownCommands remove the tap device and the namespace. Deleting the
// namespace would take the device with it; deleting it first says so
// explicitly.
func (n netns) tearDownCommands() [][]string {
	return [][]string{
		{"ip", "-n", n.name, "link", "del", n.tap},
		{"ip", "netns", "del", n.name},
	}
}

// exec returns argv run inside the namespace.
func (n netns) exec(argv ...string) []string {
	return append([]string{"ip", "netns", "exec", n.name}, argv...)
}

// setUp creates the namespace. On failure, what was created is removed.
func (n netns) setUp(ctx context.Context) error {
	for i, argv := range n.setUpCommands() {
		if err := runIP(ctx, argv); err != nil {
			if i > 0 {
				n.tearDown(io.Discard)
			}
			return err
		}
	}
	return nil
}

// tearDown removes the namespace. It runs also after ctx ended (an
// interrupt), with a time limit of its own. Problems are logged.
func (n netns) tearDown(log io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmds := n.tearDownCommands()
	runIP(ctx, cmds[0]) // gone already if setting it up failed early
	for _, argv := range cmds[1:] {
		if err := runIP(ctx, argv); err != nil {
			fmt.Fprintf(log, "bench: removing network namespace %s: %v\n", n.name, err)
		}
	}
}

func runIP(ctx context.Context, argv []string) error {
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// dial connects to addr from inside the namespace: the socket is created
// by a thread that has joined it (a socket stays in the namespace it was
// created in). The thread then returns to the namespace it came from
// before it is unlocked, so that no other goroutine ever runs in the
// benchmark's namespace. It must not end instead, as a locked thread
// does when its goroutine exits: QEMU and wrk are started with a parent
// death signal, which the kernel sends when the thread that forked them
// ends, and any thread may have.
func (n netns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		c, err := n.dialLocked(ctx, network, addr)
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}

// dialLocked is dial's work. It unlocks the thread unless the thread is
// left in another namespace; then the thread ends with its goroutine.
//
// Preconditions: the goroutine is locked to its thread.
func (n netns) dialLocked(ctx context.Context, network, addr string) (net.Conn, error) {
	home, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer home.Close()
	ns, err := os.Open(n.path())
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer ns.Close()
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("joining network namespace %s: %w", n.name, err)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if unix.Setns(int(home.Fd()), unix.CLONE_NEWNET) == nil {
		runtime.UnlockOSThread()
	}
	return c, err
}

// staleNamespaces returns the namespaces among names that earlier runs
// of the benchmark created and left behind (killed before they could
// remove them): those named nsPrefix+PID whose process is not running
// this program any more. running reports whether pid is one.
func staleNamespaces(names []string, running func(pid int) bool) []string {
	var stale []string
	for _, name := range names {
		num, ok := strings.CutPrefix(name, nsPrefix)
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(num)
		if err != nil || pid <= 0 || strconv.Itoa(pid) != num {
			continue
		}
		if !running(pid) {
			stale = append(stale, name)
		}
	}
	return stale
}

// namespaceNames parses ip netns list: a name first on each line,
// perhaps followed by " (id: N)".
func namespaceNames(out []byte) []string {
	var names []string
	for line := range bytes.Lines(out) {
		if f := strings.Fields(string(line)); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

// removeStaleNamespaces deletes what staleNamespaces finds, saying so.
func removeStaleNamespaces(ctx context.Context, log io.Writer) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		return
	}
	self, _ := os.ReadFile("/proc/self/comm")
	running := func(pid int) bool {
		comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		return err == nil && bytes.Equal(comm, self)
	}
	for _, name := range staleNamespaces(namespaceNames(out), running) {
		fmt.Fprintf(log, "bench: removing network namespace %s, left behind by an earlier run\n", name)
		netns{name: name, tap: tapName}.tearDown(log)
	}
}
