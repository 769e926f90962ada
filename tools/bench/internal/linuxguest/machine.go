package linuxguest

import (
	"fmt"
	"slices"
)

// MicrovmACPI is the QEMU machine of a Linux guest that needs a
// virtio-mmio device (a NIC, a 9P share): the coracle guest's
// "microvm,acpi=off,rtc=on" (tools/qemu, as coracle run boots it) with
// ACPI on. Debian's kernel is built without
// CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES, so its virtio_mmio ignores the
// device= words that microvm appends to the command line when ACPI is
// off ("virtio_mmio: unknown parameter 'device' ignored") and finds no
// device; with ACPI on it finds each in the DSDT (a LNRO0005 device).
// ioapic2=off keeps the virtio-mmio interrupts where they are with ACPI
// off, on the first IOAPIC's pins 5-12 (with ACPI, microvm adds a second
// IOAPIC by default and moves them to 16-23). The transports, the
// devices on them (the first at 0xfeb00e00, IRQ 12) and all other
// devices are the same. coracle, for its part, finds virtio-mmio devices
// only on the command line and does not read ACPI tables.
const MicrovmACPI = "microvm,acpi=on,ioapic2=off,rtc=on"

// WithMachine returns QEMU arguments args with the value of -M replaced
// by m.
func WithMachine(args []string, m string) ([]string, error) {
	i := slices.Index(args, "-M")
	if i < 0 || i+1 >= len(args) {
		return nil, fmt.Errorf("no -M in the QEMU arguments %q", args)
	}
	args = slices.Clone(args)
	args[i+1] = m
	return args, nil
}
