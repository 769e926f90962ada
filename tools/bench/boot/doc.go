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
// Usage:
//
//	go run ./tools/bench/boot [-runs N] [-accel kvm|tcg|auto] [-machine M] [-m MiB] [-cpus N]
//	                          [-skip-linux] [-linux-kernel FILE] [-linux-cmdline S]
//
// Host only: never linked into an image.
package main
