package main

import "testing"

func TestArgAfter(t *testing.T) {
	args := []string{"-M", "microvm,acpi=off", "-m", "256", "-append"}
	if got := argAfter(args, "-M"); got != "microvm,acpi=off" {
		t.Errorf("argAfter -M = %q", got)
	}
	if got := argAfter(args, "-append"); got != "" {
		t.Errorf("argAfter of a last flag = %q, want empty", got)
	}
	if got := argAfter(nil, "-M"); got != "" {
		t.Errorf("argAfter(nil) = %q", got)
	}
}
