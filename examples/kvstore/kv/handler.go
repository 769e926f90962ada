package kv

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxValueLen is the largest value a PUT may carry.
const MaxValueLen = 16 << 20

// Prefix is the path under which Handler serves keys.
const Prefix = "/kv/"

// Handler serves the store's HTTP API:
//
//	PUT    /kv/KEY         store the request body under KEY (204 once committed)
//	GET    /kv/KEY         the value (200), or 404
//	DELETE /kv/KEY         remove KEY (204 once committed), or 404
//	GET    /kv/?prefix=P   the keys starting with P, one per line, sorted
//
// KEY is the rest of the path, percent-decoded. Errors are answered with
// a status and a one-line message.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Store) serve(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		http.Error(w, "not found: keys live under "+Prefix, http.StatusNotFound)
		return
	}
	if key == "" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, r.Method+" "+Prefix+": only GET lists keys", http.StatusMethodNotAllowed)
			return
		}
		s.list(w, r.URL.Query().Get("prefix"))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.get(w, key)
	case http.MethodPut:
		s.put(w, r, key)
	case http.MethodDelete:
		s.delete(w, key)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
		http.Error(w, "method "+r.Method+" not allowed on a key", http.StatusMethodNotAllowed)
	}
}

func (s *Store) list(w http.ResponseWriter, prefix string) {
	keys, err := s.List(prefix)
	if err != nil {
		serverError(w, "listing", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, k := range keys {
		io.WriteString(w, k+"\n")
	}
}

func (s *Store) get(w http.ResponseWriter, key string) {
	v, err := s.Get(key)
	if errors.Is(err, ErrNotFound) {
		http.Error(w, fmt.Sprintf("no key %q", key), http.StatusNotFound)
		return
	}
	if err != nil {
		serverError(w, "reading "+key, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(v)
}

func (s *Store) put(w http.ResponseWriter, r *http.Request, key string) {
	if err := checkKey(key); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	value, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxValueLen))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(w, fmt.Sprintf("value larger than %d bytes", MaxValueLen), http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.Put(key, value); err != nil {
		serverError(w, "storing "+key, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Store) delete(w http.ResponseWriter, key string) {
	err := s.Delete(key)
	if errors.Is(err, ErrNotFound) {
		http.Error(w, fmt.Sprintf("no key %q", key), http.StatusNotFound)
		return
	}
	if err != nil {
		serverError(w, "deleting "+key, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// serverError answers a failure of the database itself, which the
// client cannot fix.
func serverError(w http.ResponseWriter, what string, err error) {
	http.Error(w, what+": "+err.Error(), http.StatusInternalServerError)
}
