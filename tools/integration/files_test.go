package integration

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tmpfsMagic is TMPFS_MAGIC (include/uapi/linux/magic.h).
const tmpfsMagic = 0x01021994

// The file system calls in the guest's /tmp do what Linux's do in a
// tmpfs: testdata/fsprobe runs in the guest and natively in the host's
// /dev/shm, and prints the same lines.
func TestFiles(t *testing.T) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &fs); err != nil || fs.Type != tmpfsMagic {
		t.Skip("the host has no tmpfs at /dev/shm to compare with")
	}
	img := buildTestProgram(t, "fsprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/tmp")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	native := filepath.Join(t.TempDir(), "fsprobe")
	build := exec.Command("go", "build", "-o", native, "./tools/integration/testdata/fsprobe")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("native build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, native, "/dev/shm").Output()
	if err != nil {
		t.Fatalf("native run: %v\n%s", err, out)
	}
	want := linesWithPrefix(string(out), "fsprobe:")
	got := linesWithPrefix(res.stdout, "fsprobe:")
	if len(want) < 150 || want[len(want)-1] != "fsprobe: done" {
		t.Fatalf("the native run printed too little:\n%s", out)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("guest and host differ\n--- host ---\n%s\n--- guest ---\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

// Filling /tmp in a small VM ends in ENOSPC, not in a kernel fault or
// the out-of-memory stop, and removing the files makes room again.
func TestFilesFull(t *testing.T) {
	img := buildTestProgram(t, "fsprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-m", "32", img, "--", "fill", "/tmp")
	for _, want := range []string{
		"fsprobe: fill stopped with: ENOSPC\n",
		"fsprobe: wrote some MiB: true\n",
		"fsprobe: statfs free blocks when full: true\n",
		"fsprobe: write after removing: ok\n",
		"fsprobe: done\n",
	} {
		if !strings.Contains(strings.ReplaceAll(res.stdout, "\r\n", "\n"), want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
	if res.err != nil || res.status != 0 {
		t.Errorf("want exit status 0\n%s", res)
	}
}
