package qemu

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// fakeHost describes a machine for ChooseAccel.
type fakeHost struct {
	cpuFlags string   // the "flags" line of /proc/cpuinfo
	modules  []string // loaded kernel modules
	kvmErr   error    // what opening /dev/kvm returns
}

func (f fakeHost) host() Host {
	return Host{
		CPUInfo: func() ([]byte, error) {
			return []byte("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: " + f.cpuFlags + "\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\n"), nil
		},
		ModuleLoaded: func(name string) bool {
			for _, m := range f.modules {
				if m == name {
					return true
				}
			}
			return false
		},
		OpenKVM: func() error { return f.kvmErr },
	}
}

func TestChooseAccel(t *testing.T) {
	noKVM := &fs.PathError{Op: "open", Path: "/dev/kvm", Err: fs.ErrNotExist}
	tests := []struct {
		name       string
		want       Accel
		host       fakeHost
		accel      Accel
		wantErr    bool
		wantReason string
	}{
		{"PVM host", AccelAuto, fakeHost{cpuFlags: "fpu sse2 avx2", modules: []string{"kvm", "kvm_pvm"}}, TCG, false,
			"using TCG: /dev/kvm is PVM (kvm_pvm), which emulates guest ring-0 code; pass --accel kvm to force it"},
		{"PVM on a CPU with vmx", AccelAuto, fakeHost{cpuFlags: "fpu vmx sse2", modules: []string{"kvm", "kvm_pvm"}}, TCG, false, "PVM"},
		{"Intel KVM", AccelAuto, fakeHost{cpuFlags: "fpu vmx sse2", modules: []string{"kvm", "kvm_intel"}}, KVM, false,
			"using KVM: /dev/kvm is hardware-backed (kvm_intel)"},
		{"AMD KVM", AccelAuto, fakeHost{cpuFlags: "fpu svm", modules: []string{"kvm", "kvm_amd"}}, KVM, false, "kvm_amd"},
		{"built-in KVM, vmx flag", AccelAuto, fakeHost{cpuFlags: "fpu vmx sse2"}, KVM, false, "the CPU has vmx"},
		{"built-in KVM, svm flag", AccelAuto, fakeHost{cpuFlags: "fpu svm"}, KVM, false, "the CPU has svm"},
		{"flag name inside another word", AccelAuto, fakeHost{cpuFlags: "fpu vmx_ept svmx"}, TCG, false, "not backed by hardware"},
		{"/dev/kvm without hardware", AccelAuto, fakeHost{cpuFlags: "fpu sse2", modules: []string{"kvm"}}, TCG, false, "pass --accel kvm to force it"},
		{"no /dev/kvm", AccelAuto, fakeHost{cpuFlags: "vmx", modules: []string{"kvm_intel"}, kvmErr: noKVM}, TCG, false,
			"using TCG: /dev/kvm is not usable (open /dev/kvm: file does not exist)"},
		{"forced TCG on hardware", TCG, fakeHost{cpuFlags: "vmx", modules: []string{"kvm_intel"}}, TCG, false, "--accel tcg"},
		{"forced KVM on PVM", KVM, fakeHost{modules: []string{"kvm_pvm"}}, KVM, false, "although /dev/kvm is PVM"},
		{"forced KVM on hardware", KVM, fakeHost{cpuFlags: "vmx", modules: []string{"kvm_intel"}}, KVM, false, "using KVM (--accel kvm)"},
		{"forced KVM without /dev/kvm", KVM, fakeHost{kvmErr: noKVM}, "", true, "give your user read-write access to /dev/kvm"},
		{"unknown", Accel("hvf"), fakeHost{}, "", true, "unknown accelerator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseAccel(tt.want, tt.host.host())
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ChooseAccel = %+v, want an error", got)
				}
				if !strings.Contains(err.Error(), tt.wantReason) {
					t.Errorf("error %q does not contain %q", err, tt.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Accel != tt.accel {
				t.Errorf("accelerator %q, want %q (reason: %s)", got.Accel, tt.accel, got.Reason)
			}
			if !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("reason %q does not contain %q", got.Reason, tt.wantReason)
			}
			if !strings.HasPrefix(got.Reason, "using "+strings.ToUpper(string(got.Accel))) {
				t.Errorf("reason %q does not start with %q", got.Reason, "using "+strings.ToUpper(string(got.Accel)))
			}
		})
	}
}

func TestChooseAccelForcedKVMWrapsOpenError(t *testing.T) {
	_, err := ChooseAccel(KVM, fakeHost{kvmErr: fs.ErrPermission}.host())
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("error %v does not wrap the open error", err)
	}
}

func TestChooseAccelUnreadableCPUInfo(t *testing.T) {
	h := fakeHost{}.host()
	h.CPUInfo = func() ([]byte, error) { return nil, fs.ErrPermission }
	got, err := ChooseAccel(AccelAuto, h)
	if err != nil || got.Accel != TCG {
		t.Errorf("ChooseAccel = %+v, %v; want TCG", got, err)
	}
}

func TestParseAccel(t *testing.T) {
	for in, want := range map[string]Accel{"": AccelAuto, "auto": AccelAuto, "kvm": KVM, "tcg": TCG} {
		if got, err := ParseAccel(in); err != nil || got != want {
			t.Errorf("ParseAccel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"KVM", "hvf", "whpx", "kvm "} {
		if _, err := ParseAccel(in); err == nil {
			t.Errorf("ParseAccel(%q) succeeded", in)
		}
	}
}

func TestLocalHostProbesRun(t *testing.T) {
	// Whatever this machine is, the probes must answer without
	// panicking and ChooseAccel must pick one of the two.
	got, err := ChooseAccel(AccelAuto, LocalHost())
	if err != nil {
		t.Fatal(err)
	}
	if got.Accel != KVM && got.Accel != TCG {
		t.Fatalf("ChooseAccel chose %q", got.Accel)
	}
	t.Log(got.Reason)
}
