package problems

import (
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	var b strings.Builder
	Write(&b, nil)
	if b.Len() != 0 {
		t.Errorf("without problems: %q", b.String())
	}
	Write(&b, []string{"Linux: skipped (-skip-linux)", "coracle, boot 2: boom"})
	if want := "\nProblems:\n  - Linux: skipped (-skip-linux)\n  - coracle, boot 2: boom\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestFailed(t *testing.T) {
	if err := Failed(nil); err != nil {
		t.Errorf("nothing failed: %v", err)
	}
	if err := Failed([]string{"coracle (tmpfs)", "Linux (share)"}); err == nil || err.Error() != "coracle (tmpfs) and Linux (share) failed (see above and the messages before)" {
		t.Errorf("got %v", err)
	}
}
