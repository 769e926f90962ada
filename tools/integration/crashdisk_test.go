package integration

import (
	"cmp"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCrashConsistency runs the crash test (tools/bench/crash; make
// test-crash runs it with many more kills): a guest appends
// fsync-acknowledged records to an ext4 disk and creates, renames and
// deletes files; QEMU is killed with SIGKILL after a random number of
// acks, e2fsck must find a copy of the image clean after replaying the
// journal, and the next boot must find every acknowledged change.
// CORACLE_CRASH_KILLS sets the number of kills (default 3);
// CORACLE_CRASH_GUEST=linux runs it against Debian's kernel instead,
// which checks the test itself (it downloads the kernel on first use).
func TestCrashConsistency(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	guest := cmp.Or(os.Getenv("CORACLE_CRASH_GUEST"), "coracle")
	if guest == "coracle" {
		if help := coracle(t, "help"); !strings.Contains(help.stdout+help.stderr, "--disk") {
			t.Skip("coracle run has no --disk: the crash test needs a disk")
		}
	}
	if _, err := exec.LookPath("e2fsck"); err != nil {
		t.Fatal("the crash test needs e2fsprogs (make test-tools installs it)")
	}
	kills := cmp.Or(os.Getenv("CORACLE_CRASH_KILLS"), "3")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./tools/bench/crash", "-guest", guest, "-coracle", coracleBin, "-kills", kills)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil && guest == "coracle" && strings.Contains(string(out), "read-only file system") {
		// coracle run --disk mounts disks read-only until fs/ext4 writes.
		t.Skipf("coracle's disk is read-only, the crash test needs writes:\n%s", lineWith(string(out), "read-only file system"))
	}
	if err != nil {
		t.Fatalf("crash test: %v\n%s", err, out)
	}
	t.Logf("%s", lastLine(string(out)))
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// lineWith is the first line of s that contains sub.
func lineWith(s, sub string) string {
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}
