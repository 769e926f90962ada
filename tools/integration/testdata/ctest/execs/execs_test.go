// Package execs runs other programs, which a guest has not: the tests
// log the error and must end, not hang.
package execs

import (
	"os"
	"os/exec"
	"testing"
)

func TestExecSelf(t *testing.T) {
	err := exec.Command(os.Args[0], "-test.run=^$").Run()
	t.Logf("exec self: %v", err)
}

func TestExecGo(t *testing.T) {
	out, err := exec.Command("go", "version").CombinedOutput()
	t.Logf("exec go: %q, %v", out, err)
}
