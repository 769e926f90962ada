// Package linuxguest prepares Linux as the baseline guest of coracle's
// benchmarks: Debian's kernel, booted through PVH from its vmlinux, with a
// Go program as /init of an initramfs.
//
// Cache.DebianKernel fetches Debian's current amd64 kernel package with
// apt-get download (it installs nothing), takes the vmlinux out of the
// bzImage in it and, when asked, the kernel modules a guest needs
// together with the modules they depend on, and keeps them under the
// user's cache directory. Kernel.LoadOrder says in which order /init
// must load those modules. Initramfs writes the newc cpio archive the
// kernel unpacks, and GoBuild builds the static linux/amd64 programs that
// go into it; ServerInitramfs puts an /init, a server and the modules
// together for a guest with a NIC.
//
// Used by tools/bench/boot, tools/bench/http, tools/bench/files,
// tools/bench/disk and tools/bench/smp.
// Host only: never linked into an image.
package linuxguest
