package mm

import "testing"

func TestTakeDirty(t *testing.T) {
	e := newEnv(t, 16<<20)
	const va = 0x4000_0000
	pa, _ := e.frames.Alloc()
	if e.as.TakeDirty(va) {
		t.Fatal("TakeDirty of an unmapped page reported a write")
	}
	if err := e.as.Map(va, pa, RW|US); err != 0 {
		t.Fatal(err)
	}
	if e.as.TakeDirty(va) {
		t.Fatal("TakeDirty of a clean page reported a write")
	}
	// Play the CPU: a write sets D in the leaf entry.
	tab, i, _, _ := e.as.walk(va, 0, false)
	tab[i] |= D
	if !e.as.TakeDirty(va) {
		t.Fatal("TakeDirty missed a write")
	}
	if e.as.TakeDirty(va) {
		t.Fatal("TakeDirty did not clear D")
	}
	if got, ok := e.as.Translate(va); !ok || got != pa {
		t.Fatalf("after TakeDirty the page maps %#x %v, want %#x", got, ok, pa)
	}
}
