package trapcheck

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func buildFixture(t *testing.T) *Image {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bad")
	cmd := exec.Command("go", "build", "-o", out, "./testdata/bad")
	cmd.Env = append(cmd.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building fixture: %v\n%s", err, b)
	}
	img, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestCheckFindsEachViolation(t *testing.T) {
	img := buildFixture(t)
	v, err := img.Check(Rule{Context: "test", Roots: []string{"main.root"}, Forbid: TrapSafe})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{} // caller -> reason
	for _, x := range v {
		if len(x.Path) < 2 || x.Path[0] != "main.root" {
			t.Errorf("path %v does not start at the root", x.Path)
			continue
		}
		found[x.Path[len(x.Path)-2]] += x.Reason + ";"
	}
	for caller, want := range map[string]string{
		"main.allocates":        "allocates",
		"main.writesPointer":    "write barrier",
		"main.assertsInterface": "interface",
	} {
		if !strings.Contains(found[caller], want) {
			t.Errorf("%s: got reasons %q, want one containing %q", caller, found[caller], want)
		}
	}
	if r, ok := found["main.clean"]; ok {
		t.Errorf("main.clean is nosplit and allocation-free but was reported: %s", r)
	}
}

func TestStackGrowthIsAllowed(t *testing.T) {
	img := buildFixture(t)
	v, err := img.Check(Rule{Context: "test", Roots: []string{"main.growsStack"}, Forbid: TrapSafe})
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 0 {
		t.Errorf("TrapSafe reported %v for a function that only grows its stack", v)
	}
}

func TestUnknownRoot(t *testing.T) {
	img := buildFixture(t)
	if _, err := img.Check(Rule{Roots: []string{"main.nosuch"}, Forbid: TrapSafe}); err == nil {
		t.Error("Check accepted a root that is not in the image")
	}
}

func TestPrefixRoots(t *testing.T) {
	img := buildFixture(t)
	v, err := img.Check(Rule{Context: "test", Roots: []string{"main.all*"}, Forbid: TrapSafe})
	if err != nil {
		t.Fatal(err)
	}
	if len(v) == 0 || v[0].Path[0] != "main.allocates" {
		t.Errorf("prefix root main.all* did not reach main.allocates: %v", v)
	}
}
