package hostinfo

import (
	"strings"
	"testing"
)

func TestHeaderWrite(t *testing.T) {
	h := Header{Command: "bin/bench-files -count 3", Source: "5d5d149aabbc", CPU: "AMD EPYC, 2 CPUs", QEMU: "QEMU emulator version 7.2.22"}
	var b strings.Builder
	h.Write(&b)
	want := "command:  bin/bench-files -count 3\nsource:   5d5d149aabbc\nhost CPU: AMD EPYC, 2 CPUs\nQEMU:     QEMU emulator version 7.2.22\n"
	if b.String() != want {
		t.Errorf("header without load:\n%s\nwant:\n%s", b.String(), want)
	}
	h.Load = "1-minute load average 0.10"
	b.Reset()
	h.Write(&b)
	if !strings.Contains(b.String(), "host CPU: AMD EPYC, 2 CPUs\nload:     1-minute load average 0.10\nQEMU:") {
		t.Errorf("the load line is not between the CPU and QEMU:\n%s", b.String())
	}
}

func TestArgAfter(t *testing.T) {
	args := []string{"-M", "microvm,acpi=off", "-m", "256", "-append"}
	if got := ArgAfter(args, "-M"); got != "microvm,acpi=off" {
		t.Errorf("ArgAfter -M = %q", got)
	}
	if got := ArgAfter(args, "-append"); got != "" {
		t.Errorf("ArgAfter of a last flag = %q, want empty", got)
	}
	if got := ArgAfter(nil, "-M"); got != "" {
		t.Errorf("ArgAfter(nil) = %q", got)
	}
}
