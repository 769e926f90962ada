package integration

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// httpdMinMiB is the smallest memory docs/memory.md and README.md give
// for examples/httpd.
const httpdMinMiB = 28

// examples/httpd serves in the memory the documentation promises it: a
// thousand requests over one kept-alive connection and a thousand over
// a connection each (every closed connection lingers in TIME_WAIT, so
// this is the workload that needs the most), then exits cleanly.
func TestHTTPDSmallestMemory(t *testing.T) {
	img := buildImage(t, "./examples/httpd")
	port := freePort(t)
	g := startGuest(t, 10*time.Minute, "run", "--accel", "tcg", "-m", fmt.Sprint(httpdMinMiB), "-p", fmt.Sprintf("%d:8080", port), img)
	g.waitFor(t, "from DHCP", 2*time.Minute)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, c := range []struct {
		name   string
		client *http.Client
	}{
		{"keep-alive", &http.Client{Timeout: time.Minute}},
		{"new connection each", &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}},
	} {
		getPages(t, g, c.client, base, c.name, 1000)
	}
	quitHTTPD(t, g, base)
}

// getPages fetches httpd's page at base n times with client and checks
// each answer whole; name says which client in errors.
func getPages(t *testing.T, g *guest, client *http.Client, base, name string, n int) {
	t.Helper()
	for i := range n {
		resp, err := client.Get(base + "/")
		if err != nil {
			t.Fatalf("%s: request %d: %v\n%s", name, i, err, g.tail())
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), "Hello from coracle") || !strings.HasSuffix(string(body), "unikernel.</p>\n") {
			t.Fatalf("%s: request %d: status %d, %d bytes, %v\n%s", name, i, resp.StatusCode, len(body), err, g.tail())
		}
	}
}

// quitHTTPD asks httpd at base to exit and checks that it did, with
// status 0 and neither a kernel fault nor a Go fatal error on the
// console.
func quitHTTPD(t *testing.T, g *guest, base string) {
	t.Helper()
	if resp, err := http.Get(base + "/quit"); err == nil {
		resp.Body.Close()
	}
	status := g.wait(t)
	for _, s := range append(kernelFaultText, "fatal error") {
		if strings.Contains(g.out.String(), s) {
			t.Errorf("the console shows %q\n%s", s, g)
		}
	}
	if status != 0 {
		t.Errorf("exit status %d, want 0\n%s", status, g)
	}
}
