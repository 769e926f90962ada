package pass_test

import (
	"os"
	"testing"
)

// lateAtInit is read while this external test package is initialized:
// after the packages it imports, the guest's file service among them, so
// through the share of the package directory. The file is in a hidden
// directory, which coracle test's early copy of the package directory
// leaves out: the read works only if the working directory the test
// binary started in is entered again through the share once the service
// runs.
var lateAtInit, errLateAtInit = os.ReadFile("testdata/.late/late.txt")

// TestReadThroughShareAtInit checks what the package initializer read.
func TestReadThroughShareAtInit(t *testing.T) {
	if errLateAtInit != nil {
		t.Fatal(errLateAtInit)
	}
	if string(lateAtInit) != "read through the share\n" {
		t.Fatalf("testdata/.late/late.txt held %q at init", lateAtInit)
	}
}
