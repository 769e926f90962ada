package hostinfo

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/qemu"
)

func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core Processor\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: other\n"
	if got, want := cpuModel([]byte(info)), "AMD EPYC 7B13 64-Core Processor"; got != want {
		t.Errorf("cpuModel = %q, want %q", got, want)
	}
	if got := cpuModel(nil); got != "unknown CPU" {
		t.Errorf("cpuModel(nil) = %q", got)
	}
}

func TestShellQuote(t *testing.T) {
	args := []string{"bin/bench-boot", "-runs", "20", "-linux-cmdline", "console=ttyS0 quiet", "it's", ""}
	got := ShellQuote(args)
	want := `bin/bench-boot -runs 20 -linux-cmdline 'console=ttyS0 quiet' 'it'\''s' ''`
	if got != want {
		t.Fatalf("ShellQuote = %s\nwant           %s", got, want)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to read it back")
	}
	out, err := exec.Command(sh, "-c", `eval "set -- $0"; for a; do printf '[%s]' "$a"; done`, got).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "[" + strings.Join(args, "][") + "]"; string(out) != want {
		t.Errorf("sh read back %s, want %s", out, want)
	}
}

func TestAccel(t *testing.T) {
	for a, want := range map[qemu.Accel]string{
		qemu.TCG: "TCG (-accel tcg -cpu max)",
		qemu.KVM: "KVM (-accel kvm -cpu host,-arch-capabilities)",
		"hvf":    "hvf",
	} {
		if got := Accel(a); got != want {
			t.Errorf("Accel(%q) = %q, want %q", a, got, want)
		}
	}
}
