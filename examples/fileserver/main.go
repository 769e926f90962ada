// Fileserver is an ordinary net/http program that serves a directory with
// http.FileServer and keeps what clients upload. On coracle the directory
// comes with the image:
//
//	coracle run --files ./site:/srv -p 8080:8080 ./examples/fileserver
//
// serves ./site at http://127.0.0.1:8080/; `curl -T file
// http://127.0.0.1:8080/upload/NAME` stores a file in the guest's /tmp,
// where /uploads/NAME serves it back.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "/srv", "directory to serve")
	uploads := flag.String("uploads", "/tmp/uploads", "directory uploads are written to")
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	if err := os.MkdirAll(*uploads, 0o755); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(*dir)))
	mux.Handle("/uploads/", http.StripPrefix("/uploads/", http.FileServer(http.Dir(*uploads))))
	mux.HandleFunc("PUT /upload/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if name != filepath.Base(name) || name == "." || name == ".." {
			http.Error(w, "bad name", http.StatusBadRequest)
			return
		}
		sum, n, err := store(filepath.Join(*uploads, name), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d %s\n", n, sum)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fileserver: serving %s on %s, uploads in %s\n", *dir, ln.Addr(), *uploads)
	log.Fatal(http.Serve(ln, mux))
}

// store writes body to path and returns its SHA-256 and size.
func store(path string, body io.Reader) (string, int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return hex.EncodeToString(h.Sum(nil)), n, err
}
