// Command pvhfloor is the QEMU floor of the boot benchmark
// (tools/bench/boot): the least a PVH guest can do. Its ELF entry point,
// entry32 (linked with -ldflags=-E=main.entry32, given its PVH note by
// tools/image.RewritePVHNote), writes "floor: ready" to the first serial
// port and stops QEMU through the isa-debug-exit device, in a few
// instructions of 32-bit code with paging off. What QEMU takes from its
// exec to that line is the cost of QEMU itself, which no guest can go
// below.
//
// Run as an ordinary program it does nothing: main is empty.
package main

func main() {}
