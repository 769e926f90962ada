package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"

	"github.com/coracle-os/coracle/examples/kvstore/kv"
)

// kvName is the name the kvstore's records go by in the lines, as a log's.
const kvName = "kv"

// kvLog is examples/kvstore's database as one more log: record n is PUT
// under key n through the store's HTTP handler, in-process, and acked
// once the handler has answered, that is once bbolt's transaction has
// committed.
type kvLog struct {
	store   *kv.Store
	handler http.Handler
	count   int // records found or put so far
}

// kvKey is the key of record n.
func kvKey(n int) string { return fmt.Sprintf("rec/%010d", n) }

// openKV opens (or creates) the database in dir and counts the records
// at its start that are intact: keys 0, 1, ... with their values. A
// record after them, one that was put but not acked, stays; the next put
// overwrites it.
func openKV(dir string) (*kvLog, error) {
	s, err := kv.Open(filepath.Join(dir, "kv.db"))
	if err != nil {
		return nil, err
	}
	l := &kvLog{store: s, handler: s.Handler()}
	for {
		v, err := s.Get(kvKey(l.count))
		if errors.Is(err, kv.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if string(v) != string(record(kvName, l.count)) {
			break
		}
		l.count++
	}
	return l, nil
}

// put PUTs the next record through the handler.
func (l *kvLog) put() error {
	req := httptest.NewRequest(http.MethodPut, kv.Prefix+kvKey(l.count), strings.NewReader(string(record(kvName, l.count))))
	rec := httptest.NewRecorder()
	l.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		return fmt.Errorf("PUT %s: %d %s", kvKey(l.count), rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	return nil
}
