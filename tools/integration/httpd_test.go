package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// examples/httpd, an unmodified net/http program, serves real clients on
// the host through coracle run -p: the socket system calls, the socket
// service on gVisor's netstack, virtio-net and QEMU user networking.
func TestHTTPD(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	img := filepath.Join(t.TempDir(), "httpd.img")
	if res := coracle(t, "build", "-o", img, "./examples/httpd"); res.err != nil || res.status != 0 {
		t.Fatalf("build: %s", res)
	}
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errOut syncBuffer
	cmd := exec.CommandContext(ctx, coracleBin, "run", "--accel", "tcg", "-p", fmt.Sprintf("%d:8080", port), img)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// The server listens before DHCP ends; requests work once it has.
	// The guest's messages are on its console: coracle's stdout.
	for deadline := time.Now().Add(time.Minute); !strings.Contains(out.String(), "from DHCP"); {
		select {
		case err := <-done:
			t.Fatalf("guest stopped early: %v\n%s%s", err, out.String(), errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no DHCP lease within a minute:\n%s%s", out.String(), errOut.String())
		}
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	keepAlive := &http.Client{Timeout: time.Minute}
	fresh := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, out.String()[max(0, len(out.String())-3000):])
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: reading the body: %v", path, err)
		}
		return resp.StatusCode, string(b)
	}

	t.Run("static page", func(t *testing.T) {
		if code, body := get(keepAlive, "/"); code != 200 || !strings.Contains(body, "<h1>Hello from coracle</h1>") {
			t.Errorf("GET / = %d %q", code, body)
		}
	})
	t.Run("json", func(t *testing.T) {
		_, body := get(keepAlive, "/api/status")
		var st struct{ Go string }
		if err := json.Unmarshal([]byte(body), &st); err != nil || !strings.HasPrefix(st.Go, "go1.") {
			t.Errorf("GET /api/status = %q (%v)", body, err)
		}
	})
	t.Run("requests", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			client *http.Client
			n      int
		}{{"keep-alive", keepAlive, 200}, {"new connection each", fresh, 100}} {
			for i := range c.n {
				if code, _ := get(c.client, "/"); code != 200 {
					t.Fatalf("%s: request %d: status %d", c.name, i, code)
				}
				if testing.Verbose() && i%50 == 0 {
					t.Logf("%s: %d requests", c.name, i)
				}
			}
		}
	})
	t.Run("upload", func(t *testing.T) {
		for _, size := range []int{0, 1, 100 << 10, 4 << 20} {
			body := make([]byte, size)
			rand.Read(body)
			resp, err := keepAlive.Post(base+"/upload", "application/octet-stream", bytes.NewReader(body))
			if err != nil {
				t.Fatalf("POST %d bytes: %v", size, err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			sum := sha256.Sum256(body)
			if want := fmt.Sprintf("%s %d\n", hex.EncodeToString(sum[:]), size); string(got) != want {
				t.Errorf("POST %d bytes: got %q, want %q", size, got, want)
			}
		}
	})
	t.Run("concurrent connections", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
				for range 5 {
					resp, err := c.Get(base + "/api/status")
					if err != nil {
						errs <- err
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
	t.Run("handler panic", func(t *testing.T) {
		if _, err := fresh.Get(base + "/panic"); err == nil {
			t.Error("GET /panic: want the connection dropped, as net/http does after a handler panic")
		}
		if code, _ := get(fresh, "/"); code != 200 {
			t.Errorf("after a handler panic: status %d", code)
		}
	})
	if code, body := get(fresh, "/quit"); code != 200 || body != "bye\n" {
		t.Errorf("GET /quit = %d %q", code, body)
	}
	if err := <-done; err != nil {
		t.Errorf("coracle run: %v (want exit status 0)\n%s", err, errOut.String())
	}
}
