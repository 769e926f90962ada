package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/image"
)

// Pipes (testdata/pipeprobe): os.Pipe between goroutines, EOF, EPIPE
// and SIGPIPE, blocking and non-blocking descriptors, PIPE_BUF
// atomicity with concurrent writers, deadlines through the netpoller,
// fstat, and an Example-style capture of os.Stdout. The program runs
// natively on the host too, and the guest must print the same lines.
func TestPipes(t *testing.T) {
	img := buildTestProgram(t, "pipeprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "pipeprobe:", res.stdout, runNative(t, "pipeprobe"), 15)
}

// In the smallest VM pipes run out of memory (ENOMEM, each holds 64 KiB
// of frames) before the pipe table or the descriptors, without harm, and
// closing them gives their buffers back.
func TestPipesExhaust(t *testing.T) {
	img := buildTestProgram(t, "pipeprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-m", "16", img, "--", "exhaust")
	m := regexp.MustCompile(`pipeprobe: made (\d+) pipes, then cannot allocate memory \(12\); after closing them, (\d+) again`).FindStringSubmatch(res.stdout)
	if m == nil || m[1] != m[2] || len(m[1]) < 2 || res.err != nil || res.status != 0 {
		t.Errorf("want as many pipes again after ENOMEM, and exit status 0\n%s", res)
	}
}

// A test binary built with go test -c and linked with the kernel runs
// its Examples: package testing captures each one's output through
// os.Pipe and compares it with the Output comment (testdata/pipeexample:
// one example passes, one prints more than a pipe holds, one is wrong on
// purpose and must be reported).
func TestExampleCapture(t *testing.T) {
	img := buildTestImage(t, "tools/integration/testdata/pipeexample", "pipeexample")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "-test.v", "-test.run", "^ExampleGreet(_large)?$")
	for _, want := range []string{"--- PASS: ExampleGreet ", "--- PASS: ExampleGreet_large ", "\nPASS\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
	if res.err != nil || res.status != 0 {
		t.Errorf("want exit status 0\n%s", res)
	}

	res = coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "-test.run", "ExampleGreet_mismatch")
	for _, want := range []string{"--- FAIL: ExampleGreet_mismatch", "got:\nhello, world\nwant:\ngoodbye, world\n", "\nFAIL\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
	if res.err != nil || res.status != 1 {
		t.Errorf("want exit status 1\n%s", res)
	}
}

// buildTestImage links the test binary of the package in dir (relative
// to the module root, package name name) with the kernel, as coracle
// build links a main package: an overlay adds a file that imports the
// kernel, the linker's entry point is the PVH entry stub, and the ELF
// file gets its PVH note.
func buildTestImage(t *testing.T, dir, name string) string {
	t.Helper()
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "kernel.go")
	if err := os.WriteFile(src, []byte("package "+name+"\n\nimport _ \""+image.KernelImportPath+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, err := json.Marshal(struct{ Replace map[string]string }{
		Replace: map[string]string{filepath.Join(repoRoot, dir, "zz_coracle_kernel_test.go"): src},
	})
	if err != nil {
		t.Fatal(err)
	}
	ov := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(tmp, "linked.elf")
	cmd := exec.Command("go", "test", "-c", "-overlay", ov, "-ldflags", image.TestLinkFlags(), "-o", linked, "./"+dir)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	elf, err := os.ReadFile(linked)
	if err != nil {
		t.Fatal(err)
	}
	img, err := image.RewritePVHNote(elf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := image.Verify(img); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, name+".img")
	if err := os.WriteFile(out, img, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}
