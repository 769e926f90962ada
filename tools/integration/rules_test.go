package integration

import (
	"testing"

	"github.com/coracle-os/coracle/tools/trapcheck"
)

// The kernel code that runs before the Go runtime, or in trap handlers,
// keeps its rules in the image users actually boot.
func TestImageKeepsTrapContextRules(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	img, err := trapcheck.Load(helloImage)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range trapcheck.Rules() {
		v, err := img.Check(r)
		if err != nil {
			t.Fatalf("%s: %v", r.Context, err)
		}
		for _, x := range v {
			t.Error(x)
		}
	}
}
