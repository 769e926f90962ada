package cli

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/disk"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/internal/testimage"
	"github.com/coracle-os/coracle/tools/qemu"
)

// runMain runs Main and returns its exit status, stdout and stderr.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	status := Main(context.Background(), args, Stdio{Stdout: &stdout, Stderr: &stderr})
	return status, stdout.String(), stderr.String()
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"run", "-h"}, {"build", "--help"}, {"disk", "-h"}, {"disk", "create", "--help"}} {
		status, stdout, stderr := runMain(t, args...)
		if status != 0 || stdout != usage || stderr != "" {
			t.Errorf("coracle %q: status %d, %d bytes of stdout, stderr %q; want 0 and the usage on stdout", args, status, len(stdout), stderr)
		}
	}
}

func TestUsageDocumentsEveryFlag(t *testing.T) {
	var r RunArgs
	var b BuildArgs
	var d DiskArgs
	var g GuestArgs
	var s string
	for _, fs := range []*flag.FlagSet{runFlags(&r, &s, &s), buildFlags(&b), diskCreateFlags(&d), testFlags(&g, &s, &s)} {
		fs.VisitAll(func(f *flag.Flag) {
			if !regexp.MustCompile(`(?m)^  --?` + regexp.QuoteMeta(f.Name) + ` `).MatchString(usage) {
				t.Errorf("usage does not document coracle %s's flag -%s", fs.Name(), f.Name)
			}
		})
	}
	for _, want := range append([]string{"coracle.arg=", "coracle.env=", "%XX", "0-127", "120", "121", "124", "125", "coracle run --disk FILE"}, disk.Features...) {
		if !strings.Contains(usage, want) {
			t.Errorf("usage does not mention %q", want)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"run"}, {"run", "-m", "x", "p"}, {"run", "p", "junk"}, {"build"}, {"disk"}, {"disk", "create", "x.img"}} {
		status, stdout, stderr := runMain(t, args...)
		if status != 2 {
			t.Errorf("coracle %q: status %d, want 2", args, status)
		}
		if stdout != "" || !strings.HasPrefix(stderr, "coracle: ") || !strings.Contains(stderr, shortUsage) {
			t.Errorf("coracle %q: want a \"coracle: \" error and the usage on stderr, got stdout %q stderr %q", args, stdout, stderr)
		}
	}
}

func TestRunImage(t *testing.T) {
	if _, err := exec.LookPath(qemu.Binary); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	elfPath, err := testimage.BuildELF(dir, testimage.Program{Console: "ok\n", Status: 5})
	if err != nil {
		t.Fatal(err)
	}
	elf, err := os.ReadFile(elfPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := image.RewritePVHNote(elf)
	if err != nil {
		t.Fatal(err)
	}
	imgPath := filepath.Join(dir, "tiny.img")
	if err := os.WriteFile(imgPath, img, 0o755); err != nil {
		t.Fatal(err)
	}

	status, stdout, stderr := runMain(t, "run", "--accel", "tcg", "-m", "32", "--machine", "q35", "-e", "A=b", imgPath, "--", "arg")
	if status != 5 {
		t.Errorf("status %d, want the guest's 5\nstderr:\n%s", status, stderr)
	}
	if stdout != "ok\n" {
		t.Errorf("stdout %q, want the guest's console output only", stdout)
	}
	want := "coracle: using TCG (--accel tcg)\ncoracle: booting " + imgPath + " on q35 with 32 MiB\n"
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}

	// The linker's own output has no PVH note: coracle says so itself
	// rather than leaving it to QEMU.
	status, _, stderr = runMain(t, "run", "--accel", "tcg", elfPath)
	if status != qemu.StatusRunnerFailure || !strings.Contains(stderr, "is not a bootable coracle image: no valid PVH entry note") {
		t.Errorf("running the unrewritten ELF: status %d, stderr:\n%s", status, stderr)
	}
}

func TestRunPackageThatFailsToBuild(t *testing.T) {
	dir := t.TempDir()
	if err := testimage.WriteModule(dir, testimage.Program{}, map[string]string{"lib/lib.go": "package lib\n"}); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	status, _, stderr := runMain(t, "run", "--accel", "tcg", "./lib")
	if status != qemu.StatusRunnerFailure || !strings.Contains(stderr, "coracle: ./lib is package lib, not a main package") {
		t.Errorf("status %d, stderr:\n%s\nwant %d and the build error", status, stderr, qemu.StatusRunnerFailure)
	}
	// A regular file that is not ELF is taken for a package, as go build
	// would.
	status, _, stderr = runMain(t, "run", "--accel", "tcg", "go.mod")
	if status != qemu.StatusRunnerFailure || !strings.Contains(stderr, "coracle: ") {
		t.Errorf("running go.mod: status %d, stderr:\n%s", status, stderr)
	}
}

func TestBuildFailureExits1(t *testing.T) {
	dir := t.TempDir()
	if err := testimage.WriteModule(dir, testimage.Program{}, nil); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	// The test module does not require coracle.
	status, stdout, stderr := runMain(t, "build", ".")
	if status != 1 || stdout != "" {
		t.Errorf("status %d, stdout %q; want 1 and nothing", status, stdout)
	}
	if !strings.Contains(stderr, "coracle: module example.com/tiny does not require github.com/coracle-os/coracle: run `go get github.com/coracle-os/coracle`") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestIsELFFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := map[string]bool{
		write("elf", "\x7fELF\x02\x01\x01"): true,
		write("short", "\x7fEL"):            false,
		write("text", "package main\n"):     false,
		write("empty", ""):                  false,
		dir:                                 false,
		filepath.Join(dir, "missing"):       false,
	}
	for path, want := range tests {
		if got := isELFFile(path); got != want {
			t.Errorf("isELFFile(%s) = %v, want %v", filepath.Base(path), got, want)
		}
	}
}
