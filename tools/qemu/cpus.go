package qemu

import (
	"fmt"

	"github.com/coracle-os/coracle/boot/acpi"
)

// Guest CPU counts (-smp).
const (
	DefaultCPUs = 1
	// MaxCPUs is the most CPUs the kernel records (its CPU list has
	// the ACPI parser's cap); QEMU's machines allow about as many.
	MaxCPUs = acpi.MaxCPUs
)

// CheckCPUs validates a --cpus value.
func CheckCPUs(n int) error {
	if n < 1 || n > MaxCPUs {
		return fmt.Errorf("--cpus %d: want 1 to %d", n, MaxCPUs)
	}
	return nil
}

// smpArgs gives the guest n CPUs. The kernel finds them in the MADT
// (q35, pc, microvm with ACPI) or through fw_cfg (microvm without ACPI,
// which numbers the local APICs 0..n-1 for this flat topology: one
// socket, one thread per core), starts them and parks them; it runs the
// program on the boot CPU only (docs/smp.md). One CPU, the default, needs no option.
func smpArgs(n int) []string {
	if n <= 1 {
		return nil
	}
	return []string{"-smp", fmt.Sprintf("%d,sockets=1,cores=%d,threads=1", n, n)}
}
