package compat

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	rows := []Row{
		{Package: Package{Path: "a", Area: "std"},
			Native:  Result{Verdict: Pass, Passed: 3, Seconds: 0.1},
			Coracle: Result{Verdict: Pass, Passed: 3, Seconds: 1}},
		{Package: Package{Path: "b", Area: "db"},
			Native:  Result{Verdict: Pass, Passed: 3},
			Coracle: Result{Verdict: Fail, Passed: 2, Failed: 1, FirstFail: "TestX", Cause: "coracle: x | y"}},
		{Package: Package{Path: "c", Area: "x"},
			Native:  Result{Verdict: Pass, Passed: 1},
			Coracle: Result{Verdict: Fail, Failed: 1, FirstFail: "TestGo", Cause: "exec: go", Exec: true}},
		{Package: Package{Path: "d", Area: "x"},
			Native:  Result{Verdict: Pass, Passed: 4},
			Coracle: Result{Verdict: Fail, Passed: 2, Failed: 2, ExecFailed: 2, FirstFail: "TestRun", Cause: "fork/exec x", Exec: true}},
	}
	got := Table(rows)
	for _, want := range []string{
		"| a | std | pass (3, 0.1 s) | pass (3, 1.0 s) |  |  |\n",
		"| b | db | pass (3, 0.0 s) | **FAIL** (1 of 3, 0.0 s) | `TestX` | `coracle: x \\| y` |\n",
		"| `TestGo` | `runs a program: exec: go` |",
		"| d | x | pass (4, 0.0 s) | **FAIL** (2 of 4, 0.0 s; each runs a program) | `TestRun` |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Table lacks %q:\n%s", want, got)
		}
	}
	if got, want := Summary(rows), "4 of 4 packages pass natively; 1 of those pass in coracle, 1 more but for tests that run programs (d); not: b, c.\n"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

func TestSplice(t *testing.T) {
	doc := "# T\n\n" + BeginMarker + "\nold\n" + EndMarker + "\nafter\n"
	got, err := Splice([]byte(doc), "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# T\n\n" + BeginMarker + "\nnew\n" + EndMarker + "\nafter\n"; string(got) != want {
		t.Errorf("Splice = %q, want %q", got, want)
	}
	if _, err := Splice([]byte("no markers"), "x"); err == nil {
		t.Error("Splice without markers succeeded")
	}
}

func TestCauseClips(t *testing.T) {
	long := strings.Repeat("é", maxCause)
	if got := Cause([]string{long}); len(got) > maxCause+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("Cause of a long line = %d bytes, want at most %d and an ellipsis", len(got), maxCause+3)
	}
	if got := Cause([]string{"panic: boom [recovered]", "\tdetail", "goroutine 5 [running]:"}); got != "panic: boom [recovered] detail" {
		t.Errorf("Cause of a panic = %q", got)
	}
}

func TestCauseDropsDirectories(t *testing.T) {
	got := Cause([]string{"/root/go/pkg/mod/golang.org/x/net@v0.63.0/idna/idna.go:24:2: missing go.sum entry"})
	if want := "idna.go:24:2: missing go.sum entry"; got != want {
		t.Errorf("Cause = %q, want %q", got, want)
	}
}

func TestCellClimbing(t *testing.T) {
	if got := cell("open ../testdata/e.txt"); strings.Contains(got, "../") {
		t.Errorf("cell kept a climbing path: %q", got)
	}
}
