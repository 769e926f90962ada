package guestrun

import (
	"bytes"
	"sync"
)

// watchedBuffer collects a guest's console and signals each write on
// changed, without blocking the writer: one pending signal stands for
// any number of writes.
type watchedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer // guarded by mu
	changed chan struct{}
}

func newWatchedBuffer() *watchedBuffer {
	return &watchedBuffer{changed: make(chan struct{}, 1)}
}

func (b *watchedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf.Write(p)
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (b *watchedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
