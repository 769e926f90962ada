package amd64

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedTrapStubs runs gen_trap.go into a temporary file and
// compares the result with the checked-in trap_amd64.s, so that the two
// cannot drift apart: an edit to either without the other fails here.
func TestGeneratedTrapStubs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	out := filepath.Join(t.TempDir(), "trap_amd64.s")
	cmd := exec.Command("go", "run", "gen_trap.go", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_trap.go: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("trap_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("trap_amd64.s differs from what gen_trap.go generates (first difference at line %d); "+
			"regenerate it with `go generate ./arch/amd64` (or `go run gen_trap.go` in arch/amd64)",
			firstDifferentLine(got, want))
	}
}

// firstDifferentLine returns the 1-based number of the first line at
// which a and b differ.
func firstDifferentLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}
