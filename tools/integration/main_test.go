package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/tools/qemu"
)

// Paths shared by the tests, set up once by TestMain.
var (
	repoRoot   string // module root: examples are built from here
	coracleBin string // the coracle command under test
	helloImage string // examples/hello built with `coracle build`
	confImage  string // examples/conformance
	faultImage string // examples/faults
	setupErr   error  // why the shared set-up failed, reported by every test
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coracle-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	setupErr = setUp(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func setUp(dir string) error {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	repoRoot = filepath.Dir(strings.TrimSpace(string(out)))
	coracleBin = filepath.Join(dir, "coracle")
	build := exec.Command("go", "build", "-o", coracleBin, "./tools/cmd/coracle")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the coracle command: %v\n%s", err, out)
	}
	helloImage = filepath.Join(dir, "hello.img")
	confImage = filepath.Join(dir, "conformance.img")
	faultImage = filepath.Join(dir, "faults.img")
	for pkg, img := range map[string]string{"./examples/hello": helloImage, "./examples/conformance": confImage, "./examples/faults": faultImage} {
		if res := coracle(nil, "build", "-o", img, pkg); res.err != nil || res.status != 0 {
			return fmt.Errorf("coracle build %s: status %d, %v\n%s", pkg, res.status, res.err, res.stderr)
		}
	}
	return nil
}

// result is what one coracle invocation showed the user.
type result struct {
	stdout, stderr string // stdout with the console's CRLFs turned into LFs
	status         int
	err            error // the command could not run or timed out
}

func (r result) String() string {
	return fmt.Sprintf("exit status %d (err %v)\n--- stdout ---\n%s--- stderr ---\n%s", r.status, r.err, r.stdout, r.stderr)
}

// coracle runs the command under test in the module root.
func coracle(t *testing.T, args ...string) result {
	if t != nil {
		t.Helper()
		if setupErr != nil {
			t.Fatal(setupErr)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, coracleBin, withSMP(args)...)
	cmd.Dir = repoRoot
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{
		stdout: strings.ReplaceAll(stdout.String(), "\r\n", "\n"),
		stderr: stderr.String(),
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && ctx.Err() == nil:
		res.status = exit.ExitCode()
	case err != nil:
		res.err = err
	}
	return res
}

// accelerators lists the accelerators to boot under: TCG always, KVM
// where it is hardware-backed. Elsewhere the KVM subtests are skipped
// with the reason.
func accelerators() []struct {
	name, skip string
} {
	kvm := ""
	if c, _ := qemu.ChooseAccel(qemu.AccelAuto, qemu.LocalHost()); c.Accel != qemu.KVM {
		kvm = "KVM is not hardware-backed here: " + c.Reason
	}
	return []struct{ name, skip string }{{"tcg", ""}, {"kvm", kvm}}
}

// forEachTarget runs f as a subtest for each machine and accelerator.
func forEachTarget(t *testing.T, machines []string, f func(t *testing.T, machine, accel string)) {
	for _, m := range machines {
		for _, a := range accelerators() {
			t.Run(m+"/"+a.name, func(t *testing.T) {
				if a.skip != "" {
					t.Skip(a.skip)
				}
				f(t, m, a.name)
			})
		}
	}
}

// buildTestProgram builds a program under tools/integration/testdata
// into an image in a temporary directory.
func buildTestProgram(t *testing.T, name string) string {
	t.Helper()
	return buildImage(t, "./tools/integration/testdata/"+name)
}

// buildImage builds package pkg (relative to the module root) into an
// image in a temporary directory.
func buildImage(t *testing.T, pkg string) string {
	t.Helper()
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	img := filepath.Join(t.TempDir(), filepath.Base(pkg)+".img")
	if res := coracle(t, "build", "-o", img, pkg); res.err != nil || res.status != 0 {
		t.Fatalf("build %s: %s", pkg, res)
	}
	return img
}

// bootOnMicrovm boots img under TCG on microvm with 128 MiB, the program
// arguments args and the extra QEMU arguments qemuArgs (devices), and
// returns the console with LF line ends. It fails t unless the guest
// exits with status 0.
func bootOnMicrovm(t *testing.T, img string, args, qemuArgs []string) string {
	t.Helper()
	cl, err := cmdline.Encode("", args, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	o, err := qemu.Run(ctx, qemu.Config{
		Image: img, Cmdline: cl, Machine: qemu.Microvm, MemoryMiB: 128, Accel: qemu.TCG, ExtraArgs: qemuArgs,
	}, qemu.Streams{Stdout: &out, Stderr: &errOut})
	console := strings.ReplaceAll(out.String(), "\r\n", "\n")
	if err != nil || o.Err != nil || o.Status != 0 {
		t.Fatalf("run: %v, outcome %+v\n%s%s", err, o, console, errOut.String())
	}
	return console
}

// syncBuffer is a bytes.Buffer safe to read while QEMU writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.ReplaceAll(s.b.String(), "\r\n", "\n")
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// guest is a coracle run in the background, for tests that talk to it
// while it runs.
type guest struct {
	out, errOut syncBuffer // the console (coracle's stdout) and stderr
	done        chan error
}

// startGuest runs coracle with args for at most timeout; the guest is
// stopped when the test ends.
func startGuest(t *testing.T, timeout time.Duration, args ...string) *guest {
	t.Helper()
	return startGuestIn(t, nil, timeout, args...)
}

// startGuestIn is startGuest inside network namespace ns (nil: this one).
func startGuestIn(t *testing.T, ns *netns, timeout time.Duration, args ...string) *guest {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	g := &guest{done: make(chan error, 1)}
	name := coracleBin
	args = withSMP(args)
	if ns != nil {
		name, args = "ip", append([]string{"netns", "exec", ns.name, coracleBin}, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = repoRoot
	cmd.Stdout, cmd.Stderr = &g.out, &g.errOut
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { g.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-g.done
	})
	return g
}

// waitFor waits until the console shows s, failing t if the guest stops
// or d passes first.
func (g *guest) waitFor(t *testing.T, s string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); !strings.Contains(g.out.String(), s); {
		select {
		case err := <-g.done:
			g.done <- err
			t.Fatalf("guest stopped before %q: %v\n%s", s, err, g)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %v:\n%s", s, d, g)
		}
	}
}

// wait waits for the guest to exit and returns its exit status.
func (g *guest) wait(t *testing.T) int {
	t.Helper()
	err := <-g.done
	g.done <- err
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("guest: %v\n%s", err, g)
	}
	return 0
}

func (g *guest) String() string {
	return "--- console ---\n" + g.out.String() + "--- stderr ---\n" + g.errOut.String()
}

// tail is the end of the console, for failure messages.
func (g *guest) tail() string {
	s := g.out.String()
	return s[max(0, len(s)-3000):]
}
