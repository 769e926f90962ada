package qemu_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/internal/testimage"
	"github.com/coracle-os/coracle/tools/qemu"
)

// These tests boot real images: tiny Go programs whose PVH entry point
// prints "ok" on the serial console and then reports a status (or
// triple-faults), given their PVH note by image.RewritePVHNote. They test
// the runner and the note rewrite together, without the kernel.

var (
	imagesOnce sync.Once
	imagesDir  string
	imagesErr  error
)

// bootImage returns the path of the image that runs p, building it once
// per test binary. rewrite false leaves the linker's note in place.
func bootImage(t *testing.T, name string, p testimage.Program, rewrite bool) string {
	t.Helper()
	imagesOnce.Do(func() { imagesDir, imagesErr = os.MkdirTemp("", "coracle-qemu-test-") })
	if imagesErr != nil {
		t.Fatal(imagesErr)
	}
	path := filepath.Join(imagesDir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	dir := filepath.Join(imagesDir, name+".src")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	elfPath, err := testimage.BuildELF(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(elfPath)
	if err != nil {
		t.Fatal(err)
	}
	if rewrite {
		if img, err = image.RewritePVHNote(img); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, img, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if imagesDir != "" {
		os.RemoveAll(imagesDir)
	}
	os.Exit(code)
}

func needQEMU(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(qemu.Binary); err != nil {
		t.Skipf("%v (make test installs it)", qemu.ErrNotFound)
	}
}

type bootResult struct {
	out     qemu.Outcome
	stdout  string
	stderr  string
	elapsed time.Duration
}

func boot(t *testing.T, cfg qemu.Config) bootResult {
	t.Helper()
	var stdout, stderr strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	out, err := qemu.Run(ctx, cfg, qemu.Streams{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return bootResult{out, stdout.String(), stderr.String(), time.Since(start)}
}

func TestBootReportsGuestStatus(t *testing.T) {
	needQEMU(t)
	for _, m := range []qemu.Machine{qemu.Microvm, qemu.Q35, qemu.PC} {
		for _, status := range []uint32{0, 5} {
			name := fmt.Sprintf("%s/status%d", m, status)
			t.Run(name, func(t *testing.T) {
				img := bootImage(t, fmt.Sprintf("status%d", status), testimage.Program{Console: "ok\n", Status: status}, true)
				r := boot(t, qemu.Config{Image: img, Machine: m, Accel: qemu.TCG, MemoryMiB: 64, Cmdline: "coracle.arg=x"})
				t.Logf("%s: %v", name, r.elapsed)
				if r.out.Err != nil || r.out.Status != int(status) {
					t.Errorf("outcome %d, %v; want guest status %d\nstderr:\n%s", r.out.Status, r.out.Err, status, r.stderr)
				}
				// Only the guest's serial output reaches stdout: no
				// firmware banner, no terminal escapes.
				if r.stdout != "ok\n" {
					t.Errorf("stdout %q, want %q", r.stdout, "ok\n")
				}
				if r.stderr != "" {
					t.Errorf("stderr %q, want nothing", r.stderr)
				}
			})
		}
	}
}

func TestBootTripleFault(t *testing.T) {
	needQEMU(t)
	img := bootImage(t, "triplefault", testimage.Program{Console: "ok\n", End: testimage.TripleFault}, true)
	for _, m := range []qemu.Machine{qemu.Microvm, qemu.Q35} {
		t.Run(string(m), func(t *testing.T) {
			r := boot(t, qemu.Config{Image: img, Machine: m, Accel: qemu.TCG})
			if r.out.Status != qemu.StatusNoGuestStatus || r.out.Err == nil {
				t.Errorf("outcome %d, %v; want %d and an error", r.out.Status, r.out.Err, qemu.StatusNoGuestStatus)
			}
			if r.stdout != "ok\n" {
				t.Errorf("stdout %q, want %q", r.stdout, "ok\n")
			}
		})
	}
}

func TestBootWithoutPVHNoteIsQEMUFailure(t *testing.T) {
	needQEMU(t)
	img := bootImage(t, "nonote", testimage.Program{Status: 0}, false)
	r := boot(t, qemu.Config{Image: img, Accel: qemu.TCG})
	// QEMU exits 1, which alone would read as guest status 0.
	if r.out.Status != qemu.StatusRunnerFailure || r.out.Err == nil || !strings.Contains(r.out.Err.Error(), "PVH ELF Note") {
		t.Errorf("outcome %d, %v; want %d naming the missing PVH note", r.out.Status, r.out.Err, qemu.StatusRunnerFailure)
	}
	if !strings.Contains(r.stderr, "qemu-system-x86_64: ") {
		t.Errorf("QEMU's message did not reach stderr: %q", r.stderr)
	}
}

func TestBootStopsWhenContextEnds(t *testing.T) {
	needQEMU(t)
	img := bootImage(t, "hang", testimage.Program{Console: "ok\n", End: testimage.Hang}, true)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var stderr strings.Builder
	out, err := qemu.Run(ctx, qemu.Config{Image: img, Accel: qemu.TCG}, qemu.Streams{Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	// QEMU stops on SIGTERM, saying so, and exits 0, which alone would
	// read as a guest that stopped without a status. (Had the signal
	// come before QEMU set up its handler, it would have been killed.)
	if out.Status != qemu.StatusRunnerFailure || out.Err == nil || !strings.Contains(out.Err.Error(), "by signal 15") {
		t.Errorf("outcome %d, %v; want %d, stopped by signal 15", out.Status, out.Err, qemu.StatusRunnerFailure)
	}
	t.Log(out.Err)
}

func TestRunWithoutQEMU(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := qemu.Run(context.Background(), qemu.Config{Image: "x.img", Accel: qemu.TCG}, qemu.Streams{})
	if err != qemu.ErrNotFound {
		t.Fatalf("Run without QEMU in PATH: %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y qemu-system-x86") {
		t.Errorf("error %q does not say how to install QEMU", err)
	}
}
