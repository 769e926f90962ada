package linuxguest

import (
	"slices"
	"testing"
)

func TestWithMachine(t *testing.T) {
	args := []string{"-M", "microvm,acpi=off,rtc=on", "-m", "256"}
	got, err := WithMachine(args, MicrovmACPI)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-M", MicrovmACPI, "-m", "256"}; !slices.Equal(got, want) {
		t.Errorf("WithMachine = %q, want %q", got, want)
	}
	if args[1] != "microvm,acpi=off,rtc=on" {
		t.Errorf("WithMachine changed its argument: %q", args)
	}
	for _, bad := range [][]string{{"-m", "256"}, {"-m", "256", "-M"}} {
		if _, err := WithMachine(bad, MicrovmACPI); err == nil {
			t.Errorf("WithMachine(%q) succeeded", bad)
		}
	}
}
