package integration

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// runNative builds testdata/<name> for the host and runs it with args,
// for the tests that compare what a program prints in the guest with
// what it prints on the host's Linux. It returns the program's output.
func runNative(t *testing.T, name string, args ...string) string {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("no native comparison on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	bin := filepath.Join(t.TempDir(), name)
	build := exec.Command("go", "build", "-o", bin, "./tools/integration/testdata/"+name)
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s natively: %v\n%s", name, err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).Output()
	if err != nil {
		t.Fatalf("%s natively: %v\n%s", name, err, out)
	}
	return string(out)
}

// sameLines checks that the lines starting with prefix are the same in
// the guest's output and the native one, which must have at least min of
// them and end with "<prefix> done".
func sameLines(t *testing.T, prefix, guest, native string, min int) {
	t.Helper()
	want := linesWithPrefix(native, prefix)
	got := linesWithPrefix(guest, prefix)
	if len(want) < min || want[len(want)-1] != prefix+" done" {
		t.Fatalf("the native run printed too little:\n%s", native)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("guest and host differ\n--- host ---\n%s\n--- guest ---\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

// linesWithPrefix returns the lines of out that start with prefix.
func linesWithPrefix(out, prefix string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimRight(l, "\r"); strings.HasPrefix(l, prefix) {
			lines = append(lines, l)
		}
	}
	return lines
}
