package hosttsc

import (
	"runtime"
	"testing"
)

// The host's TSC runs at a plausible frequency (between 100 MHz and
// 10 GHz). The measurement takes 150 ms.
func TestHostTSCkHz(t *testing.T) {
	khz := HostKHz()
	if runtime.GOARCH != "amd64" {
		if khz != 0 {
			t.Errorf("HostKHz = %d without a TSC", khz)
		}
		return
	}
	if khz < 100_000 || khz > 10_000_000 {
		t.Errorf("HostKHz = %d kHz", khz)
	}
	t.Logf("host TSC: %d kHz", khz)
}
