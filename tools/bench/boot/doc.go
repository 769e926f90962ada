// Command boot is coracle's boot benchmark (make bench-boot). It times,
// from the exec of qemu-system-x86_64 to a line on the guest's serial
// console, three guests booted the same way (same QEMU, machine,
// accelerator and memory), round by round, and prints the median,
// minimum and maximum of each with ratios against the two baselines
// measured in the same run:
//
//   - the QEMU floor: tools/bench/pvhfloor, a PVH guest whose entry point
//     prints "floor: ready" in a few instructions; no guest can boot
//     faster than QEMU starts it.
//   - coracle: tools/bench/bootprobe, whose main prints "main: ready",
//     built into a coracle image. Booted with coracle.bootstamps, the
//     kernel also reports its own TSC time from the PVH entry to the Go
//     runtime.
//   - Linux: the same bootprobe as /init of an initramfs, on Debian's
//     kernel (linux-image-amd64) booted through PVH from its vmlinux. The
//     package is fetched with apt-get download, never installed, and the
//     vmlinux is kept under the user's cache directory.
//
// Each boot ends when the line arrives: QEMU is killed then, so every
// guest is timed the same way.
//
// Then two rows time exec -> the first complete HTTP/1.1 200 to GET /
// from examples/httpd, with a virtio-net NIC on QEMU's user networking
// (192.0.2.0/24, the guest at 192.0.2.2 by a static address, its port
// 8080 forwarded from a free port of 127.0.0.1; no root needed):
//
//   - coracle: httpd built into a coracle image, ip= and gw= on the
//     kernel command line;
//   - Linux: the same kernel with tools/bench/netinit as /init, which
//     loads the virtio-net modules, configures eth0 statically and
//     executes httpd (machine microvm with ACPI, which Debian's kernel
//     needs to find the NIC).
//
// The host GETs / over and over until the answer comes (see client.go
// for the pace); the table gives each median's distance from the floor
// and how many times sooner than Linux it is. -skip-http leaves the two
// rows out.
//
// With -compare-cpus N (4 by default; 0 turns it off) the floor and
// bootprobe are booted again with N vCPUs in the same rounds, and a
// table sets them against the -cpus boots: each above its own floor, the
// guest's own time and every boot phase, and M9's target (4 vCPUs at
// most 2 ms more than 1).
//
// With -translation (TCG only) every system is booted once more with
// QEMU's -d in_asm log (the httpd rows to their first 200), and a table
// counts the blocks of guest code TCG translated and their instructions,
// by whose code they are (translation.go): under TCG that count, not the
// instructions run, sets most of a boot's time, and it does not vary
// with the host's load.
//
// Usage:
//
//	go run ./tools/bench/boot [-runs N] [-accel kvm|tcg|auto] [-machine M] [-m MiB] [-cpus N] [-compare-cpus N]
//	                          [-skip-linux] [-skip-http] [-translation] [-linux-kernel FILE] [-linux-cmdline S]
//
// Host only: never linked into an image.
package main
