package cli

import (
	"fmt"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
	"github.com/coracle-os/coracle/tools/disk"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/qemu"
)

// shortUsage follows a usage error.
const shortUsage = `usage: coracle build [-o IMAGE] [--files DIR[:GUESTDIR]]... [--tzdata] [--shares] [--disks] PKG
       coracle run [-m MiB] [--cpus N] [-e NAME=VALUE]... [--files DIR[:GUESTDIR]]... [--tzdata] [-v HOSTDIR:GUESTDIR[:ro]]...
                   [--disk FILE[:GUESTDIR][,ro]]...
                   [--cmdline S] [--machine microvm|q35|pc]
                   [--accel kvm|tcg|auto] [-p HOST:GUEST]... [--tap NAME | --net none]
                   [--gdb[=PORT]] PKG|IMAGE [-- ARGS...]
       coracle test [-m MiB] [--cpus N] [-v HOSTDIR:GUESTDIR[:ro]]... [--disk FILE[:GUESTDIR][,ro]]...
                    [--tmpdir GUESTDIR] [--machine M] [--accel A]
                    [go test's build and test flags] [PACKAGES] [-args ...]
       coracle inspect IMAGE
       coracle disk create --size SIZE [--from DIR] [--label NAME] [--force] FILE
       coracle crash IMAGE [LOGFILE]
Run 'coracle help' for every flag, the kernel command line and the exit statuses.
`

// usage is the help text; `coracle help` prints it.
var usage = fmt.Sprintf(`coracle turns an ordinary Go main package into a unikernel: the program,
the Go runtime and the coracle kernel are linked into one x86-64 ELF image
that hypervisors boot directly (PVH), and coracle runs it on QEMU.

Usage:
  coracle build [-o IMAGE] [--files DIR[:GUESTDIR]]... [--tzdata] [--shares] [--disks] PKG
  coracle run [flags] PKG|IMAGE [-- ARGS...]
  coracle test [flags] [go test's flags] [PACKAGES] [-args ...]
  coracle inspect IMAGE
  coracle disk create --size SIZE [--from DIR] [--label NAME] [--force] FILE
  coracle crash IMAGE [LOGFILE]
  coracle help

coracle build builds the main package PKG (an import path or a directory
such as ./cmd/hello, as for go build) with the go command in PATH, for
GOOS=linux GOARCH=amd64 CGO_ENABLED=0. The program is not edited: the
kernel is added through go build -overlay. PKG's module must require
github.com/coracle-os/coracle (go get github.com/coracle-os/coracle).

  -o IMAGE       write the image to IMAGE (default: the last element of
                 PKG's import path plus ".img", in the current directory)
  --files DIR[:GUESTDIR]
                 pack the tree under the host directory DIR into the image;
                 the kernel unpacks it at boot into the guest's root file
                 system under GUESTDIR (absolute, default /: DIR/etc/app.conf
                 becomes /etc/app.conf), writable like the rest of it.
                 Directories, regular files and symbolic links, with their
                 modes and times; owners are dropped. The files take guest
                 memory twice (the image's copy and the unpacked one).
                 Repeatable; later trees replace earlier files.
                 A program that verifies TLS certificates with the system
                 roots needs the host's CA bundle in the guest:
                 --files /etc/ssl/certs:/etc/ssl/certs
  --tzdata       link Go's time zone database (package time/tzdata, about
                 400 KiB) into the image, so that time.LoadLocation finds
                 every zone; without it, or a zoneinfo tree given with
                 --files /usr/share/zoneinfo:/usr/share/zoneinfo, only UTC
                 and Local (UTC) exist and other zones fail with "unknown
                 time zone"
  --shares       link the file service for host directories shared with
                 coracle run -v (a 9P client, about 1 MiB), so that the
                 image can be run with -v later
  --disks        link the file service for disks attached with coracle
                 run --disk (ext4 and the virtio-blk driver), so that the
                 image can be run with --disk later

coracle run boots IMAGE, an existing ELF image, or else builds PKG into a
temporary directory and boots that. Flags come before PKG|IMAGE; words
after -- are the program's arguments (os.Args[1:]). Flags may be written
with one dash or two (-m or --m).

  -m MiB         guest memory in MiB (default %[1]d, at least %[2]d, at most
                 the host's RAM). Small programs run in %[2]d; a net/http
                 server needs 32 (docs/memory.md). The kernel sets the
                 Go runtime's memory limit, GOMEMLIMIT, to what the
                 program has room for (-e GOMEMLIMIT=... or =off to
                 choose). A program that runs out stops with Go's "fatal
                 error: runtime: out of memory", or with exit status 123
                 when it touches more than there is
  --cpus N       the guest's vCPUs (QEMU -smp; default 1, at most %[11]d).
                 The program's threads run on all of them: runtime.NumCPU
                 and GOMAXPROCS are N (--cmdline coracle.smp=off keeps
                 them on the first; docs/smp.md)
  -e NAME=VALUE  set an environment variable in the program; repeatable
  --files DIR[:GUESTDIR]
                 as for coracle build (PKG only: an IMAGE has its files)
  --tzdata       as for coracle build (PKG only)
  -v HOSTDIR:GUESTDIR[:ro]
                 share the host directory HOSTDIR with the guest, which
                 finds it at GUESTDIR (absolute, not /), read-write (or
                 read-only with :ro): what the program writes there is
                 on the host at once. Over virtio-9p, which QEMU has and
                 Firecracker and Cloud Hypervisor do not (docs/shares.md).
                 Files the guest makes belong to the user running QEMU.
                 A PKG is built with the file service; an IMAGE must
                 have been built with --shares. Repeatable
  --disk FILE[:GUESTDIR][,ro]
                 attach the raw ext4 image FILE (coracle disk create
                 makes one) as a virtio-blk disk, mounted at GUESTDIR
                 (absolute, not /; default /mnt/disk0, /mnt/disk1, ...
                 in the order of the flags); ,ro attaches it read-only.
                 FILE is locked while the guest runs: a second guest
                 cannot attach it, unless both use ,ro. The guest
                 mounts it with coracle's ext4 and its journal; what
                 it does not fsync before it exits may be lost
                 (docs/disks.md).
                 A PKG is built with the disk service;
                 an IMAGE must have been built with --disks. Repeatable;
                 at most 8 shares and disks together
  --cmdline S    kernel parameters, words separated by spaces, passed on
                 as they are
  --machine M    QEMU machine: microvm (default: no firmware, boots in tens
                 of milliseconds), q35 or pc (PCI machines booted through
                 SeaBIOS)
  --accel A      kvm, tcg or auto (default auto: KVM when /dev/kvm is backed
                 by hardware virtualization, that is vmx or svm; TCG
                 otherwise, including when /dev/kvm is PVM)
  -p HOST:GUEST  forward 127.0.0.1:HOST on this machine to the guest's
                 port GUEST (TCP; add /udp for UDP); repeatable. Uses QEMU
                 user networking, the default network: the guest is
                 10.0.2.15 with DHCP, gateway 10.0.2.2 and DNS 10.0.2.3.
  --tap NAME     attach the guest's NIC to the existing tap device NAME
                 instead (the guest then needs an address on its network)
  --net MODE     user (default), tap (with --tap) or none (no NIC). The
                 NIC is virtio-net: virtio-mmio on microvm, PCI on q35/pc.
  --gdb          or --gdb=PORT: start the guest stopped, before its
                 first instruction, with QEMU's gdb stub on 127.0.0.1:PORT
                 (default %[10]d; a busy port is refused), and print the gdb command that
                 attaches to it with the image's symbols and Go's
                 runtime-gdb.py (goroutine commands) where the toolchain
                 that built the image has it. In gdb: break main.main,
                 continue, bt, next, step, print. gdb's kill ends QEMU.
                 Under TCG software breakpoints work; see
                 docs/debugging.md for KVM, the boot code and dlv

The guest's serial console is coracle's stdin and stdout; QEMU's messages
and coracle's own ("coracle: ...") go to stderr. Ctrl-C stops QEMU (exit
status %[6]d); Ctrl-A x quits it too (%[5]d), and Ctrl-A c switches between
the console and QEMU's monitor.

Kernel command line: the words of --cmdline, then coracle.env=NAME=VALUE
for each -e, then coracle.arg=ARG for each program argument, in order.
In the values of coracle.env and coracle.arg every byte other than A-Z a-z
0-9 and - . _ ~ / : , = + @ is percent-encoded (%%XX), so spaces, quotes,
newlines and any byte reach the program unchanged.

coracle test is go test with every package's test binary run in a guest:
the same package patterns, build and test flags, output, exit status,
test caching, -json, -p and coverage, since it is go test itself, with
an -overlay that adds an external test file (%[8]s)
linking the kernel into each test binary (the package is not edited),
the PVH entry as the linker's entry point, and coracle itself as the
-exec program, which makes each binary an image and boots it. The guest
has the package directory shared read-write at its host path as its
working directory, the directories of the files go test asks for
(-coverprofile, -cpuprofile, -memprofile, the test log its cache reads)
shared at their host paths, TMPDIR=/tmp (a tmpfs in guest memory), and
the caller's environment except the variables of host services
(DISPLAY, WAYLAND_DISPLAY, XAUTHORITY, XDG_RUNTIME_DIR,
DBUS_SESSION_BUS_ADDRESS, SSH_AUTH_SOCK, SSH_AGENT_PID, GPG_AGENT_INFO).
Tests that run other programs get the kernel's error (there are none in
a guest). Packages of required modules are tested from a writable copy
(go does not overlay the module cache). -exec and -overlay are coracle's
own; -ldflags is added to. Its flags, anywhere before -args:

  -m MiB         each guest's memory (default %[9]d); go test -p runs
                 several guests at once
  --mem MiB      the same as -m
  --cpus N       as for coracle run
  -v HOSTDIR:GUESTDIR[:ro]
                 as for coracle run; -v without such a value is go test's
  --disk FILE[:GUESTDIR][,ro]
                 as for coracle run; a disk is locked by the guest using
                 it, so test several packages on one disk with -p 1
  --tmpdir GUESTDIR
                 the guest's TMPDIR (default /tmp), such as a disk's
                 directory, so that t.TempDir and os.CreateTemp use it
  --machine M    as for coracle run
  --accel A      as for coracle run

coracle test exits with go test's status: 0 when every package passed,
1 when one failed (a guest's status %[3]d, %[4]d, %[5]d or %[6]d fails its
package, with the reason in its output), 2 on bad usage.

coracle inspect prints what IMAGE, an image coracle build wrote, is made
of: the Go version, main module and build settings the linker recorded
(debug/buildinfo), coracle's version (of the coracle module the image was
built with; "devel" inside coracle's own module or for a directory
replacement), the PVH entry, the ELF sections and their sizes, the sizes
of the code, data and zeroed data that belong to coracle, the Go runtime
and the rest (ELF symbol sizes summed by the package path in each
symbol's name), the files packed with --files, which services (network,
shares, disks, time zone database) are linked, and the kernel
parameters the kernel reads (those of services the image lacks marked).

coracle disk create makes FILE, a raw disk image holding an ext4 file
system, for a virtio-blk disk of the guest (coracle run --disk FILE). The host's
mkfs.ext4 makes it (Debian's package e2fsprogs; its commands are looked for
in PATH, then in /usr/sbin and /sbin; no root needed), and e2fsck -fn must
find it clean before it is written to FILE. Every image, whatever its size
and the host's /etc/mke2fs.conf, has 4 KiB blocks, 256-byte inodes, a jbd2
journal inside the file system, and exactly these features (Debian's ext4
default in e2fsprogs 1.47; dumpe2fs -h FILE lists them):
  %[7]s

  --size SIZE    the image's size: bytes, or a whole number followed by K,
                 M, G or T (or KiB, MiB, GiB, TiB; all powers of 1024), as
                 in 64M, 1G, 512MiB, 2GiB; a multiple of 4 KiB and at least
                 8M, since mkfs.ext4 makes no journal in fewer than 2048
                 blocks. Required. The file is sparse: it takes space on
                 the host only for what the file system holds
  --from DIR     fill the file system with the tree under the host
                 directory DIR (mkfs.ext4 -d): regular files, directories,
                 symbolic links, hard links and special files, with their
                 modes, owners and times. It must fit in SIZE
  --label NAME   the file system's volume label, at most 16 bytes
  --force        replace FILE if it exists; the old file stays until the
                 new image has passed e2fsck

A kernel fault prints a crash report on the console: the exception, the
registers, the kernel's stack and the user stack of the thread it was
serving as Go frames, and a "coracle: code" line with the bytes around
the faulting instruction, which coracle run disassembles under it.
coracle crash prints LOGFILE (standard input if absent or -), a console
log saved elsewhere (a guest Firecracker booted, a CI log), with the same
disassembly, using IMAGE's symbols. It exits 0, or 1 if IMAGE cannot be
read.

Exit status of coracle run:
  0-127  the program's exit status (os.Exit, or 0 when main returns),
         except for the statuses below
  %[3]d    the kernel could not boot (the reason is on the console)
  %[4]d    kernel fault (a crash report is on the console)
  %[5]d    the guest stopped without reporting an exit status (CPU reset
         or triple fault)
  %[6]d    coracle or QEMU failed: the build, a bad image, QEMU's own error,
         or QEMU stopped by a signal
  2      bad usage of coracle run

coracle build and coracle disk create exit 0 when they wrote the image, 1
when they failed and 2 on bad usage; coracle inspect exits 0, or 1 when
IMAGE cannot be read as a coracle image.
`, qemu.DefaultMemoryMiB, qemu.MinMemoryMiB,
	exitstatus.BootFailure, exitstatus.KernelFault,
	qemu.StatusNoGuestStatus, qemu.StatusRunnerFailure,
	wrap(disk.Features, 72, "\n  "),
	image.TestOverlayFileName, testMemoryMiB, DefaultGDBPort, qemu.MaxCPUs)

// wrap joins words with spaces into lines of at most width bytes,
// separated by sep.
func wrap(words []string, width int, sep string) string {
	var lines []string
	line := ""
	for _, w := range words {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), sep)
}
