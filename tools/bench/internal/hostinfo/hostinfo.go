// Package hostinfo describes the host a benchmark runs on, for the header
// of its report: the CPU, QEMU's version, the accelerator, the source
// revision, and the command line, quoted so that it can be run again.
//
// Host only: never linked into an image.
package hostinfo

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/tools/qemu"
)

// CPU describes the host's processor: the model name in /proc/cpuinfo
// and the number of CPUs.
func CPU() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return cpuModel(b) + ", " + strconv.Itoa(runtime.NumCPU()) + " CPUs"
}

// cpuModel returns the first "model name" of /proc/cpuinfo text.
func cpuModel(cpuinfo []byte) string {
	for line := range bytes.Lines(cpuinfo) {
		key, value, ok := bytes.Cut(line, []byte(":"))
		if ok && string(bytes.TrimSpace(key)) == "model name" {
			return string(bytes.TrimSpace(value))
		}
	}
	return "unknown CPU"
}

// QEMUVersion returns the first line of `qemu-system-x86_64 --version`.
func QEMUVersion(ctx context.Context, path string) string {
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}

// ShellQuote joins args into a line a POSIX shell reads back as args.
func ShellQuote(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

// SourceRevision names the commit of the work tree the benchmark runs in,
// from which the guests are built, and whether it has changes that are
// not committed. Both git commands only read: --no-optional-locks keeps
// git status from rewriting the index.
func SourceRevision(ctx context.Context) string {
	rev, err := exec.CommandContext(ctx, "git", "--no-optional-locks", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown (no git, or not a git work tree)"
	}
	s := strings.TrimSpace(string(rev))
	status, err := exec.CommandContext(ctx, "git", "--no-optional-locks", "status", "--porcelain").Output()
	switch {
	case err != nil:
		s += " (uncommitted changes unknown)"
	case len(bytes.TrimSpace(status)) > 0:
		s += " with uncommitted changes"
	}
	return s
}

// Accel names the accelerator as QEMU is given it (tools/qemu
// Config.Args).
func Accel(a qemu.Accel) string {
	switch a {
	case qemu.KVM:
		return "KVM (-accel kvm -cpu host,-arch-capabilities)"
	case qemu.TCG:
		return "TCG (-accel tcg -cpu max)"
	}
	return string(a)
}
