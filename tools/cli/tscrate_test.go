package cli

import (
	"runtime"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/qemu"
)

func TestWithTSCRate(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if got := withTSCRate("quiet", qemu.KVM); got != "quiet" {
		t.Errorf("KVM: %q, want the command line untouched", got)
	}
	if got := withTSCRate("coracle.tsc_khz=1000 quiet", qemu.TCG); got != "coracle.tsc_khz=1000 quiet" {
		t.Errorf("a rate given: %q, want it kept", got)
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("the host's TSC rate is measured on amd64 hosts only")
	}
	got := withTSCRate("quiet", qemu.TCG)
	if !strings.HasPrefix(got, "quiet coracle.tsc_khz=") || len(got) <= len("quiet coracle.tsc_khz=") {
		t.Errorf("TCG: %q, want the host's rate added", got)
	}
	if again := withTSCRate("quiet", qemu.TCG); again != got {
		t.Errorf("second call %q, first %q: want the cached rate", again, got)
	}
}
