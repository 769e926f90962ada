package main

import (
	"slices"
	"strings"
	"testing"
)

func TestNetnsCommands(t *testing.T) {
	n := newNetns(4242)
	if n.name != "coracle-bench-4242" || n.path() != "/run/netns/coracle-bench-4242" {
		t.Errorf("name %q, path %q", n.name, n.path())
	}
	var got []string
	for _, argv := range n.setUpCommands() {
		got = append(got, strings.Join(argv, " "))
	}
	want := []string{
		"ip netns add coracle-bench-4242",
		"ip -n coracle-bench-4242 link set lo up",
		"ip -n coracle-bench-4242 tuntap add dev benchtap0 mode tap",
		"ip -n coracle-bench-4242 addr add 192.0.2.1/24 dev benchtap0",
		"ip -n coracle-bench-4242 link set benchtap0 up",
	}
	if !slices.Equal(got, want) {
		t.Errorf("set-up:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = nil
	for _, argv := range n.tearDownCommands() {
		got = append(got, strings.Join(argv, " "))
	}
	want = []string{"ip -n coracle-bench-4242 link del benchtap0", "ip netns del coracle-bench-4242"}
	if !slices.Equal(got, want) {
		t.Errorf("tear-down: %q, want %q", got, want)
	}
	if got := strings.Join(n.exec("wrk", "-c", "1"), " "); got != "ip netns exec coracle-bench-4242 wrk -c 1" {
		t.Errorf("exec: %s", got)
	}
}

// Only addresses of TEST-NET-1 are used, and both ends are on one /24.
func TestAddresses(t *testing.T) {
	for _, p := range []struct {
		name string
		s    string
	}{{"host", hostAddr.String()}, {"guest", guestAddr.String()}} {
		if !strings.HasPrefix(p.s, "192.0.2.") || !strings.HasSuffix(p.s, "/24") {
			t.Errorf("%s address %s is not in 192.0.2.0/24", p.name, p.s)
		}
	}
	if hostAddr.Masked() != guestAddr.Masked() || hostAddr.Addr() == guestAddr.Addr() {
		t.Errorf("host %v and guest %v must be different addresses on one subnet", hostAddr, guestAddr)
	}
}

func TestStaleNamespaces(t *testing.T) {
	names := namespaceNames([]byte("coracle-bench-100 (id: 3)\nother\ncoracle-bench-200\ncoracle-bench-x\ncoracle-bench-0300\ncoracle-bench-300\n"))
	if want := []string{"coracle-bench-100", "other", "coracle-bench-200", "coracle-bench-x", "coracle-bench-0300", "coracle-bench-300"}; !slices.Equal(names, want) {
		t.Fatalf("namespaceNames = %q, want %q", names, want)
	}
	running := func(pid int) bool { return pid == 200 }
	if got, want := staleNamespaces(names, running), []string{"coracle-bench-100", "coracle-bench-300"}; !slices.Equal(got, want) {
		t.Errorf("staleNamespaces = %q, want %q", got, want)
	}
}
