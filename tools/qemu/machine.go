package qemu

import "fmt"

// Machine is a QEMU machine type that boots coracle images.
type Machine string

const (
	// Microvm is QEMU's minimal machine: no firmware, no PCI, virtio-mmio
	// devices. It boots in tens of milliseconds; the default.
	Microvm Machine = "microvm"
	// Q35 is a PCIe machine booted through SeaBIOS.
	Q35 Machine = "q35"
	// PC is the i440FX PCI machine booted through SeaBIOS.
	PC Machine = "pc"
)

// DefaultMachine is the machine used when none is named.
const DefaultMachine = Microvm

// ParseMachine parses a --machine value; empty means DefaultMachine.
func ParseMachine(s string) (Machine, error) {
	switch m := Machine(s); m {
	case "":
		return DefaultMachine, nil
	case Microvm, Q35, PC:
		return m, nil
	}
	return "", fmt.Errorf("unknown machine %q: use microvm, q35 or pc", s)
}

// args returns the QEMU options that select and set up machine m so that
// the guest's first serial port, and nothing else, reaches stdout.
func (m Machine) args() []string {
	switch m {
	case Microvm:
		// acpi=off: virtio-mmio devices are then named on the kernel
		// command line, as Firecracker does. rtc=on: the CMOS clock,
		// the wall time when there is no kvmclock (TCG). microvm has
		// no default devices besides the serial port.
		return []string{"-M", "microvm,acpi=off,rtc=on"}
	case Q35, PC:
		return []string{
			"-M", string(m),
			// No VGA, NIC (whose iPXE ROM SeaBIOS would run and
			// print a banner), floppy or CD-ROM: boot is faster
			// (about 90 ms instead of 130 ms under TCG), and the
			// serial port is the only console.
			"-nodefaults",
			// SeaBIOS otherwise writes its banner, with escape
			// sequences that reset and clear the terminal, to the
			// serial port: that is, into the guest's output.
			"-fw_cfg", seaBIOSQuiet,
		}
	}
	panic("qemu: unknown machine " + string(m))
}

// seaBIOSQuiet turns off SeaBIOS's serial console. QEMU warns that the
// name lacks the "opt/" prefix; Run drops that one warning.
const seaBIOSQuiet = "name=etc/sercon-port,string=0"
