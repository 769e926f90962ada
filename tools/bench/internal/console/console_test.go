package console

import (
	"errors"
	"strings"
	"testing"
)

func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{"": "", "one": "one", "one\ntwo": "one", "\ntwo": ""} {
		if got := FirstLine(in); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := OneLine("wrk:  exit\tstatus 1\nSECOND LINE"); got != "wrk: exit status 1" {
		t.Errorf("OneLine = %q", got)
	}
}

func TestTail(t *testing.T) {
	if got := Tail("  short\n", 10); got != "short" {
		t.Errorf("Tail of a short text = %q", got)
	}
	if got := Tail("0123456789\n", 4); got != "…6789" {
		t.Errorf("Tail cut = %q", got)
	}
}

func TestWithEnds(t *testing.T) {
	base := errors.New("no line")
	err := WithEnds(base, "boot\nlast words", 5, "qemu: oops", 100)
	if !errors.Is(err, base) {
		t.Errorf("WithEnds lost the error: %v", err)
	}
	want := "no line\n--- console (end) ---\n…words\n--- QEMU stderr (end) ---\nqemu: oops"
	if err.Error() != want {
		t.Errorf("WithEnds = %q, want %q", err.Error(), want)
	}
	if strings.Contains(err.Error(), "boot") {
		t.Error("the console's start was kept")
	}
}
