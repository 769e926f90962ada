package qemu

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Accel is a QEMU accelerator.
type Accel string

const (
	// AccelAuto lets ChooseAccel decide.
	AccelAuto Accel = ""
	// KVM runs the guest on the host CPU through /dev/kvm.
	KVM Accel = "kvm"
	// TCG is QEMU's instruction-translating emulator: slower than
	// hardware KVM but deterministic, and every instruction works.
	TCG Accel = "tcg"
)

// ParseAccel parses an --accel value: kvm, tcg, or auto (or empty).
func ParseAccel(s string) (Accel, error) {
	switch s {
	case "", "auto":
		return AccelAuto, nil
	case string(KVM), string(TCG):
		return Accel(s), nil
	}
	return "", fmt.Errorf("unknown accelerator %q: use kvm, tcg or auto", s)
}

// Host answers the questions ChooseAccel asks about the machine it runs
// on. LocalHost asks the real one; tests substitute their own.
type Host struct {
	// CPUInfo returns the text of /proc/cpuinfo.
	CPUInfo func() ([]byte, error)
	// ModuleLoaded reports whether a kernel module is loaded (or built
	// in): whether /sys/module/NAME exists.
	ModuleLoaded func(name string) bool
	// OpenKVM reports whether /dev/kvm can be opened for reading and
	// writing, as QEMU will.
	OpenKVM func() error
}

// LocalHost returns the Host that probes this machine.
func LocalHost() Host {
	return Host{
		CPUInfo: func() ([]byte, error) { return os.ReadFile("/proc/cpuinfo") },
		ModuleLoaded: func(name string) bool {
			_, err := os.Stat("/sys/module/" + name)
			return err == nil
		},
		OpenKVM: func() error {
			f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
			if err != nil {
				return err
			}
			return f.Close()
		},
	}
}

// AccelChoice is the accelerator to use and why, for the user.
type AccelChoice struct {
	Accel  Accel
	Reason string // a sentence starting "using KVM" or "using TCG"
}

// ChooseAccel picks the accelerator. want forces one; with AccelAuto, KVM
// is chosen only when /dev/kvm is usable and backed by hardware
// virtualization. PVM (the kvm_pvm module) also provides /dev/kvm, but it
// emulates guest ring-0 code instruction by instruction and lacks some
// instructions, so TCG is both faster and more faithful for a kernel.
func ChooseAccel(want Accel, h Host) (AccelChoice, error) {
	switch want {
	case TCG:
		return AccelChoice{TCG, "using TCG (--accel tcg)"}, nil
	case KVM:
		if err := h.OpenKVM(); err != nil {
			return AccelChoice{}, fmt.Errorf("--accel kvm: /dev/kvm is not usable (%w); load the kvm_intel or kvm_amd module and give your user read-write access to /dev/kvm (the kvm group), or use --accel tcg", err)
		}
		if h.ModuleLoaded("kvm_pvm") {
			return AccelChoice{KVM, "using KVM (--accel kvm), although /dev/kvm is PVM (kvm_pvm): guest ring-0 code is emulated and slow"}, nil
		}
		return AccelChoice{KVM, "using KVM (--accel kvm)"}, nil
	case AccelAuto:
	default:
		return AccelChoice{}, fmt.Errorf("unknown accelerator %q", want)
	}

	if err := h.OpenKVM(); err != nil {
		return AccelChoice{TCG, fmt.Sprintf("using TCG: /dev/kvm is not usable (%v)", err)}, nil
	}
	// kvm_pvm is checked first: it may be loaded on a CPU that has vmx
	// or svm, and then it, not hardware KVM, serves /dev/kvm.
	if h.ModuleLoaded("kvm_pvm") {
		return AccelChoice{TCG, "using TCG: /dev/kvm is PVM (kvm_pvm), which emulates guest ring-0 code; pass --accel kvm to force it"}, nil
	}
	for _, m := range []string{"kvm_intel", "kvm_amd"} {
		if h.ModuleLoaded(m) {
			return AccelChoice{KVM, fmt.Sprintf("using KVM: /dev/kvm is hardware-backed (%s)", m)}, nil
		}
	}
	if flag := virtualizationFlag(h); flag != "" {
		return AccelChoice{KVM, fmt.Sprintf("using KVM: /dev/kvm is hardware-backed (the CPU has %s)", flag)}, nil
	}
	return AccelChoice{TCG, "using TCG: /dev/kvm is not backed by hardware virtualization (no vmx or svm CPU flag, no kvm_intel or kvm_amd module); pass --accel kvm to force it"}, nil
}

// virtualizationFlag returns "vmx" or "svm" when a "flags" line of
// /proc/cpuinfo lists it, else "".
func virtualizationFlag(h Host) string {
	text, err := h.CPUInfo()
	if err != nil {
		return ""
	}
	for line := range bytes.Lines(text) {
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || string(bytes.TrimSpace(key)) != "flags" {
			continue
		}
		for _, f := range strings.Fields(string(value)) {
			if f == "vmx" || f == "svm" {
				return f
			}
		}
	}
	return ""
}
