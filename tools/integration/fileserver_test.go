package integration

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// examples/fileserver, an unmodified net/http program, serves a host
// directory through http.FileServer and lists its directories: packed
// into the image with --files, with uploads kept in the guest's /tmp;
// and shared with -v (virtio-9p), with uploads written to a second
// shared directory, where the host finds them.
func TestFileServer(t *testing.T) {
	tree := t.TempDir()
	blob := make([]byte, 300<<10)
	rand.Read(blob)
	files := map[string][]byte{
		"index.html":    []byte("<!doctype html><title>site</title><p>from the host</p>\n"),
		"sub/data.bin":  blob,
		"sub/notes.txt": []byte("notes\n"),
	}
	for name, data := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("files", func(t *testing.T) {
		img := filepath.Join(t.TempDir(), "fileserver.img")
		if res := coracle(t, "build", "-o", img, "--files", tree+":/srv", "./examples/fileserver"); res.err != nil || res.status != 0 {
			t.Fatalf("build: %v\n%s", res.err, res)
		}
		checkFileServer(t, files, nil, img)
	})
	t.Run("shared", func(t *testing.T) {
		img := filepath.Join(t.TempDir(), "fileserver.img")
		if res := coracle(t, "build", "--shares", "-o", img, "./examples/fileserver"); res.err != nil || res.status != 0 {
			t.Fatalf("build: %v\n%s", res.err, res)
		}
		uploads := t.TempDir()
		up := checkFileServer(t, files, []string{"-v", tree + ":/srv:ro", "-v", uploads + ":/uploads"}, img, "--", "-uploads", "/uploads")
		if got, err := os.ReadFile(filepath.Join(uploads, "up.bin")); err != nil || !bytes.Equal(got, up) {
			t.Errorf("the upload on the host: %d bytes, %v; want the 1 MiB uploaded", len(got), err)
		}
	})
}

// checkFileServer boots the fileserver image with the run flags flags
// (and what follows the image) and checks what it serves; it returns the
// bytes it uploaded.
func checkFileServer(t *testing.T, files map[string][]byte, flags []string, img string, rest ...string) []byte {
	t.Helper()
	port := freePort(t)
	args := append([]string{"run", "--accel", "tcg", "-p", fmt.Sprintf("%d:8080", port)}, flags...)
	g := startGuest(t, 5*time.Minute, append(append(args, img), rest...)...)
	g.waitFor(t, "from DHCP", 2*time.Minute)
	g.waitFor(t, "fileserver: serving", time.Minute) // listening: with shares, main starts after they are attached
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: time.Minute}
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, g.tail())
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp.StatusCode, b
	}
	for name, want := range files {
		if code, got := get("/" + name); code != 200 || !bytes.Equal(got, want) {
			t.Errorf("GET /%s: %d, %d bytes; want 200 and the host's %d bytes", name, code, len(got), len(want))
		}
	}
	if code, got := get("/"); code != 200 || !bytes.Contains(got, []byte("from the host")) {
		t.Errorf("GET /: %d %q, want index.html", code, got)
	}
	if code, got := get("/sub/"); code != 200 || !bytes.Contains(got, []byte(`href="data.bin"`)) || !bytes.Contains(got, []byte(`href="notes.txt"`)) {
		t.Errorf("GET /sub/: %d %q, want a listing of data.bin and notes.txt", code, got)
	}
	if code, _ := get("/missing"); code != 404 {
		t.Errorf("GET /missing: %d, want 404", code)
	}
	// An upload lands in /tmp and is served back.
	up := make([]byte, 1<<20)
	rand.Read(up)
	sum := sha256.Sum256(up)
	req, _ := http.NewRequest(http.MethodPut, base+"/upload/up.bin", bytes.NewReader(up))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("PUT: %v\n%s", err, g.tail())
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf("%d %s\n", len(up), hex.EncodeToString(sum[:])); resp.StatusCode != 200 || string(answer) != want {
		t.Errorf("PUT /upload/up.bin: %d %q, want 200 %q", resp.StatusCode, answer, want)
	}
	if code, got := get("/uploads/up.bin"); code != 200 || !bytes.Equal(got, up) {
		t.Errorf("GET /uploads/up.bin: %d, %d bytes; want the 1 MiB uploaded", code, len(got))
	}
	if !strings.Contains(g.out.String(), "fileserver: serving /srv on") {
		t.Errorf("no serving line\n%s", g)
	}
	return up
}
