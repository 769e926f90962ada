package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The packages of testdata/ctest, relative to the module root.
const (
	ctestPass  = "./tools/integration/testdata/ctest/pass"
	ctestFail  = "./tools/integration/testdata/ctest/fail"
	ctestXOnly = "./tools/integration/testdata/ctest/xonly"
	ctestExecs = "./tools/integration/testdata/ctest/execs"
)

// goTestRun runs `coracle test args...` (coracle true) or `go test
// args...` in the module root with the extra environment env, and
// returns its raw output (stdout and stderr together, as go test prints
// both) and exit status.
func goTestRun(t *testing.T, coracle bool, env []string, args ...string) (string, int) {
	t.Helper()
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if coracle {
		cmd = exec.CommandContext(ctx, coracleBin, append([]string{"test"}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, "go", append([]string{"test"}, args...)...)
	}
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return out.String(), exit.ExitCode()
	}
	t.Fatalf("%v: %v\n%s", cmd.Args, err, out.String())
	return "", 0
}

// durations matches what differs between two runs of the same tests:
// the times go test and the testing package print.
var durations = regexp.MustCompile(`\d+\.\d+s\b`)

// normalize makes go test output comparable between runs.
func normalize(out string) string { return durations.ReplaceAllString(out, "T") }

// TestCoracleTest runs testdata/ctest's packages with coracle test and
// natively with go test and compares the output lines and the exit
// status: passing tests that read testdata/ and the environment and
// write to t.TempDir, a failing test, a package with only external
// tests; then -v with -run, -json, -coverprofile (the profile lands on
// the host) and a benchmark.
func TestCoracleTest(t *testing.T) {
	// GOARCH as the caller's own: the test sees it, and not GOOS or
	// CGO_ENABLED, which only coracle test sets for the go command.
	env := []string{"CTEST_WANT=from the caller", "CTEST_VALUE=from the caller", "GOARCH=amd64"}
	pkgs := []string{ctestPass, ctestFail, ctestXOnly}

	t.Run("summary", func(t *testing.T) {
		args := append([]string{"-count=1"}, pkgs...)
		native, nativeStatus := goTestRun(t, false, env, args...)
		guest, guestStatus := goTestRun(t, true, env, args...)
		if nativeStatus != 1 || guestStatus != nativeStatus {
			t.Errorf("exit status: coracle test %d, go test %d (want 1: a test fails)", guestStatus, nativeStatus)
		}
		if normalize(guest) != normalize(native) {
			t.Errorf("coracle test's output differs from go test's:\n--- coracle test ---\n%s--- go test ---\n%s", guest, native)
		}
		for _, want := range []string{"--- FAIL: TestFails", "FAIL\tgithub.com/coracle-os/coracle/tools/integration/testdata/ctest/fail", "ok  \tgithub.com/coracle-os/coracle/tools/integration/testdata/ctest/pass"} {
			if !strings.Contains(guest, want) {
				t.Errorf("coracle test's output lacks %q:\n%s", want, guest)
			}
		}
		if strings.Contains(guest, "\r") {
			t.Errorf("coracle test's output has CRs: %q", guest)
		}
	})

	t.Run("verbose", func(t *testing.T) {
		args := []string{"-count=1", "-v", "-run", "TestSum|TestTestdata|TestWorkingDir|TestTempDir|TestEnv|TestGoEnv", ctestPass}
		native, nativeStatus := goTestRun(t, false, env, args...)
		guest, guestStatus := goTestRun(t, true, env, args...)
		if guestStatus != 0 || nativeStatus != 0 {
			t.Errorf("exit status: coracle test %d, go test %d, want 0", guestStatus, nativeStatus)
		}
		if normalize(guest) != normalize(native) {
			t.Errorf("coracle test -v's output differs from go test's:\n--- coracle test ---\n%s--- go test ---\n%s", guest, native)
		}
		if strings.Count(guest, "--- PASS") != 6 {
			t.Errorf("want 6 passing tests (none skipped):\n%s", guest)
		}
	})

	t.Run("json", func(t *testing.T) {
		args := []string{"-count=1", "-json", ctestPass, ctestFail}
		native, _ := goTestRun(t, false, env, args...)
		guest, status := goTestRun(t, true, env, args...)
		if status != 1 {
			t.Errorf("exit status %d, want 1", status)
		}
		g, n := jsonEvents(t, guest), jsonEvents(t, native)
		if !maps.EqualFunc(g, n, slices.Equal) {
			t.Errorf("coracle test -json's events differ from go test's:\n--- coracle test ---\n%v\n--- go test ---\n%v", g, n)
		}
	})

	t.Run("coverprofile", func(t *testing.T) {
		dir := t.TempDir()
		profile := filepath.Join(dir, "cover.out")
		nativeProfile := filepath.Join(dir, "native.out")
		if out, status := goTestRun(t, true, env, "-count=1", "-coverprofile="+profile, ctestPass); status != 0 || !strings.Contains(out, "coverage: 100.0% of statements") {
			t.Fatalf("status %d, want 0 and the coverage:\n%s", status, out)
		}
		goTestRun(t, false, env, "-count=1", "-coverprofile="+nativeProfile, ctestPass)
		got, err := os.ReadFile(profile)
		if err != nil {
			t.Fatalf("the cover profile did not land on the host: %v", err)
		}
		want, err := os.ReadFile(nativeProfile)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("cover profile:\n%s\nwant, as natively:\n%s", got, want)
		}
	})

	t.Run("bench", func(t *testing.T) {
		out, status := goTestRun(t, true, nil, "-count=1", "-run", "^$", "-bench", "Sum", "-benchtime", "20x", ctestPass)
		if status != 0 || !regexp.MustCompile(`(?m)^BenchmarkSum\s+20\s+\d+(\.\d+)? ns/op$`).MatchString(out) || !strings.Contains(out, "\nPASS\nok  \t") {
			t.Errorf("status %d, want 0 and a BenchmarkSum line:\n%s", status, out)
		}
	})
}

// jsonEvents returns the Action and Test of go test -json's events by
// package (packages run at once interleave), the output events left out
// (their text holds times).
func jsonEvents(t *testing.T, out string) map[string][]string {
	t.Helper()
	events := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e struct{ Action, Package, Test string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not a go test -json line: %q: %v", sc.Text(), err)
		}
		if e.Action != "output" {
			events[e.Package] = append(events[e.Package], e.Action+" "+e.Test)
		}
	}
	return events
}

// TestCoracleTestCache runs the same tests twice: the second result comes
// from go test's cache, as natively; a change to a file the test read
// runs it again.
func TestCoracleTestCache(t *testing.T) {
	// A private cache, so that earlier runs do not count.
	env := []string{"GOCACHE=" + t.TempDir()}
	if out, status := goTestRun(t, true, env, "-run", "TestTestdata", ctestPass); status != 0 || strings.Contains(out, "(cached)") {
		t.Fatalf("first run: status %d, want 0 and no cached result:\n%s", status, out)
	}
	if out, status := goTestRun(t, true, env, "-run", "TestTestdata", ctestPass); status != 0 || !strings.Contains(out, "(cached)") {
		t.Fatalf("second run: status %d, want 0 and a cached result:\n%s", status, out)
	}
}

// TestCoracleTestExec runs tests that start other programs (the test
// binary itself, the go command): in a guest that has no other programs
// they get an error and go on.
func TestCoracleTestExec(t *testing.T) {
	out, status := goTestRun(t, true, nil, "-count=1", "-v", ctestExecs)
	if status != 0 {
		t.Fatalf("status %d, want 0:\n%s", status, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`exec self: \S.*`),
		// The go command is found when it is in the shared GOROOT and on
		// PATH; running it fails as running any program does.
		regexp.MustCompile(`exec go: "", (exec: "go": executable file not found in \$PATH|fork/exec \S*/go: invalid argument)`),
	} {
		if !want.MatchString(out) {
			t.Errorf("output does not match %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "exec self: <nil>") {
		t.Errorf("exec of the test binary succeeded in a guest:\n%s", out)
	}
}
