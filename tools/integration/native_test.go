package integration

import (
	"context"
	"fmt"
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
	if d := lineDiff(want, got); d != "" {
		t.Errorf("guest and host differ (host %d lines, guest %d):\n%s", len(want), len(got), d)
	}
}

// lineDiff names the lines where got differs from want, line by line,
// with one line of context before each run of differences, so that a
// failure in a long comparison shows what differs and not only where
// the output ends. It returns "" when they are the same.
func lineDiff(want, got []string) string {
	var b strings.Builder
	shown := 0
	for i := range max(len(want), len(got)) {
		w, g := lineAt(want, i), lineAt(got, i)
		if w == g {
			continue
		}
		if shown == 40 {
			b.WriteString("(more differences left out)\n")
			break
		}
		if i > 0 && lineAt(want, i-1) == lineAt(got, i-1) {
			fmt.Fprintf(&b, "  %4d   %s\n", i, lineAt(want, i-1))
		}
		fmt.Fprintf(&b, "  %4d - %s\n  %4d + %s\n", i+1, w, i+1, g)
		shown++
	}
	return b.String()
}

// lineAt is lines[i], or "(none)" past the end.
func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(none)"
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
