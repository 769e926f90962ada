package integration

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// examples/httpd, an unmodified net/http program, serves real clients on
// the host through coracle run -p: the socket system calls, the socket
// service on gVisor's netstack, virtio-net and QEMU user networking. On
// microvm the NIC is virtio-mmio; on q35 it is virtio-pci with MSI-X; on
// pc it is virtio-pci kept on its INTx line (coracle.nomsix).
func TestHTTPD(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed: make test installs it (apt-get install -y curl)")
	}
	img := buildImage(t, "./examples/httpd")
	for _, c := range []struct{ name, machine, cmdline, nic string }{
		{"microvm", "microvm", "", "virtio-net at MMIO 0xfeb00e00 irq 12"},
		{"q35", "q35", "", ", MSI-X, MAC"},
		{"pc-intx", "pc", "coracle.nomsix", ", INTx irq "},
	} {
		t.Run(c.name, func(t *testing.T) { testHTTPD(t, img, c.machine, c.cmdline, c.nic) })
	}
}

// httpdBytes is what examples/httpd serves for /bytes?n=N: the first n
// bytes of a ChaCha8 stream with a zero seed.
func httpdBytes(n int) []byte {
	b := make([]byte, n)
	mrand.NewChaCha8([32]byte{}).Read(b)
	return b
}

// httpdUploadAnswer is examples/httpd's answer to body POSTed to
// /upload: its SHA-256 in hex and its length.
func httpdUploadAnswer(body []byte) string {
	sum := sha256.Sum256(body)
	return fmt.Sprintf("%s %d\n", hex.EncodeToString(sum[:]), len(body))
}

func testHTTPD(t *testing.T, img, machine, cmdline, nic string) {
	port := freePort(t)
	g := startGuest(t, 10*time.Minute, "run", "--accel", "tcg", "--machine", machine, "--cmdline", cmdline, "-p", fmt.Sprintf("%d:8080", port), img)
	// The server listens before DHCP ends; requests work once it has.
	g.waitFor(t, "from DHCP", 2*time.Minute)
	if !strings.Contains(g.out.String(), nic) {
		t.Errorf("the NIC line lacks %q\n%s", nic, g)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	keepAlive := &http.Client{Timeout: time.Minute}
	fresh := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(t *testing.T, c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, g.tail())
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: reading the body: %v", path, err)
		}
		return resp.StatusCode, string(b)
	}

	t.Run("static page", func(t *testing.T) {
		if code, body := get(t, keepAlive, "/"); code != 200 || !strings.Contains(body, "<h1>Hello from coracle</h1>") {
			t.Errorf("GET / = %d %q", code, body)
		}
	})
	t.Run("json", func(t *testing.T) {
		_, body := get(t, keepAlive, "/api/status")
		var st struct{ Go string }
		if err := json.Unmarshal([]byte(body), &st); err != nil || !strings.HasPrefix(st.Go, "go1.") {
			t.Errorf("GET /api/status = %q (%v)", body, err)
		}
	})
	for _, c := range []struct {
		name   string
		client *http.Client
	}{{"keep-alive", keepAlive}, {"new connection each", fresh}} {
		t.Run("1000 requests/"+c.name, func(t *testing.T) {
			for i := range 1000 {
				if code, _ := get(t, c.client, "/"); code != 200 {
					t.Fatalf("request %d: status %d", i, code)
				}
			}
		})
	}
	t.Run("curl 1000 requests", func(t *testing.T) {
		for _, c := range []struct {
			name     string
			args     []string
			connects func(int) bool
		}{
			{"keep-alive", nil, func(n int) bool { return n <= 5 }},
			{"connection close", []string{"-H", "Connection: close"}, func(n int) bool { return n == 1000 }},
		} {
			args := append([]string{"-sS", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n"}, c.args...)
			out := curl(t, append(args, base+"/?i=[1-1000]")...)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			connects := 0
			for _, l := range lines {
				code, n, _ := strings.Cut(l, " ")
				if code != "200" {
					t.Fatalf("%s: a request answered %q", c.name, l)
				}
				k, _ := strconv.Atoi(n)
				connects += k
			}
			if len(lines) != 1000 || !c.connects(connects) {
				t.Errorf("%s: %d answers over %d connections", c.name, len(lines), connects)
			}
		}
	})
	t.Run("upload", func(t *testing.T) {
		for _, size := range []int{0, 1, 100 << 10, 16 << 20} {
			body := make([]byte, size)
			rand.Read(body)
			want := httpdUploadAnswer(body)
			resp, err := keepAlive.Post(base+"/upload", "application/octet-stream", bytes.NewReader(body))
			if err != nil {
				t.Fatalf("POST %d bytes: %v\n%s", size, err, g.tail())
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != want {
				t.Errorf("POST %d bytes: got %q, want %q", size, got, want)
			}
			if size == 16<<20 {
				f := filepath.Join(t.TempDir(), "body")
				if err := os.WriteFile(f, body, 0o644); err != nil {
					t.Fatal(err)
				}
				if got := curl(t, "-sS", "--data-binary", "@"+f, base+"/upload"); got != want {
					t.Errorf("curl POST %d bytes: got %q, want %q", size, got, want)
				}
			}
		}
	})
	t.Run("download", func(t *testing.T) {
		for _, size := range []int{0, 1, 100 << 10, 16 << 20} {
			want := httpdBytes(size)
			path := fmt.Sprintf("/bytes?n=%d", size)
			if _, got := get(t, keepAlive, path); got != string(want) {
				t.Errorf("GET %s: %d bytes, not the %d expected", path, len(got), size)
			}
			if size == 16<<20 {
				if got := curl(t, "-sS", base+path); got != string(want) {
					t.Errorf("curl GET %s: %d bytes, not the %d expected", path, len(got), size)
				}
			}
		}
	})
	t.Run("100 concurrent connections", func(t *testing.T) {
		// Each client opens its connection and keeps it; once all 100
		// are open, the server must have a goroutine for each, and all
		// of them then send requests at once. The connections are
		// opened one after another: QEMU's port forward listens with a
		// backlog of 1, so a burst of connects loses SYNs on the host.
		const n = 100
		var wg sync.WaitGroup
		opening := make(chan struct{}, 1)
		release := make(chan struct{})
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			opening <- struct{}{}
			go func() {
				defer wg.Done()
				c := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxConnsPerHost: 1}}
				defer c.CloseIdleConnections()
				for i := range 5 {
					resp, err := c.Get(base + "/")
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
					if i == 0 {
						<-opening
						<-release
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		opening <- struct{}{} // the last connection is open
		_, body := get(t, keepAlive, "/api/status")
		close(release)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var st struct{ Goroutines int }
		if err := json.Unmarshal([]byte(body), &st); err != nil || st.Goroutines < n {
			t.Errorf("with %d connections open the server runs %d goroutines (%v); want one per connection", n, st.Goroutines, err)
		}
	})
	t.Run("pprof", func(t *testing.T) {
		for path, want := range map[string]string{
			"/debug/pprof/":                  "Types of profiles available",
			"/debug/pprof/heap?debug=1":      "heap profile:",
			"/debug/pprof/goroutine?debug=1": "goroutine profile:",
		} {
			if code, body := get(t, keepAlive, path); code != 200 || !strings.Contains(body, want) {
				t.Errorf("GET %s = %d, body lacks %q", path, code, want)
			}
		}
	})
	t.Run("cpu profile", func(t *testing.T) {
		// The profiler's SIGPROF comes from the kernel's ITIMER_PROF,
		// which counts CPU time: keep the server busy meanwhile.
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
					if resp, err := keepAlive.Get(base + "/bytes?n=100000"); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}
		}()
		code, body := get(t, fresh, "/debug/pprof/profile?seconds=2")
		close(stop)
		if code != 200 {
			t.Fatalf("GET /debug/pprof/profile = %d %q", code, body)
		}
		f := filepath.Join(t.TempDir(), "cpu.pb.gz")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("go", "tool", "pprof", "-top", f).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Type: cpu") || strings.Contains(string(out), "Total samples = 0") {
			t.Errorf("go tool pprof -top: %v, want CPU samples\n%s", err, out)
		}
	})
	t.Run("handler panic", func(t *testing.T) {
		if _, err := fresh.Get(base + "/panic"); err == nil {
			t.Error("GET /panic: want the connection dropped, as net/http does after a handler panic")
		}
		if code, _ := get(t, fresh, "/"); code != 200 {
			t.Errorf("after a handler panic: status %d", code)
		}
	})
	if code, body := get(t, fresh, "/quit"); code != 200 || body != "bye\n" {
		t.Errorf("GET /quit = %d %q", code, body)
	}
	if status := g.wait(t); status != 0 {
		t.Errorf("exit status %d, want 0\n%s", status, g)
	}
}

// curl runs curl with args and returns its output.
func curl(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("curl", append([]string{"--max-time", "120"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
