// Command files is coracle's file benchmark (make bench-files). It boots
// the same guest program, tools/bench/fileprobe, in coracle and in a
// Linux microVM, one after the other, several times each (-count), and
// prints side by side the median time per operation of each, with the
// ratio coracle/Linux:
//
//   - for reference, getpid: what a system call costs at least;
//   - open + fstat + close of an existing file;
//   - pread of 4 KiB from a file in memory, pwrite of 4 KiB over one;
//   - create (O_CREAT|O_EXCL) + close + unlink;
//   - open + getdents64 to the end + close of a 1,000-file directory;
//   - a round trip of one byte through two pipes between two goroutines;
//   - 256 MiB written sequentially to a new file in 1 MiB writes, then
//     read back in 1 MiB reads.
//
// The guests are:
//
//   - coracle: fileprobe built into a coracle image (tools/image.Build),
//     working in /tmp of the kernel's root tmpfs;
//   - Linux: Debian's kernel (linux-image-amd64) booted through PVH from
//     its vmlinux, with fileprobe as the /init of an initramfs; it mounts
//     a tmpfs on /tmp (size=100%, as coracle's root may use all of
//     memory) and works there. Under TCG the kernel is given the host's
//     TSC frequency (tools/bench/internal/tsc), and fileprobe reports the
//     clock source Linux times with.
//
// Both run on the same QEMU, machine (microvm,acpi=off,rtc=on, as coracle
// run boots), accelerator, one vCPU and the same memory (512 MiB by
// default: the 256 MiB file must fit in memory beside the kernel and the
// program). No network device is attached.
//
// With -shares (the default) the file operations, without getpid and
// the pipe, are also timed in a directory shared from the host, a second
// table: each guest gets a fresh host directory (emptied before each
// boot), served by QEMU's -fsdev local (security_model=none) through a
// virtio-9p-device, as coracle run -v HOSTDIR:/share serves it. coracle
// mounts it itself (an image with the file service, coracle build
// --shares); Linux's fileprobe loads the 9P modules (9p, 9pnet,
// 9pnet_virtio and what they depend on) and mounts it with version
// 9p2000.L, coracle's msize (drivers/virtio/p9.MessageSize) and
// cache=none, Linux's default cache mode. Linux finds the virtio-mmio
// device through ACPI, so its machine has ACPI on
// (linuxguest.MicrovmACPI); nothing else differs. The sequential
// transfer there is 64 MiB (-share-seq-mib). -coracle-env NAME=VALUE
// sets coracle's environment (GOMAXPROCS=2, to see what handing the
// processor to the file service costs).
//
// fileprobe times each operation like testing.B: with a growing iteration
// count until a run lasts -benchtime, and reports the iterations and the
// nanoseconds of that run in lines starting "filebench:"; the sequential
// transfer is timed once, per MiB. Each boot ends when the guest prints
// "filebench: done": QEMU is killed then.
//
// Usage:
//
//	go run ./tools/bench/files [-count 5] [-benchtime 200ms] [-seq-mib 256] [-accel kvm|tcg|auto]
//	                           [-m MiB] [-skip-coracle] [-skip-linux] [-linux-cmdline S] [-cache DIR] [-v]
//	                           [-tmpfs=false] [-shares=false] [-share-seq-mib 64] [-coracle-env NAME=VALUE]
//
// Host only: never linked into an image.
package main
