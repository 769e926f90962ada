package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while QEMU writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.ReplaceAll(s.b.String(), "\r\n", "\n")
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A real HTTP client on the host reaches an HTTP server in the guest,
// booted with coracle run -p, through QEMU user networking, the virtio-net driver and gVisor's
// netstack, after the guest took its address by DHCP.
func TestNetstackHTTPOverVirtioNet(t *testing.T) {
	img := buildTestProgram(t, "netstackhttp")
	// coracle run's default network: QEMU user networking with a
	// virtio-net device, on microvm the first virtio-mmio slot.
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut syncBuffer
	cmd := exec.CommandContext(ctx, coracleBin, "run", "--accel", "tcg", "-p", fmt.Sprintf("%d:8080", port), img,
		"--", "virtio_mmio.device=512@0xfeb00e00:12")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type result struct{ err error }
	done := make(chan result, 1)
	go func() { done <- result{cmd.Wait()} }()
	for !strings.Contains(out.String(), "http: listening on :8080") {
		select {
		case r := <-done:
			t.Fatalf("guest stopped before serving: %v\n%s%s", r.err, out.String(), errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if !strings.Contains(out.String(), "dhcp: address 10.0.2.15/24 router 10.0.2.2 dns [10.0.2.3]") {
		t.Errorf("no DHCP lease from QEMU user networking:\n%s", out.String())
	}
	client := &http.Client{Timeout: 20 * time.Second}
	get := func(path string) string {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, out.String())
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, %v", path, resp.StatusCode, err)
		}
		return string(body)
	}
	for i := range 20 {
		path := fmt.Sprintf("/request/%d", i)
		if got, want := get(path), "hello from coracle over virtio-net and netstack, GET "+path+"\n"; got != want {
			t.Errorf("GET %s = %q, want %q", path, got, want)
		}
	}
	if got := get("/quit"); got != "bye\n" {
		t.Errorf("GET /quit = %q", got)
	}
	if r := <-done; r.err != nil {
		t.Errorf("coracle run: %v (want exit status 0)\n%s%s", r.err, out.String(), errOut.String())
	}
}
