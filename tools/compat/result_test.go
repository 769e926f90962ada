package compat

import (
	"strings"
	"testing"
)

// A package whose second test fails in a subtest, with a kernel message
// in its output, as go test -json reports it.
const failingRun = `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestB/sub"}
{"Action":"output","Package":"p","Test":"TestB/sub","Output":"=== RUN   TestB/sub\n"}
{"Action":"output","Package":"p","Test":"TestB/sub","Output":"coracle: unimplemented system call mlock (149): ENOSYS\n"}
{"Action":"output","Package":"p","Test":"TestB/sub","Output":"    b_test.go:9: mlock: function not implemented\n"}
{"Action":"output","Package":"p","Test":"TestB/sub","Output":"--- FAIL: TestB/sub (0.00s)\n"}
{"Action":"fail","Package":"p","Test":"TestB/sub","Elapsed":0}
{"Action":"fail","Package":"p","Test":"TestB","Elapsed":0}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"skip","Package":"p","Test":"TestC","Elapsed":0}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"fail","Package":"p","Elapsed":1.5}
`

func TestParseFailure(t *testing.T) {
	r := Parse(strings.NewReader(failingRun))
	want := Result{Verdict: Fail, Passed: 1, Failed: 1, Skipped: 1, Seconds: 1.5, FirstFail: "TestB/sub",
		Cause: "coracle: unimplemented system call mlock (149): ENOSYS"}
	if r != want {
		t.Errorf("Parse = %+v, want %+v", r, want)
	}
}

func TestParsePass(t *testing.T) {
	run := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0}
{"Action":"pass","Package":"p","Elapsed":0.25}
`
	r := Parse(strings.NewReader(run))
	if r.Verdict != Pass || r.Passed != 1 || r.Seconds != 0.25 || r.Cause != "" {
		t.Errorf("Parse = %+v, want a pass of 1 test in 0.25 s", r)
	}
	// No tests at all: the package is counted as skipped.
	if r := Parse(strings.NewReader(`{"Action":"pass","Package":"p","Elapsed":0}` + "\n")); r.Verdict != Skip {
		t.Errorf("Parse of a package without tests = %v, want skip", r.Verdict)
	}
}

// A parent that fails by itself (not through a subtest) is the first
// failing test.
func TestParseParentFails(t *testing.T) {
	run := `{"Action":"run","Package":"p","Test":"TestP"}
{"Action":"run","Package":"p","Test":"TestP/ok"}
{"Action":"pass","Package":"p","Test":"TestP/ok","Elapsed":0}
{"Action":"output","Package":"p","Test":"TestP","Output":"    p_test.go:3: wrong answer\n"}
{"Action":"fail","Package":"p","Test":"TestP","Elapsed":0}
{"Action":"fail","Package":"p","Elapsed":0}
`
	r := Parse(strings.NewReader(run))
	if r.FirstFail != "TestP" || r.Failed != 1 || r.Passed != 1 || r.Cause != "p_test.go:3: wrong answer" {
		t.Errorf("Parse = %+v, want TestP failed with its message", r)
	}
}

// A crash outside any test, and output that ends without a verdict (the
// guest stopped), are failures with the package's own output as cause.
func TestParseCrash(t *testing.T) {
	run := `{"Action":"start","Package":"p"}
{"Action":"output","Package":"p","Output":"fatal error: runtime: out of memory\n"}
{"Action":"output","Package":"p","Output":"goroutine 1 [running]:\n"}
`
	r := Parse(strings.NewReader(run))
	if r.Verdict != Fail || r.FirstFail != "" || r.Cause != "fatal error: runtime: out of memory" {
		t.Errorf("Parse = %+v, want a failure caused by the fatal error", r)
	}
}

func TestParseBuildFail(t *testing.T) {
	run := `{"ImportPath":"p [p.test]","Action":"build-output","Output":"# p\n"}
{"ImportPath":"p [p.test]","Action":"build-output","Output":"./x.go:1:1: undefined: y\n"}
{"ImportPath":"p [p.test]","Action":"build-fail"}
{"Action":"start","Package":"p"}
{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}
{"Action":"fail","Package":"p","Elapsed":0,"FailedBuild":"p [p.test]"}
`
	r := Parse(strings.NewReader(run))
	if r.Verdict != BuildFail || r.Cause != "x.go:1:1: undefined: y" {
		t.Errorf("Parse = %+v, want a build failure with the compiler's message", r)
	}
}

func TestParseExec(t *testing.T) {
	run := `{"Action":"run","Package":"p","Test":"TestGo"}
{"Action":"output","Package":"p","Test":"TestGo","Output":"    x_test.go:40: \n"}
{"Action":"output","Package":"p","Test":"TestGo","Output":"    x_test.go:41: exec: \"go\": executable file not found in $PATH\n"}
{"Action":"fail","Package":"p","Test":"TestGo","Elapsed":0}
{"Action":"fail","Package":"p","Elapsed":0}
`
	r := Parse(strings.NewReader(run))
	if !r.Exec || r.Cause != `x_test.go:41: exec: "go": executable file not found in $PATH` {
		t.Errorf("Parse = %+v, want an exec failure", r)
	}
}

// The exec error explains more than the kernel's line about pidfd_open
// that comes before it.
func TestParseExecBeforeKernel(t *testing.T) {
	run := `{"Action":"run","Package":"p","Test":"TestSelf"}
{"Action":"output","Package":"p","Test":"TestSelf","Output":"coracle: unimplemented system call pidfd_open (434): ENOSYS\n"}
{"Action":"output","Package":"p","Test":"TestSelf","Output":"    x_test.go:9: fork/exec /tmp/p.test: invalid argument\n"}
{"Action":"fail","Package":"p","Test":"TestSelf","Elapsed":0}
{"Action":"fail","Package":"p","Elapsed":0}
`
	r := Parse(strings.NewReader(run))
	if !r.Exec || r.Cause != "x_test.go:9: fork/exec /tmp/p.test: invalid argument" {
		t.Errorf("Parse = %+v, want the exec error as cause", r)
	}
}

// Failed tests that ran another program are counted apart: a package
// whose every failure is one passes but for them.
func TestParseCountsExecFailures(t *testing.T) {
	run := `{"Action":"run","Package":"p","Test":"TestRun"}
{"Action":"output","Package":"p","Test":"TestRun","Output":"    r_test.go:7: fork/exec /tmp/p.test: invalid argument\n"}
{"Action":"fail","Package":"p","Test":"TestRun","Elapsed":0}
{"Action":"run","Package":"p","Test":"TestMath"}
{"Action":"output","Package":"p","Test":"TestMath","Output":"    m_test.go:3: 1+1 = 3\n"}
{"Action":"fail","Package":"p","Test":"TestMath","Elapsed":0}
{"Action":"fail","Package":"p","Elapsed":0.5}
`
	r := Parse(strings.NewReader(run))
	if r.Failed != 2 || r.ExecFailed != 1 || r.OnlyExec() {
		t.Errorf("Parse = %+v, want 2 failed, 1 of them running a program, not only exec", r)
	}
	onlyExec := run[:strings.Index(run, `{"Action":"run","Package":"p","Test":"TestMath"}`)] + `{"Action":"fail","Package":"p","Elapsed":0.5}` + "\n"
	if r := Parse(strings.NewReader(onlyExec)); r.Failed != 1 || !r.OnlyExec() {
		t.Errorf("Parse = %+v, want one failure, running a program", r)
	}
	// A test known to run a program without saying so.
	if r := Parse(strings.NewReader(run), "TestMath"); r.ExecFailed != 2 || !r.OnlyExec() {
		t.Errorf("Parse with TestMath known to run a program = %+v, want both failures counted as such", r)
	}
}
