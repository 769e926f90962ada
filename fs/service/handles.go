package service

import "sync"

// handleMask bounds handle numbers to 24 bits: the kernel keeps a
// handle in a description's object field beside other bits.
const handleMask = 0xffffff

// Handles numbers a backend's open files for the kernel, which names
// them in later requests (shares.Request.Handle). A number is not
// reused while its file is open; after a close it comes back only once
// the counter wraps. The zero value is ready; it is safe for concurrent
// use (requests are served in goroutines of their own).
type Handles[H any] struct {
	mu   sync.Mutex
	open map[int32]H // guarded by mu
	next int32       // the last number given; guarded by mu
}

// Add keeps h under a new number and returns the number.
func (t *Handles[H]) Add(h H) int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.open == nil {
		t.open = map[int32]H{}
	}
	for {
		t.next = (t.next + 1) & handleMask
		if _, used := t.open[t.next]; !used {
			break
		}
	}
	t.open[t.next] = h
	return t.next
}

// Get returns the file kept under id, or false if none is.
func (t *Handles[H]) Get(id int32) (H, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.open[id]
	return h, ok
}

// Remove forgets id and returns what it kept, or false if nothing was.
func (t *Handles[H]) Remove(id int32) (H, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.open[id]
	delete(t.open, id)
	return h, ok
}
