package integration

import (
	"strings"
	"testing"
)

func TestLineDiff(t *testing.T) {
	same := []string{"a", "b"}
	if d := lineDiff(same, same); d != "" {
		t.Fatalf("same lines: %q", d)
	}
	d := lineDiff([]string{"a", "b", "c", "d"}, []string{"a", "x", "c", "d", "e"})
	for _, want := range []string{"     1   a", "     2 - b", "     2 + x", "     4   d", "     5 - (none)", "     5 + e"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "c\n") {
		t.Errorf("diff shows an equal line that is not context:\n%s", d)
	}
}
