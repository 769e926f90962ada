package kernel

import "testing"

// The limit leaves the reserve, one heap growth and an eighth free, and
// never drops below minMemoryLimit.
func TestMemoryLimit(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct{ free, want uint64 }{
		{0, minMemoryLimit},
		{8 * MiB, minMemoryLimit},
		{10 * MiB, minMemoryLimit},
		{16 * MiB, 16*MiB - 2*MiB - commitReserve - heapGrowthChunk},
		{56 * MiB, 56*MiB - 7*MiB - commitReserve - heapGrowthChunk},
		{1 << 40, 1<<40 - 1<<37 - commitReserve - heapGrowthChunk},
	} {
		if got := memoryLimit(c.free); got != c.want {
			t.Errorf("memoryLimit(%d MiB) = %d, want %d", c.free/MiB, got, c.want)
		}
	}
}
