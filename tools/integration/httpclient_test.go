package integration

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

// The guest as a client: an unmodified net/http program in the guest
// fetches a body from a server this test runs on the host, through QEMU
// user networking's gateway (10.0.2.2 is the host's loopback).
func TestGuestHTTPClient(t *testing.T) {
	img := buildTestProgram(t, "httpclient")
	body := make([]byte, 1<<20)
	rand.Read(body)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) })}
	go srv.Serve(l)
	defer srv.Close()
	url := fmt.Sprintf("http://10.0.2.2:%d/data", l.Addr().(*net.TCPAddr).Port)
	res := coracle(t, "run", "--accel", "tcg", img, "--", url)
	sum := sha256.Sum256(body)
	want := fmt.Sprintf("httpclient: 200 OK, %d bytes, sha256 %s", len(body), hex.EncodeToString(sum[:]))
	if res.err != nil || res.status != 0 || !strings.Contains(res.stdout, want) {
		t.Errorf("want %q and exit status 0\n%s", want, res)
	}
}
