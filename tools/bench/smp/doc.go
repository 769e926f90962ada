// Command smp is coracle's SMP benchmark (make bench-smp). It boots the
// same guest program, tools/bench/smpprobe, in coracle and in a Linux
// microVM at several vCPU counts (-cpus-list, 1, 2 and 4 by default),
// one guest at a time, in rounds (-count), and prints per workload the
// median time at each count for each system with its spread, each
// system's speedup over itself at the first count, and the ratio
// coracle/Linux at each count. The workloads, each a fixed total amount
// of work split over GOMAXPROCS goroutines and timed in the guest with
// time.Now:
//
//   - parallel SHA-256: -sha-mib MiB hashed in 1 MiB pieces;
//   - GC-heavy allocation: about -gc-mib MiB allocated in binary trees of
//     16,383 nodes with a 16-byte slice per leaf, each built, walked and
//     dropped; the collector runs many times, and the report gives how
//     many (runtime.MemStats.NumGC).
//
// The guests are:
//
//   - coracle: smpprobe built into a coracle image (tools/image.Build),
//     booted with coracle.smp=on when it has more than one vCPU, so that
//     the kernel runs the program's threads on every CPU (docs/smp.md);
//   - Linux: Debian's kernel (linux-image-amd64) booted through PVH from
//     its vmlinux, with smpprobe as the /init of an initramfs; it mounts
//     sysfs to report its clock source. Under TCG the kernel is given the
//     host's TSC frequency (tools/bench/internal/tsc).
//
// Both run on the same QEMU, machine (microvm,acpi=off,rtc=on, as
// coracle run boots), accelerator and memory, with QEMU's -smp N; in both
// the Go runtime sets GOMAXPROCS to N, which the guest reports and the
// benchmark checks. Both guests must compute the same results (the
// workloads' sums), at every count. QEMU runs a host thread per vCPU, so
// a count above the host's CPUs cannot run faster than one equal to
// them: the report says so.
//
// Each boot ends when the guest prints "smpbench: done": QEMU is killed
// then.
//
// Usage:
//
//	go run ./tools/bench/smp [-count 3] [-cpus-list 1,2,4] [-sha-mib 48] [-gc-mib 128] [-accel kvm|tcg|auto]
//	                         [-m MiB] [-skip-coracle] [-skip-linux] [-linux-cmdline S] [-cache DIR] [-timeout D] [-v]
//
// Host only: never linked into an image.
package main
