package kv

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// newServer serves a fresh store in a temporary directory.
func newServer(t *testing.T) (*httptest.Server, *Store) {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "kv.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, s
}

// do sends one request and returns the status and body.
func do(t *testing.T, srv *httptest.Server, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestPutGetDeleteList(t *testing.T) {
	srv, _ := newServer(t)
	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/kv/a", "", 404, "no key \"a\"\n"},
		{"PUT", "/kv/a", "1", 204, ""},
		{"PUT", "/kv/b/c", "two", 204, ""},
		{"PUT", "/kv/ab", "3", 204, ""},
		{"PUT", "/kv/a%20b", "space", 204, ""},
		{"GET", "/kv/a", "", 200, "1"},
		{"GET", "/kv/b/c", "", 200, "two"},
		{"GET", "/kv/a%20b", "", 200, "space"},
		{"PUT", "/kv/a", "one", 204, ""},
		{"GET", "/kv/a", "", 200, "one"},
		{"GET", "/kv/", "", 200, "a\na b\nab\nb/c\n"},
		{"GET", "/kv/?prefix=a", "", 200, "a\na b\nab\n"},
		{"GET", "/kv/?prefix=b%2F", "", 200, "b/c\n"},
		{"GET", "/kv/?prefix=z", "", 200, ""},
		{"DELETE", "/kv/a", "", 204, ""},
		{"DELETE", "/kv/a", "", 404, "no key \"a\"\n"},
		{"GET", "/kv/a", "", 404, "no key \"a\"\n"},
		{"GET", "/kv/?prefix=a", "", 200, "a b\nab\n"},
	}
	for _, s := range steps {
		status, body := do(t, srv, s.method, s.path, s.body)
		if status != s.status || body != s.want {
			t.Fatalf("%s %s: got %d %q, want %d %q", s.method, s.path, status, body, s.status, s.want)
		}
	}
}

func TestEmptyValue(t *testing.T) {
	srv, _ := newServer(t)
	if status, _ := do(t, srv, "PUT", "/kv/e", ""); status != 204 {
		t.Fatalf("PUT of an empty value: %d", status)
	}
	if status, body := do(t, srv, "GET", "/kv/e", ""); status != 200 || body != "" {
		t.Fatalf("GET of an empty value: %d %q", status, body)
	}
}

func TestErrors(t *testing.T) {
	srv, _ := newServer(t)
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/other", "", 404},
		{"PUT", "/kv/", "x", 405},
		{"POST", "/kv/a", "x", 405},
		{"PUT", "/kv/a%0Ab", "x", 400},
		{"PUT", "/kv/" + strings.Repeat("k", MaxKeyLen+1), "x", 400},
		{"PUT", "/kv/big", strings.Repeat("v", MaxValueLen+1), 413},
	} {
		status, body := do(t, srv, c.method, c.path, c.body)
		if status != c.status {
			t.Errorf("%s %.40s: got %d %q, want %d", c.method, c.path, status, body, c.status)
		}
	}
	if status, body := do(t, srv, "GET", "/kv/", ""); status != 200 || body != "" {
		t.Errorf("after refused writes the store lists %q (%d), want nothing", body, status)
	}
}

// TestReopen checks that what was acknowledged is there after the store
// is closed and opened again.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kv.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	if status, _ := do(t, srv, "PUT", "/kv/k", "v"); status != 204 {
		t.Fatal(status)
	}
	srv.Close()
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Get("k"); err != nil || string(v) != "v" {
		t.Fatalf("after reopening: %q, %v", v, err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing", "kv.db")); err == nil || !strings.Contains(err.Error(), "is the disk mounted") {
		t.Errorf("a missing directory: %v", err)
	}
	path := filepath.Join(dir, "kv.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// bbolt's flock is per open file description, so a second Open in
	// the same process waits for it as another process would.
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "another process holds") {
		t.Errorf("a database held open: %v", err)
	}
}
