package image

import (
	"strings"
	"testing"
)

func TestCheckGoVersion(t *testing.T) {
	for _, v := range []string{"go1.26.3", "go1.26.8", "go1.27.0", "go1.27.4", "go1.27.10", "go1.27.0 X:jsonv2"} {
		if err := CheckGoVersion(v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	for v, want := range map[string]string{
		"go1.26.2":              "needs go1.26.3 or newer",
		"go1.25.5":              "needs go1.26.3 or newer",
		"go1.28.0":              "not tested with; coracle supports go1.26.3 or a later go1.26.x and go1.27.x: the kernel reads the Go runtime's function table",
		"go1.28rc1":             "not tested with",
		"devel go1.28-0123abcd": "a development or unknown toolchain",
		"":                      "a development or unknown toolchain",
	} {
		err := CheckGoVersion(v)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", v, err, want)
		}
	}
}

func TestCheckToolchainOverride(t *testing.T) {
	t.Setenv(UntestedGoEnv, "1")
	if w, err := checkToolchain("go1.28.0"); err != nil || !strings.Contains(w, "warning") {
		t.Errorf("go1.28.0 with %s=1: warning %q, error %v", UntestedGoEnv, w, err)
	}
	if _, err := checkToolchain("go1.26.1"); err == nil {
		t.Errorf("go1.26.1 with %s=1: no error; go.mod's floor still holds", UntestedGoEnv)
	}
	t.Setenv(UntestedGoEnv, "")
	if _, err := checkToolchain("go1.28.0"); err == nil {
		t.Error("go1.28.0 without the override: no error")
	}
}
