// Package fwcfg reads QEMU's firmware configuration device (fw_cfg)
// through its legacy I/O-port interface: enough for the kernel to learn
// how many CPUs the machine has when there are no ACPI or MP tables (QEMU
// microvm with acpi=off, coracle's default machine).
//
// Spec: QEMU docs/specs/fw_cfg.rst ("Guest-side Interface": the selector
// and data registers, "Selector Register Behavior" and the fixed keys of
// include/standard-headers/linux/qemu_fw_cfg.h).
//
// Trap context: none; the kernel reads it once at boot, before the Go
// runtime starts: nothing here allocates.
package fwcfg

import "github.com/coracle-os/coracle/arch/amd64"

// I/O ports of the x86 interface (fw_cfg.rst, "Legacy Interface").
const (
	FW_CFG_PORT_SEL  = 0x510 // selector: write a 16-bit key
	FW_CFG_PORT_DATA = 0x511 // data: each 8-bit read returns the next byte
)

// Keys (qemu_fw_cfg.h).
const (
	FW_CFG_SIGNATURE = 0x00 // "QEMU"
	FW_CFG_ID        = 0x01 // 32-bit feature bitmap
	FW_CFG_NB_CPUS   = 0x05 // 16-bit: CPUs present at boot
	FW_CFG_MAX_CPUS  = 0x0f // 16-bit: CPUs possible (hot-plug)

	// Signature is what FW_CFG_SIGNATURE reads on QEMU.
	Signature = "QEMU"

	// FW_CFG_VERSION is FW_CFG_ID's bit for the traditional (port)
	// interface.
	FW_CFG_VERSION = 1 << 0
)

// Ports is the port I/O the device needs: the hardware's, or a fake in
// tests.
type Ports interface {
	Outw(port, v uint16)
	Inb(port uint16) uint8
}

// Hardware is the CPU's port I/O.
type Hardware struct{}

// Outw writes a 16-bit value to a port.
func (Hardware) Outw(port, v uint16) { amd64.Outw(port, v) }

// Inb reads a byte from a port.
func (Hardware) Inb(port uint16) uint8 { return amd64.Inb(port) }

// Read selects key and reads len(buf) bytes of its item from the start.
func Read(io Ports, key uint16, buf []byte) {
	io.Outw(FW_CFG_PORT_SEL, key)
	for i := range buf {
		buf[i] = io.Inb(FW_CFG_PORT_DATA)
	}
}

// Present says whether a fw_cfg device answers: its signature item
// reads "QEMU". Elsewhere (Firecracker, Cloud Hypervisor) the ports are
// unassigned and read as 0xFF.
func Present(io Ports) bool {
	var sig [4]byte
	Read(io, FW_CFG_SIGNATURE, sig[:])
	return string(sig[:]) == Signature
}

// CPUs returns the number of CPUs present at boot (FW_CFG_NB_CPUS, a
// 16-bit little-endian item), or false when there is no fw_cfg device or
// it reports none.
func CPUs(io Ports) (int, bool) {
	if !Present(io) {
		return 0, false
	}
	var b [2]byte
	Read(io, FW_CFG_NB_CPUS, b[:])
	n := int(b[0]) | int(b[1])<<8
	return n, n > 0
}
