package pass

import (
	"os"
	"testing"
)

// greetingAtInit is read while the test binary's packages are
// initialized, by a relative path: before any test runs and, in a
// guest, before the file service that serves the package directory has
// started (this package does not depend on it, so the Go runtime may
// initialize it first).
var greetingAtInit, errAtInit = os.ReadFile("testdata/greeting.txt")

// TestReadAtInit checks what the package initializer read.
func TestReadAtInit(t *testing.T) {
	if errAtInit != nil {
		t.Fatal(errAtInit)
	}
	if string(greetingAtInit) != "hello from testdata\n" {
		t.Fatalf("testdata/greeting.txt held %q at init", greetingAtInit)
	}
}
