// Command http is coracle's HTTP benchmark (make bench-http). It measures
// wrk against the same server, examples/httpd, running
//
//   - in coracle: httpd built into a coracle image (tools/image.Build),
//     its address given on the kernel command line
//     (ip=192.0.2.2/24 gw=192.0.2.1);
//   - on Linux: Debian's kernel (linux-image-amd64) booted through PVH
//     from its vmlinux, with an initramfs whose /init, tools/bench/netinit,
//     loads virtio_mmio, virtio_net and the modules they depend on (taken
//     from the same Debian package), configures eth0 as 192.0.2.2/24 and
//     executes httpd, built static for linux/amd64.
//
// Both guests run on the same QEMU, machine type (microvm), accelerator,
// vCPU count (-cpus, 1 by default; coracle is booted with coracle.smp=on
// when it is more than 1, so that it runs httpd's threads on every CPU)
// and memory, with the same NIC: virtio-net on virtio-mmio,
// on a tap device in a network namespace that the benchmark creates
// (coracle-bench-PID) and removes at the end, also after an error or an
// interrupt. One machine option differs: coracle boots as coracle run
// boots it (microvm,acpi=off,rtc=on), Linux with ACPI on, without which
// Debian's kernel cannot find the NIC (see linuxguest.MicrovmACPI). The tap device
// is 192.0.2.1/24; QEMU and wrk run inside the namespace (ip netns exec).
// Only addresses of 192.0.2.0/24 (TEST-NET-1) are used.
//
// In each round (3 by default), each guest in turn: boot, wait for the
// "httpd: listening on" line and a GET that answers, then for each
// configuration (keep-alive or "Connection: close", times each
// connection count) a warm-up run of wrk and a measured one. The report
// gives the medians over the rounds of requests per second and of the
// 99th percentile latency side by side, with coracle/Linux ratios, each
// round's figures, and every error wrk saw.
//
// It needs root (the namespace and the tap device). wrk is installed
// with apt-get when it is missing and the benchmark runs as root;
// otherwise it says what to run.
//
// Usage:
//
//	go run ./tools/bench/http [-rounds 3] [-cpus 1] [-duration 10s] [-warmup 3s] [-connections 1,64]
//	                          [-threads N] [-wrk-timeout 5s] [-accel kvm|tcg|auto] [-m MiB]
//	                          [-skip-coracle] [-skip-linux] [-linux-cmdline S] [-cache DIR] [-v]
//
// Host only: never linked into an image.
package main
