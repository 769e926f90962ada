// Httpd is an ordinary net/http server: a static page, a JSON endpoint,
// an upload endpoint that answers the SHA-256 of what it received, a
// download endpoint (/bytes?n=N: N bytes of the ChaCha8 stream with the
// all-zero seed, so a client can check them) and /debug/pprof. On coracle it serves through the kernel's socket layer
// and gVisor's netstack; `coracle run -p 8080:8080 ./examples/httpd`
// makes it reachable at http://127.0.0.1:8080/.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"time"
)

const page = `<!doctype html>
<title>coracle</title>
<h1>Hello from coracle</h1>
<p>This page is served by an unmodified net/http program running as a unikernel.</p>
`

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	start := time.Now()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	http.HandleFunc("/api/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"go":         runtime.Version(),
			"goroutines": runtime.NumGoroutine(),
			"uptime":     time.Since(start).String(),
		})
	})
	http.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST a body to get its SHA-256", http.StatusMethodNotAllowed)
			return
		}
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "%s %d\n", hex.EncodeToString(h.Sum(nil)), n)
	})
	http.HandleFunc("/bytes", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		if err != nil || n < 0 || n > 1<<30 {
			http.Error(w, "want /bytes?n=N with 0 <= N <= 2^30", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		io.CopyN(w, rand.NewChaCha8([32]byte{}), n)
	})
	http.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]int
		m["boom"]++ // a handler bug: net/http recovers and the server goes on
	})
	http.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "bye\n")
		go func() { time.Sleep(100 * time.Millisecond); os.Exit(0) }()
	})
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("httpd: listening on %s\n", l.Addr())
	log.Fatal(http.Serve(l, nil))
}
