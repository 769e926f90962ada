// Command disk is coracle's disk benchmark (make bench-disk). It boots
// the same guest program, tools/bench/diskprobe, in coracle and in a
// Linux microVM, one after the other, several times each (-count), each
// with a virtio-blk disk holding an ext4 file system, and prints side by
// side the median of each figure with the ratio coracle/Linux:
//
//   - sequential read (MiB/s): a file of -seq-mib MiB in 1 MiB reads,
//     from a cold cache;
//   - sequential write (MiB/s): a new file of -seq-mib MiB in 1 MiB
//     writes, then fsync, timed together;
//   - 4 KiB random reads (IOPS) at distinct offsets of a -rand-mib file,
//     from a cold cache, and as many 4 KiB random writes over it followed
//     by one fdatasync, timed together;
//   - fsync latency: 4 KiB appended to a file and fsync, -fsyncs times,
//     each timed alone: p50 and p99;
//   - kvstore PUTs and GETs per second: examples/kvstore's HTTP handler
//     called in-process by diskprobe (httptest requests, no network, so
//     the figure is the handler, bbolt and the disk, not a TCP stack),
//     over a bbolt database on the disk; each PUT is answered after its
//     transaction committed (bbolt's fdatasync).
//
// The disk: one raw image made once per run by coracle disk create
// (tools/disk: mkfs.ext4 -d with coracle's mke2fs.conf) from a tree
// holding the two files read (pseudo-random bytes), copied afresh
// before every boot, so that each boot starts from the same file system
// and reads what the host wrote. The reads are cold in the guest: it has
// just booted and nothing has read the files yet (on the host the image
// may be in the page cache, the same for both guests). QEMU attaches it
// as a virtio-blk device on the microvm machine's virtio-mmio transport.
//
// The guests are:
//
//   - coracle: booted by coracle run --disk IMAGE (the coracle command
//     built from this tree, or -coracle), with the same accelerator,
//     memory and no network; coracle run builds diskprobe into an image
//     with the disk service and the kernel mounts the disk on /mnt/disk0.
//     If coracle run cannot attach a disk, its error is the coracle
//     column's and the benchmark fails;
//   - Linux: Debian's kernel (linux-image-amd64) booted through PVH from
//     its vmlinux, with diskprobe as the /init of an initramfs that
//     brings virtio_mmio, virtio_blk, ext4 and the modules they need; it
//     mounts /dev/vda on /mnt/disk0 with ext4's default options. The
//     machine has ACPI on, so that Linux finds the virtio-mmio device
//     (linuxguest.MicrovmACPI); the drive is cache=writeback, QEMU's
//     default. Under TCG the kernel is given the host's TSC frequency.
//
// Both run on the same QEMU, accelerator, one vCPU and the same memory
// (512 MiB by default). Each boot ends when the guest prints
// "diskbench: done"; QEMU is killed then.
//
// Usage:
//
//	go run ./tools/bench/disk [-count 3] [-seq-mib 128] [-rand-mib 64] [-rand-ops 2000] [-fsyncs 200]
//	                          [-kv-ops 500] [-disk-mib 1024] [-accel kvm|tcg|auto] [-m MiB]
//	                          [-skip-coracle] [-skip-linux] [-coracle PATH] [-linux-cmdline S] [-cache DIR] [-v]
//
// Host only: never linked into an image.
package main
