package compat

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json's TestEvent; the
// build events carry ImportPath instead of Package).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Elapsed    float64
	Output     string
}

// Verdict is a package's result as go test reports it.
type Verdict string

const (
	Pass      Verdict = "pass"
	Fail      Verdict = "fail"
	Skip      Verdict = "skip"       // no tests ran, or the package skipped itself
	BuildFail Verdict = "build fail" // the test binary did not build
	Timeout   Verdict = "timeout"    // the driver stopped go test
)

// Result is what one `go test -json` run of one package says.
type Result struct {
	Verdict                 Verdict
	Passed, Failed, Skipped int
	Seconds                 float64
	// FirstFail is the first test that failed (a subtest's full name), or
	// empty when the package failed outside any test (a crash before the
	// first test, a build failure).
	FirstFail string
	// Cause is the first lines of output that explain the failure.
	Cause string
	// Exec says that the failing test failed because it runs another
	// program, which one program in a guest cannot.
	Exec bool
	// ExecFailed counts the failed tests (of Failed) whose output shows
	// that they ran another program.
	ExecFailed int
}

// OnlyExec reports whether every test that failed ran another program:
// the package passes but for what one program in a guest cannot do.
func (r Result) OnlyExec() bool {
	return r.Verdict == Fail && r.Failed > 0 && r.ExecFailed == r.Failed
}

// String is the table's short form, e.g. "pass (12 tests, 0.4 s)".
func (r Result) String() string {
	switch r.Verdict {
	case Pass:
		return fmt.Sprintf("pass (%d, %.1f s)", r.Passed, r.Seconds)
	case Fail:
		if r.OnlyExec() {
			return fmt.Sprintf("**FAIL** (%d of %d, %.1f s; each runs a program)", r.Failed, r.Passed+r.Failed, r.Seconds)
		}
		return fmt.Sprintf("**FAIL** (%d of %d, %.1f s)", r.Failed, r.Passed+r.Failed, r.Seconds)
	case "":
		return "not run"
	}
	return string(r.Verdict)
}

// Parse reads the -json output of go test for one package. Lines that
// are not JSON (go's own messages on stderr when both are mixed) count
// as output of the package. A failed test counts as one that runs a
// program when its output says so or when runsPrograms names it.
func Parse(r io.Reader, runsPrograms ...string) Result {
	ranProgram := func(test string, out []string) bool {
		return isExec(out) || slices.Contains(runsPrograms, test)
	}
	var (
		res     Result
		pkgOut  []string                // output outside any test
		testOut = map[string][]string{} // per test, until it ends
		failOut []string                // the first failed test's output
		parents = map[string]bool{}     // tests that have subtests
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			pkgOut = append(pkgOut, string(line))
			continue
		}
		if e.Test != "" {
			markParents(e.Test, parents)
		}
		switch e.Action {
		case "build-output":
			pkgOut = append(pkgOut, strings.TrimRight(e.Output, "\n"))
		case "build-fail":
			res.Verdict = BuildFail
		case "output":
			out := strings.TrimRight(e.Output, "\n")
			if e.Test == "" {
				pkgOut = append(pkgOut, out)
			} else {
				testOut[e.Test] = append(testOut[e.Test], out)
			}
		case "pass", "fail", "skip":
			if e.Test == "" {
				if res.Verdict != BuildFail {
					res.Verdict = Verdict(e.Action)
				}
				res.Seconds = e.Elapsed
				continue
			}
			if parents[e.Test] {
				// A parent's verdict repeats its subtests'; count leaves,
				// unless the parent failed by itself.
				if e.Action == "fail" && res.FirstFail == "" {
					res.Failed++
					if ranProgram(e.Test, testOut[e.Test]) {
						res.ExecFailed++
					}
					res.FirstFail = e.Test
					failOut = testOut[e.Test]
				}
				delete(testOut, e.Test)
				continue
			}
			switch e.Action {
			case "pass":
				res.Passed++
			case "fail":
				res.Failed++
				if ranProgram(e.Test, testOut[e.Test]) {
					res.ExecFailed++
				}
				if res.FirstFail == "" {
					res.FirstFail = e.Test
					failOut = testOut[e.Test]
				}
			case "skip":
				res.Skipped++
			}
			delete(testOut, e.Test)
		}
	}
	if res.Verdict == "" {
		res.Verdict = Fail // the output ended without the package's verdict
	}
	if res.Verdict == Pass && res.Passed == 0 {
		res.Verdict = Skip
	}
	if res.Verdict == Fail || res.Verdict == BuildFail {
		if res.FirstFail != "" {
			// Kernel messages about the test may land before its output
			// is attributed; look at the package's own output too.
			res.Cause = Cause(append(append([]string{}, failOut...), pkgOut...))
		} else {
			res.Cause = Cause(pkgOut)
		}
		res.Exec = isExec(failOut) || (res.FirstFail == "" && isExec(pkgOut))
	}
	return res
}

// markParents records every test that name is a subtest of.
func markParents(name string, parents map[string]bool) {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == '/' {
			parents[name[:i]] = true
		}
	}
}
