package integration

import (
	"strings"
	"testing"
)

// coracle.x2apic=on drives every local APIC in x2APIC mode. QEMU 7.2's
// TCG has no x2APIC (CPUID.01H:ECX[21] clear, even with -cpu max), so
// there the boot stops with status 120 and says why; under hardware
// KVM the four CPUs come up in x2APIC mode and run the program's
// threads (the default), which makes the kicks and TLB shootdowns go through the
// x2APIC ICR (docs/smp.md, "What only hardware KVM exercises").
func TestX2APIC(t *testing.T) {
	for _, a := range accelerators() {
		t.Run(a.name, func(t *testing.T) {
			if a.skip != "" {
				t.Skip(a.skip)
			}
			if a.name == "tcg" {
				res := coracle(t, "run", "--accel", "tcg", "--cpus", "4", "--cmdline", "coracle.x2apic=on", helloImage)
				want := "coracle: boot failed: coracle.x2apic=on, but the CPU has no x2APIC mode (CPUID.01H:ECX[21] is clear"
				if res.err != nil || res.status != 120 || !strings.Contains(res.stdout, want) {
					t.Errorf("want exit status 120 and %q\n%s", want, res)
				}
				return
			}
			res := coracle(t, "run", "--accel", a.name, "--cpus", "4", "--cmdline", "coracle.x2apic=on coracle.checksched", helloImage)
			if res.err != nil || res.status != 0 {
				t.Fatalf("want exit status 0\n%s", res)
			}
			for _, want := range []string{
				"coracle: local APICs in x2APIC mode: coracle.x2apic=on\n",
				", 4 online; the program runs on 4 CPUs\n",
				"4 CPU(s), GOMAXPROCS 4\n",
			} {
				if !strings.Contains(strings.ReplaceAll(res.stdout, "\r\n", "\n"), want) {
					t.Errorf("console lacks %q\n%s", want, res)
				}
			}
		})
	}
}

// Without coracle.x2apic=on, on a machine whose firmware leaves the
// APICs in xAPIC mode with IDs below 256, nothing changes: no x2APIC
// line.
func TestX2APICNotByDefault(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "--cpus", "2", helloImage)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	if strings.Contains(res.stdout, "x2APIC mode") {
		t.Errorf("x2APIC mode without being asked\n%s", res)
	}
}
