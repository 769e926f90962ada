package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	sharesabi "github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/qemu"
)

// execTest is coracle exec-test, go test's -exec program under coracle
// test: it turns the test binary into an image and boots it the way go
// test would have run it. go test starts it in the package directory with
// the test's environment; the guest gets that directory shared at the
// same path (read-write: tests may write golden files), the directories
// of every output file go test asks for (profiles, coverage, the test
// log that test caching reads), the environment minus what only makes
// sense on the host (guestEnv), and the binary's arguments. Its stdout is
// the guest's console, which go test reads as the test's output; coracle
// says nothing on it unless the guest could not run. It returns the
// guest's exit status.
func execTest(ctx context.Context, e ExecTestArgs, stdio Stdio) int {
	fail := func(err error) int {
		fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
		return qemu.StatusRunnerFailure
	}
	accel, err := qemu.ChooseAccel(e.Guest.Accel, qemu.LocalHost())
	if err != nil {
		return fail(err)
	}
	dir, err := os.Getwd()
	if err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp("", "coracle-exec-test-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	img := filepath.Join(tmp, filepath.Base(e.Binary)+".img")
	if err := image.ImageFromTestBinary(e.Binary, img); err != nil {
		return fail(err)
	}

	environ := os.Environ()
	args := withTestLog(e.Binary, e.Args)
	shares := testShares(e.Guest.Shares, dir, args, environ)
	goroot := hostGOROOT(ctx)
	if goroot != "" {
		shares = withGOROOT(shares, goroot)
	}
	early := filepath.Join(tmp, "early.cpio")
	if err := writeEarlyFiles(early, dir, goroot); err != nil {
		return fail(fmt.Errorf("packing the package directory's early copy: %w", err))
	}
	words, err := cmdline.Encode("", args, guestEnv(environ, dir, e.Guest.TmpDir, e.Guest.CallerEnv))
	if err != nil {
		return fail(err)
	}
	words += " " + cmdline.EncodeWord(cmdline.WorkDirKey, dir)
	if n := len(shares) + len(e.Guest.Disks); n > sharesabi.MaxMounts {
		return fail(fmt.Errorf("the test needs %d shares and disks (the package directory, the directories of go test's output files, -v and --disk); a guest may have at most %d", n, sharesabi.MaxMounts))
	}
	mounts := append(qemu.ShareWords(shares), qemu.DiskWords(e.Guest.Disks)...)
	words = strings.TrimSpace(words + " " + cmdline.Argv0Word(e.Binary) + " " + strings.Join(mounts, " "))
	if len(words) > cmdline.MaxLen {
		return fail(fmt.Errorf("the kernel command line is %d bytes with the test's arguments, environment and shares; the limit is %d: unset some environment variables", len(words), cmdline.MaxLen))
	}

	// The disks stay locked until QEMU has exited: packages tested at
	// once cannot share one (go test -p 1).
	releaseDisks, err := qemu.OpenDisks(e.Guest.Disks)
	if err != nil {
		return fail(err)
	}
	defer releaseDisks()
	var qemuErr bytes.Buffer
	console := newTestConsole(stdio.Stdout)
	defer console.Flush()
	out, err := qemu.Run(ctx, qemu.Config{
		Image:     img,
		Cmdline:   withTSCRate(words, accel.Accel),
		Machine:   e.Guest.Machine,
		MemoryMiB: e.Guest.MemoryMiB,
		CPUs:      e.Guest.CPUs,
		Accel:     accel.Accel,
		Network:   qemu.Network{Mode: qemu.NetUser},
		Shares:    shares,
		Disks:     e.Guest.Disks,
		Initrd:    early,
	}, qemu.Streams{Stdin: stdio.Stdin, Stdout: console, Stderr: &qemuErr})
	console.Flush()
	if err != nil {
		return fail(err)
	}
	if out.Err != nil {
		io.Copy(stdio.Stderr, &qemuErr)
		fmt.Fprintf(stdio.Stderr, "coracle: %v\n", out.Err)
	}
	return out.Status
}

// withTestLog adds -test.testlogfile to a test binary's arguments, as go
// test does when it runs a binary itself and does not when an -exec
// program does, since such a program may run the binary where the
// package's files are not. Here they are, at the same paths, so the log
// of the environment variables and files the test read, which go test
// finds next to the binary, lets go test cache the result as it would
// natively.
func withTestLog(binary string, args []string) []string {
	for _, a := range args {
		if strings.HasPrefix(a, "-test.testlogfile=") {
			return args
		}
	}
	return append([]string{"-test.testlogfile=" + filepath.Join(filepath.Dir(binary), "testlog.txt")}, args...)
}

// hostOnlyEnv are the variables guestEnv leaves out: they name sockets,
// displays and session services of the host, which a guest cannot reach.
// TMPDIR and PWD are replaced instead.
var hostOnlyEnv = []string{
	"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR",
	"DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "SSH_AGENT_PID",
	"GPG_AGENT_INFO",
}

// guestEnv is the test's environment in the guest: environ without the
// host-only variables, with PWD set to the package directory (the
// overlay's init makes it the working directory) and TMPDIR to the
// guest's own /tmp, a tmpfs in guest memory, since the host's TMPDIR is
// not there, or to tmpDir (coracle test --tmpdir) if set. callerEnv
// puts back the caller's own values of the go command's variables that
// coracle test set (GuestArgs.CallerEnv).
func guestEnv(environ []string, dir, tmpDir string, callerEnv []string) []string {
	if tmpDir == "" {
		tmpDir = "/tmp"
	}
	var env []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(hostOnlyEnv, name) || name == "PWD" || name == "TMPDIR" {
			continue
		}
		if slices.ContainsFunc(callerEnv, func(c string) bool { n, _, _ := strings.Cut(c, "="); return n == name }) {
			continue
		}
		env = append(env, kv)
	}
	for _, c := range callerEnv {
		if strings.Contains(c, "=") {
			env = append(env, c)
		}
	}
	return append(env, "PWD="+dir, "TMPDIR="+tmpDir)
}

// testShares returns the directories shared with the guest: the user's
// (-v), the root of the module that holds the package directory dir
// (tests read ../testdata; dir itself outside any module), and the directories go test's output
// files live in, which it names in the binary's flags
// (-test.coverprofile, -test.cpuprofile, -test.outputdir,
// -test.gocoverdir, -test.testlogfile, ...) and in $GOCOVERDIR, each at
// its host path. A directory inside another one shared is not shared
// again.
func testShares(user []qemu.Share, dir string, args, environ []string) []qemu.Share {
	want := []string{moduleRoot(dir)}
	for _, a := range args {
		name, value, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !ok || !strings.HasPrefix(name, "test.") || !filepath.IsAbs(value) {
			continue
		}
		if fi, err := os.Stat(value); err == nil && fi.IsDir() {
			want = append(want, value)
		} else {
			want = append(want, filepath.Dir(value))
		}
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GOCOVERDIR="); ok && filepath.IsAbs(v) {
			want = append(want, v)
		}
	}
	shares := slices.Clone(user)
	covered := func(d string) bool {
		for _, s := range shares {
			if within(d, s.GuestDir) {
				return true
			}
		}
		return false
	}
	// Shorter paths first, so that an outer directory covers its inner ones.
	slices.SortFunc(want, func(a, b string) int { return len(a) - len(b) })
	for _, d := range want {
		d = filepath.Clean(d)
		if d == "/" || covered(d) {
			continue
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		shares = append(shares, qemu.Share{HostDir: d, GuestDir: d})
	}
	return shares
}

// moduleRoot returns the nearest directory at or above dir that holds a
// go.mod file, or dir when there is none.
func moduleRoot(dir string) string {
	for d := filepath.Clean(dir); ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// hostGOROOT returns the go command's GOROOT, or "" when go env fails.
func hostGOROOT(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// withGOROOT adds the Go installation, read-only at its host path: the
// test binary's runtime.GOROOT() names it, and tests read it as they
// would natively (time's zone database, lib/time/zoneinfo.zip, the
// standard library's sources). A share inside it is dropped, since the
// guest cannot mount one share inside another (a standard library
// package's directory, which is then read-only); one that holds it
// already covers it.
func withGOROOT(shares []qemu.Share, goroot string) []qemu.Share {
	goroot = filepath.Clean(goroot)
	if fi, err := os.Stat(goroot); err != nil || !fi.IsDir() {
		return shares
	}
	var out []qemu.Share
	for _, s := range shares {
		if within(goroot, s.GuestDir) {
			return shares
		}
		if !within(s.GuestDir, goroot) {
			out = append(out, s)
		}
	}
	return append(out, qemu.Share{HostDir: goroot, GuestDir: goroot, ReadOnly: true})
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
