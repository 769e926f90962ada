package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/image"
)

// coracleWithToolchain runs coracle with GOTOOLCHAIN=toolchain, so that
// the go command it runs is that release (the go command downloads it
// from the module proxy the first time).
func coracleWithToolchain(t *testing.T, toolchain string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, coracleBin, args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+toolchain)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: strings.ReplaceAll(stdout.String(), "\r\n", "\n"), stderr: stderr.String()}
	if exit, ok := err.(*exec.ExitError); ok && ctx.Err() == nil {
		res.status = exit.ExitCode()
	} else if err != nil {
		res.err = err
	}
	return res
}

// fetchToolchain makes sure the go command can run toolchain, skipping
// the test, with the go command's reason, when it cannot be downloaded.
func fetchToolchain(t *testing.T, toolchain string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "version")
	cmd.Dir = t.TempDir() // outside coracle's module: no go line to obey
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+toolchain)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "go version "+toolchain+" ") {
		t.Skipf("cannot run Go toolchain %s (the go command downloads it from the module proxy; offline?): %v\n%s", toolchain, err, out)
	}
}

// examples/hello builds and boots with the oldest and the newest Go
// toolchain coracle supports (image.TestedGoVersions), and the guest
// reports that toolchain's runtime. A toolchain older than go.mod's
// floor is refused with the reason.
func TestGoVersions(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	for _, v := range image.TestedGoVersions {
		t.Run(v, func(t *testing.T) {
			fetchToolchain(t, v)
			img := filepath.Join(t.TempDir(), "hello.img")
			res := coracleWithToolchain(t, v, "build", "-o", img, "./examples/hello")
			if res.err != nil || res.status != 0 {
				t.Fatalf("build with %s: %s", v, res)
			}
			if !strings.Contains(res.stderr, "with "+v+" ") {
				t.Errorf("coracle build did not use %s:\n%s", v, res.stderr)
			}
			res = coracle(t, "run", "--accel", "tcg", "--net", "none", img)
			if res.err != nil || res.status != 0 {
				t.Fatalf("run: %s", res)
			}
			if want := "hello from linux/amd64, Go " + v + ","; !strings.Contains(res.stdout, want) {
				t.Errorf("the guest does not say %q:\n%s", want, res.stdout)
			}
		})
	}
	t.Run("too old", func(t *testing.T) {
		const old = "go1.25.5"
		fetchToolchain(t, old)
		res := coracleWithToolchain(t, old, "build", "-o", filepath.Join(t.TempDir(), "hello.img"), "./examples/hello")
		if res.status != 1 || !strings.Contains(res.stderr, "the go command is "+old+"; coracle needs "+image.MinGoVersion+" or newer") {
			t.Errorf("build with %s: want status 1 and the supported versions\n%s", old, res)
		}
	})
}
