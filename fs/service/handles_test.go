package service

import "testing"

func TestHandles(t *testing.T) {
	var tab Handles[string]
	a, b := tab.Add("a"), tab.Add("b")
	if a == b {
		t.Fatalf("two open files share number %d", a)
	}
	if h, ok := tab.Get(b); !ok || h != "b" {
		t.Errorf("Get(%d) = %q, %v; want b", b, h, ok)
	}
	if h, ok := tab.Remove(a); !ok || h != "a" {
		t.Errorf("Remove(%d) = %q, %v; want a", a, h, ok)
	}
	if _, ok := tab.Get(a); ok {
		t.Errorf("Get(%d) after Remove found a file", a)
	}
	if _, ok := tab.Remove(a); ok {
		t.Errorf("a second Remove(%d) found a file", a)
	}
	// Numbers wrap at 24 bits, and one still open is skipped.
	tab.next = handleMask - 1
	if id := tab.Add("last"); id != handleMask {
		t.Fatalf("Add after %d = %d, want %d", handleMask-1, id, handleMask)
	}
	if id := tab.Add("wrapped"); id != 0 {
		t.Fatalf("Add after %d = %d, want 0", handleMask, id)
	}
	tab.next = b - 1
	if id := tab.Add("skips b"); id != b+1 {
		t.Errorf("Add after %d = %d, want %d: %d is open", b-1, id, b+1, b)
	}
}
