package integration

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/qemu"
)

// bootSMP boots img under TCG on machine with cpus vCPUs and the kernel
// parameters params and
// returns the console; it fails t unless the program exits with 0.
func bootSMP(t *testing.T, img, name string, machine qemu.Machine, cpus int, params string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	o, err := qemu.Run(ctx, qemu.Config{
		Image: img, Cmdline: strings.TrimSpace(params + " coracle.argv0=" + name), Machine: machine,
		MemoryMiB: 256, CPUs: cpus, Accel: qemu.TCG, Network: qemu.Network{Mode: qemu.NetNone},
	}, qemu.Streams{Stdout: &out, Stderr: &errOut})
	console := strings.ReplaceAll(out.String(), "\r\n", "\n")
	if err != nil || o.Err != nil || o.Status != 0 {
		t.Fatalf("run: %v, outcome %+v\n%s%s", err, o, console, errOut.String())
	}
	return console
}

// By default the program sees every CPU: runtime.NumCPU and so
// GOMAXPROCS are N, the CPU line says the program runs on N CPUs, and
// hello prints what it prints on Linux. With coracle.smp=off it runs on
// the boot CPU and sees one.
func TestSMPNumCPU(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	for _, m := range []qemu.Machine{qemu.Microvm, qemu.Q35} {
		for _, n := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("%s/%d", m, n), func(t *testing.T) {
				console := bootSMP(t, helloImage, "hello", m, n, "coracle.checksched")
				if want := fmt.Sprintf("%d CPU(s), GOMAXPROCS %d\n", n, n); !strings.Contains(console, want) {
					t.Errorf("hello does not report %d CPUs:\n%s", n, console)
				}
				if n > 1 && !strings.Contains(console, fmt.Sprintf("the program runs on %d CPUs\n", n)) {
					t.Errorf("no CPU line saying the program runs on %d CPUs:\n%s", n, console)
				}
				// Its checks hold on every CPU: among them a mutex
				// that a hundred goroutines contend for.
				checkHelloOutput(t, console)
			})
		}
	}
	t.Run("off", func(t *testing.T) {
		console := bootSMP(t, helloImage, "hello", qemu.Microvm, 2, "coracle.smp=off coracle.checksched")
		if !strings.Contains(console, "1 CPU(s), GOMAXPROCS 1\n") || !strings.Contains(console, "2 online; the program runs on the boot CPU only (coracle.smp=off)\n") {
			t.Errorf("coracle.smp=off: hello does not run on the boot CPU alone:\n%s", console)
		}
	})
}

// smpstress runs the Go runtime's parallel machinery on every P with
// coracle.checksched at 2 and 4 vCPUs; its "smp:" lines must equal the
// host's, and NumCPU and GOMAXPROCS must be the vCPU count.
func TestSMPStress(t *testing.T) {
	img := buildTestProgram(t, "smpstress")
	native := runNative(t, "smpstress")
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			console := bootSMP(t, img, "smpstress", qemu.Microvm, n, "coracle.checksched")
			if want := fmt.Sprintf("cpus: NumCPU %d GOMAXPROCS %d\n", n, n); !strings.Contains(console, want) {
				t.Errorf("console lacks %q", want)
			}
			sameLines(t, "smp:", console, native, 9)
		})
	}
}

// parsha hashes in parallel; its wall time at 1 and 2 vCPUs is logged
// (a benchmark figure, not an assertion), its digest checked.
func TestSMPParallelSHA256(t *testing.T) {
	img := buildTestProgram(t, "parsha")
	native := runNative(t, "parsha")
	timeRE := regexp.MustCompile(`(?m)^parsha: GOMAXPROCS \d+, .*$`)
	for _, n := range []int{1, 2} {
		console := bootSMP(t, img, "parsha", qemu.Microvm, n, "")
		if got, want := linesWithPrefix(console, "parsha: digest"), linesWithPrefix(native, "parsha: digest"); strings.Join(got, "") != strings.Join(want, "") {
			t.Errorf("%d vCPUs: digest %q, want %q", n, got, want)
		}
		t.Logf("%d vCPUs: %s", n, timeRE.FindString(console))
	}
}
