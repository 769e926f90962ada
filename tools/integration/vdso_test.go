package integration

import (
	"strings"
	"testing"
)

// The vDSO: the kernel offers one (AT_SYSINFO_EHDR) when the clock is
// the TSC, which it is under TCG, and the runtime's clock reads through
// it agree with the clock_gettime system call, reading by reading.
func TestVDSO(t *testing.T) {
	img := buildTestProgram(t, "clockprobe")
	console := bootOnMicrovm(t, img, nil, nil)
	for _, want := range []string{
		"clockprobe: CLOCK_MONOTONIC agrees with the system call",
		"clockprobe: CLOCK_REALTIME agrees with the system call",
	} {
		if !strings.Contains(console, want) {
			t.Errorf("console lacks %q\n%s", want, console)
		}
	}
	if strings.Contains(console, "clockprobe: vDSO at 0x0\n") || !strings.Contains(console, "clockprobe: vDSO at 0x") {
		t.Errorf("no vDSO offered\n%s", console)
	}
}
