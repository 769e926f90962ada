// Package qemu launches coracle images on QEMU (qemu-system-x86_64) and
// turns QEMU's exit into the guest's exit status.
//
// It chooses the accelerator (hardware KVM when the host has it, TCG
// otherwise, in particular when /dev/kvm is PVM), builds the command line
// for the microvm, q35 and pc machines, runs QEMU with the guest's serial
// console on stdout, and classifies the way QEMU ended: the status the
// guest wrote to the isa-debug-exit device, a guest that stopped without
// one (a CPU reset or triple fault under -no-reboot), or a failure of QEMU
// itself.
//
// Host only: never linked into an image.
package qemu
