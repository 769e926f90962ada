package vcpus

import (
	"slices"
	"strings"
	"testing"
)

func TestCoracleParams(t *testing.T) {
	if got := CoracleParams(1); got != "" {
		t.Errorf("CoracleParams(1) = %q", got)
	}
	if got := CoracleParams(4); got != "coracle.smp=on" {
		t.Errorf("CoracleParams(4) = %q", got)
	}
}

func TestParseList(t *testing.T) {
	got, err := ParseList("1, 2,4")
	if err != nil || !slices.Equal(got, []int{1, 2, 4}) {
		t.Errorf("ParseList(1, 2,4) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "1,,2", "2,2", "x", "1,100000"} {
		if got, err := ParseList(bad); err == nil {
			t.Errorf("ParseList(%q) = %v, no error", bad, got)
		}
	}
}

func TestText(t *testing.T) {
	if Text(1) != "1 vCPU" || Text(2) != "2 vCPUs" {
		t.Errorf("Text: %q, %q", Text(1), Text(2))
	}
}

func TestHostNote(t *testing.T) {
	if got := HostNote(2, []int{1, 2}); got != "" {
		t.Errorf("counts that fit: %q", got)
	}
	got := HostNote(2, []int{1, 2, 4, 8})
	for _, want := range []string{"this host has 2 CPUs", "beyond 2 vCPUs", "4, 8 vCPUs oversubscribe"} {
		if !strings.Contains(got, want) {
			t.Errorf("HostNote lacks %q: %q", want, got)
		}
	}
}
