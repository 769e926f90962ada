// Package exitstatus defines how a coracle guest's exit status leaves the
// virtual machine, and the statuses the kernel itself reserves.
//
// On QEMU the kernel writes the status to the isa-debug-exit device
// (-device isa-debug-exit,iobase=0xf4,iosize=4); QEMU then exits with
// (status<<1)|1. That leaves 0..127 for the guest. Hypervisors without the
// device (Firecracker) are stopped through the i8042 reset line and report
// no status.
//
// Trap context: none (constants and host-side decoding only).
package exitstatus

const (
	// DebugExitPort is the I/O port of QEMU's isa-debug-exit device.
	DebugExitPort = 0xf4

	// Max is the largest status the debug-exit device can carry.
	Max = 127

	// BootFailure: the kernel could not start (bad hvm_start_info,
	// malformed command line); the reason is on the console.
	BootFailure = 120
	// KernelFault: a CPU exception the kernel could not handle; a crash
	// report with the vector, registers and RIP is on the console.
	KernelFault = 121
	// ProgramFault: the program raised a CPU exception that no signal
	// handler could take; a crash report is on the console.
	ProgramFault = 122
	// OutOfMemory: no physical memory was left for the kernel or for a
	// page the program touched; the console says which.
	OutOfMemory = 123
)

// FromQEMU decodes QEMU's process exit code into the guest's status.
// ok is false when the code cannot have come from isa-debug-exit (even
// codes: QEMU stopped for another reason, such as a guest reset under
// -no-reboot).
func FromQEMU(code int) (status int, ok bool) {
	if code&1 == 0 || code < 0 || code > 255 {
		return 0, false
	}
	return code >> 1, true
}
