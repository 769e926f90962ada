package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
)

// 8042 keyboard controller (IBM PC/AT technical reference): writing 0xFE
// to the command port pulses the CPU reset line. Firecracker stops the VM
// on it.
const (
	i8042Command = 0x64
	i8042Reset   = 0xFE
)

// Exit stops the virtual machine with status, which the hypervisor
// reports where it can (QEMU's isa-debug-exit, see package exitstatus).
//
// Trap context: safe.
func Exit(status int) {
	sysprofReport()
	if status < 0 || status > exitstatus.Max {
		console.str("coracle: exit status ")
		console.dec(uint64(status))
		console.str(" is outside 0-127, which is all the VM can report; reporting 127\n")
		status = exitstatus.Max
	}
	amd64.Outl(exitstatus.DebugExitPort, uint32(status))
	// Still running: there is no debug-exit device. Reset instead.
	amd64.Outb(i8042Command, i8042Reset)
	amd64.HaltForever()
}
