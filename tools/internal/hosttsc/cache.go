package hosttsc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// bootIDFile names the host kernel's boot: a new one after every
// reboot, when the TSC's rate may differ (another machine, a changed
// firmware setting).
const bootIDFile = "/proc/sys/kernel/random/boot_id"

// CachedKHz is HostKHz, measured once per host boot: the result is kept
// in dir/tsc-khz beside the boot's ID, so that only the first call after
// a reboot spends HostKHz's 150 ms. It returns 0 where the TSC cannot be
// read or the boot ID is unknown; a cache that cannot be written only
// means measuring again next time.
func CachedKHz(dir string) uint64 {
	id, err := os.ReadFile(bootIDFile)
	if err != nil {
		return 0
	}
	return cachedKHz(filepath.Join(dir, "tsc-khz"), strings.TrimSpace(string(id)), HostKHz)
}

// cachedKHz reads file for boot's measurement, else measures and writes
// it.
func cachedKHz(file, boot string, measure func() uint64) uint64 {
	if b, err := os.ReadFile(file); err == nil {
		var id string
		var khz uint64
		if n, _ := fmt.Sscanf(string(b), "%s %d", &id, &khz); n == 2 && id == boot && khz > 0 {
			return khz
		}
	}
	khz := measure()
	if khz == 0 || boot == "" {
		return khz
	}
	if os.MkdirAll(filepath.Dir(file), 0o755) == nil {
		tmp := file + ".tmp"
		if os.WriteFile(tmp, fmt.Appendf(nil, "%s %d\n", boot, khz), 0o644) == nil {
			os.Rename(tmp, file)
		}
	}
	return khz
}

// CoracleParam is the kernel parameter that gives a coracle guest under
// TCG the host's TSC rate, "coracle.tsc_khz=N", measured once per host
// boot and cached in the user's cache directory (coracle/tsc-khz), or ""
// where the rate is unknown.
func CoracleParam() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	khz := CachedKHz(filepath.Join(dir, "coracle"))
	if khz == 0 {
		return ""
	}
	return fmt.Sprintf("coracle.tsc_khz=%d", khz)
}
