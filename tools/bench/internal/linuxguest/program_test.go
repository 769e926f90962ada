package linuxguest

import (
	"strings"
	"testing"
)

func TestInitCmdline(t *testing.T) {
	got := InitCmdline("console=ttyS0", 2596144, []string{"-mount", "-dir", "/tmp"})
	if want := "console=ttyS0 tsc_early_khz=2596144 -- -mount -dir /tmp"; got != want {
		t.Errorf("InitCmdline = %q, want %q", got, want)
	}
	if got := InitCmdline("console=ttyS0 tsc_early_khz=1000", 2596144, nil); strings.Count(got, "tsc_early_khz=") != 1 {
		t.Errorf("a frequency in the base is not replaced: %q", got)
	}
	if got := InitCmdline("quiet", 0, []string{"-mount"}); got != "quiet -- -mount" {
		t.Errorf("without a TSC frequency: %q", got)
	}
}
