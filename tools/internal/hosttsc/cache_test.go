package hosttsc

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCachedKHz(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sub", "tsc-khz")
	calls := 0
	measure := func() uint64 { calls++; return 2596141 }
	if got := cachedKHz(file, "boot-a", measure); got != 2596141 || calls != 1 {
		t.Fatalf("first call: %d after %d measurements", got, calls)
	}
	if got := cachedKHz(file, "boot-a", measure); got != 2596141 || calls != 1 {
		t.Fatalf("same boot: %d after %d measurements, want the cached value", got, calls)
	}
	other := func() uint64 { calls++; return 3000000 }
	if got := cachedKHz(file, "boot-b", other); got != 3000000 || calls != 2 {
		t.Fatalf("another boot: %d after %d measurements, want a new one", got, calls)
	}
	if b, _ := os.ReadFile(file); string(b) != "boot-b 3000000\n" {
		t.Fatalf("cache holds %q", b)
	}
	os.WriteFile(file, []byte("garbage"), 0o644)
	if got := cachedKHz(file, "boot-b", measure); got != 2596141 || calls != 3 {
		t.Fatalf("bad cache: %d after %d measurements", got, calls)
	}
	if got := cachedKHz(file, "boot-b", func() uint64 { return 0 }); got != 2596141 {
		t.Fatalf("after rewriting: %d", got)
	}
	zero := filepath.Join(t.TempDir(), "tsc-khz")
	if got := cachedKHz(zero, "boot-c", func() uint64 { return 0 }); got != 0 {
		t.Fatalf("unreadable TSC: %d", got)
	}
	if _, err := os.Stat(zero); err == nil {
		t.Fatal("a failed measurement was cached")
	}
}
