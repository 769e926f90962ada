package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/tools/bench/internal/boots"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/internal/hosttsc"
	"github.com/coracle-os/coracle/tools/qemu"
)

// probePkg is the program both guests run, from the same source.
const probePkg = "github.com/coracle-os/coracle/tools/bench/fileprobe"

// defaultLinuxCmdline puts Linux's console on the first serial port,
// prints no messages but errors, and makes a failed /init end QEMU
// (panic=-1 reboots, -no-reboot ends) rather than hang.
const defaultLinuxCmdline = "console=ttyS0 quiet panic=-1"

// guest is one system under test in one suite.
type guest struct {
	name    string // "coracle" or "Linux": columns and progress lines
	about   string // what it is, for the report's header
	args    []string
	hostDir string // the shared directory on the host, emptied before each boot; "" for none
	prepare.Status
	boots boots.Series[sample]
}

// newGuest returns the guest named, not yet prepared.
func newGuest(name string) *guest { return &guest{name: name} }

// bootResult is one boot of a guest: its figures, or why there are none.
type bootResult = boots.Result[sample]

// probeArgs are fileprobe's arguments in suite s, the same for both
// guests but for the Linux guest's mounting.
func probeArgs(o options, s *suite) []string {
	args := []string{"-dir", s.dir, "-benchtime", o.benchtime.String(), "-seq-mib", strconv.Itoa(s.seqMiB)}
	if s.name == shareSuite {
		args = append(args, "-only", onlyArg(s.ops))
	}
	return args
}

// linuxProbeArgs are fileprobe's arguments on Linux: it mounts what it
// works in (a tmpfs, or the share after loading the modules in order)
// before the arguments both guests get.
func linuxProbeArgs(o options, s *suite, modules []string) []string {
	args := []string{"-mount"}
	if s.name == shareSuite {
		args = append(args, "-9p", shareTag, "-9p-opts", linuxShareOptions(), "-modules", strings.Join(modules, ","))
	}
	return append(args, probeArgs(o, s)...)
}

// coracleCmdline is the coracle guest's kernel command line: fileprobe's
// arguments, its environment and its os.Args[0], and the share's word,
// encoded as coracle run encodes them.
func coracleCmdline(o options, s *suite, shares []qemu.Share) (string, error) {
	line, err := cmdline.Encode("", probeArgs(o, s), o.coracleEnv)
	if err != nil {
		return "", err
	}
	words := append([]string{line, cmdline.Argv0Word("fileprobe")}, qemu.ShareWords(shares)...)
	return strings.Join(words, " "), nil
}

// qemuArgs returns the QEMU arguments of a guest: base (the machine,
// accelerator and memory, the same for both guests), the kernel and its
// command line, the shares, one vCPU, and extra.
func qemuArgs(base qemu.Config, kernel, cmdline string, shares []qemu.Share, extra ...string) ([]string, error) {
	cfg := base
	cfg.Image, cfg.Cmdline, cfg.Shares = kernel, cmdline, shares
	cfg.ExtraArgs = append([]string{"-smp", "1"}, extra...)
	return cfg.Args()
}

// hostShare makes a fresh host directory for a guest of suite s, and
// returns it as the share both guests mount at shareGuestDir; none for
// the tmpfs suite.
func hostShare(s *suite, tmp, guest string) (string, []qemu.Share, error) {
	if s.name != shareSuite {
		return "", nil, nil
	}
	dir := filepath.Join(tmp, "share-"+strings.ToLower(guest))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", nil, err
	}
	return dir, []qemu.Share{{HostDir: dir, GuestDir: shareGuestDir}}, nil
}

// envText is the report's account of coracle's environment, if any.
func envText(env []string) string {
	if len(env) == 0 {
		return ""
	}
	return ", environment " + strings.Join(env, " ")
}

// prepareCoracle builds fileprobe into a coracle image for suite s, as
// coracle build does (tools/image.Build is that command's code), with
// the file service for shares (coracle build --shares) in the share
// suite.
func prepareCoracle(ctx context.Context, o options, s *suite, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := &guest{name: "coracle"}
	withShares := s.name == shareSuite
	if withShares {
		g.about = "fileprobe built into a coracle image with the file service (tools/image.Build, as coracle build --shares), working in " + shareGuestDir + ", the share (coracle run -v HOSTDIR:" + shareGuestDir + ")" + envText(o.coracleEnv)
	} else {
		g.about = "fileprobe built into a coracle image (tools/image.Build), working in /tmp of the root tmpfs" + envText(o.coracleEnv)
	}
	var shares []qemu.Share
	var err error
	if g.hostDir, shares, err = hostShare(s, tmp, g.name); err != nil {
		return g, err
	}
	line, err := coracleCmdline(o, s, shares)
	if err != nil {
		return g, err
	}
	img, err := image.Build(ctx, image.Options{Pkg: probePkg, Output: filepath.Join(tmp, "fileprobe-"+s.name+".img"), Shares: withShares, Progress: log})
	if err != nil {
		return g, err
	}
	g.args, err = qemuArgs(base, img, line, shares)
	return g, err
}

// prepareLinux gets Debian's kernel (with the 9P modules for the share
// suite) and builds the initramfs whose /init is fileprobe.
func prepareLinux(ctx context.Context, o options, s *suite, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := &guest{name: "Linux"}
	var modules []string
	if s.name == shareSuite {
		modules = linuxShareModules
	}
	k, err := linuxguest.Cache{Dir: o.CacheDir, Log: log}.DebianKernel(ctx, modules...)
	if err != nil {
		return g, err
	}
	fs := linuxguest.Initramfs{}
	var order []string
	if len(modules) > 0 {
		if order, err = k.LoadOrder(modules...); err != nil {
			return g, err
		}
		for _, m := range order {
			ko, err := os.ReadFile(filepath.Join(k.ModuleDir, m+".ko"))
			if err != nil {
				return g, err
			}
			fs.Files = append(fs.Files, linuxguest.File{Path: "lib/modules/" + m + ".ko", Perm: 0o644, Data: ko})
		}
		g.about = k.Label + " (vmlinux, PVH), fileprobe as /init, which loads " + strings.Join(order, ", ") +
			" and works in " + shareGuestDir + ", the share mounted with -t 9p -o " + linuxShareOptions() + "; machine " + linuxguest.MicrovmACPI + " (ACPI, to find the device)"
	} else {
		g.about = k.Label + " (vmlinux, PVH), fileprobe as /init, working in a tmpfs it mounts on /tmp (size=100%)"
	}
	var shares []qemu.Share
	if g.hostDir, shares, err = hostShare(s, tmp, g.name); err != nil {
		return g, err
	}
	bin := filepath.Join(tmp, "fileprobe")
	if _, err := os.Stat(bin); err != nil {
		if err := linuxguest.GoBuild(ctx, bin, probePkg); err != nil {
			return g, err
		}
	}
	if fs.Init, err = os.ReadFile(bin); err != nil {
		return g, err
	}
	initramfs := filepath.Join(tmp, "initramfs-"+s.name+".cpio")
	if err := fs.WriteFile(initramfs); err != nil {
		return g, err
	}
	var tscKHz uint64
	if base.Accel == qemu.TCG {
		tscKHz = hosttsc.HostKHz()
	}
	args, err := qemuArgs(base, k.Vmlinux, linuxguest.InitCmdline(o.LinuxCmdline, tscKHz, linuxProbeArgs(o, s, order)), shares, "-initrd", initramfs)
	if err != nil || len(shares) == 0 {
		g.args = args
		return g, err
	}
	g.args, err = linuxguest.WithMachine(args, linuxguest.MicrovmACPI)
	return g, err
}

// suites returns the suites o asks for, with their guests prepared: those
// not skipped are built. A guest that cannot be prepared is reported as
// failed, and the others are still measured.
func suites(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) []*suite {
	logf := func(format string, a ...any) { fmt.Fprintf(log, "bench: "+format+"\n", a...) }
	var list []*suite
	if o.tmpfs {
		list = append(list, &suite{name: tmpfsSuite, title: "In memory: coracle's root tmpfs, Linux's tmpfs", dir: "/tmp", seqMiB: o.seqMiB, ops: operations})
	}
	if o.shares {
		list = append(list, &suite{name: shareSuite, title: "In a directory shared from the host (virtio-9p, QEMU's -fsdev local)", dir: shareGuestDir, seqMiB: o.shareSeqMiB, ops: shareOperations})
	}
	for _, s := range list {
		s.guests = prepare.All(logf, " ("+s.name+")", []prepare.Guest[*guest]{
			{Name: "coracle", Skip: o.SkipCoracle, Make: func() (*guest, error) { return prepareCoracle(ctx, o, s, base, tmp, log) }},
			{Name: "Linux", Skip: o.SkipLinux, Make: func() (*guest, error) { return prepareLinux(ctx, o, s, base, tmp, log) }},
		}, newGuest)
	}
	return list
}
