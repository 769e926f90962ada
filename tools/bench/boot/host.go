package main

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// hostCPU describes the host's processor: the model name in /proc/cpuinfo
// and the number of CPUs.
func hostCPU() string {
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

// qemuVersion returns the first line of `qemu-system-x86_64 --version`.
func qemuVersion(ctx context.Context, path string) string {
	out, err := command(ctx, "", path, "--version").Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}

// shellQuote joins args into a line a POSIX shell reads back as args.
func shellQuote(args []string) string {
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

// sourceRevision names the commit of the work tree the benchmark runs in,
// from which the guests are built, and whether it has changes that are
// not committed. Both git commands only read: --no-optional-locks keeps
// git status from rewriting the index.
func sourceRevision(ctx context.Context) string {
	rev, err := command(ctx, "", "git", "--no-optional-locks", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown (no git, or not a git work tree)"
	}
	s := strings.TrimSpace(string(rev))
	status, err := command(ctx, "", "git", "--no-optional-locks", "status", "--porcelain").Output()
	switch {
	case err != nil:
		s += " (uncommitted changes unknown)"
	case len(bytes.TrimSpace(status)) > 0:
		s += " with uncommitted changes"
	}
	return s
}
