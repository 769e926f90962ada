package main

import (
	"strings"
	"testing"
	"time"
)

// A Linux console, with kernel messages and carriage returns around
// fileprobe's lines, gives every figure and the clock source.
func TestParseConsole(t *testing.T) {
	console := "[    0.011810] ACPI BIOS Error (bug): A valid RSDP was not found\r\n" +
		"filebench: start dir=/tmp benchtime=200ms clocksource=tsc-early\r\n" +
		"filebench: op=open-stat-close n=10000 ns=285432813\r\n" +
		"filebench: op=seq-write-1m n=256 ns=2175476794\n" +
		"filebench: done\n"
	s, err := parseConsole(console)
	if err != nil {
		t.Fatal(err)
	}
	if !s.done || s.failure != "" || s.clockSource != "tsc-early" {
		t.Errorf("done %v, failure %q, clock source %q", s.done, s.failure, s.clockSource)
	}
	if got, want := s.ops["open-stat-close"], (opTiming{n: 10000, total: 285432813}); got != want {
		t.Errorf("open-stat-close = %+v, want %+v", got, want)
	}
	if got := s.ops["open-stat-close"].perOp(); got != 28543*time.Nanosecond {
		t.Errorf("perOp = %v", got)
	}
	if got := s.ops["seq-write-1m"].nsPerOp(); got != 2175476794.0/256 {
		t.Errorf("nsPerOp = %v", got)
	}
	if missing := missingOps(s, operations); len(missing) != len(operations)-2 {
		t.Errorf("missingOps = %v", missing)
	}
	if missing := missingOps(s, shareOperations); len(missing) != len(shareOperations)-2 {
		t.Errorf("missingOps(share) = %v", missing)
	}
}

// An error line is kept; the done line is then absent.
func TestParseConsoleError(t *testing.T) {
	s, err := parseConsole("filebench: start dir=/tmp benchtime=1s clocksource=unknown\nfilebench: error op=mount: mount -t tmpfs tmpfs /tmp: operation not permitted\n")
	if err != nil {
		t.Fatal(err)
	}
	if s.done || !strings.Contains(s.failure, "op=mount") {
		t.Errorf("done %v, failure %q", s.done, s.failure)
	}
}

// Malformed fileprobe lines are errors, not silently dropped figures.
func TestParseConsoleMalformed(t *testing.T) {
	for _, line := range []string{
		"filebench: op=pread-4k n=0 ns=5",
		"filebench: op=pread-4k n=x ns=5",
		"filebench: op= n=1 ns=5",
		"filebench: op=pread-4k n=1",
		"filebench: op=pread-4k n=1 ns=-1",
		"filebench: op=pread-4k n=1 ns=5 junk",
		"filebench: started",
		"filebench: op=pread-4k n=1 ns=5\nfilebench: op=pread-4k n=1 ns=5",
	} {
		if _, err := parseConsole(line + "\n"); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}

// Lines that only look alike are not fileprobe's.
func TestParseConsoleIgnoresOthers(t *testing.T) {
	s, err := parseConsole("coracle: booted\nxfilebench: op=a n=1 ns=1\nfilebench:done-ish\n")
	if err == nil {
		t.Fatalf("a filebench: line with an unknown kind parsed: %+v", s)
	}
	s, err = parseConsole("coracle: booted\nnot filebench: op=a n=1 ns=1\n")
	if err != nil || len(s.ops) != 0 || s.done {
		t.Errorf("got %+v, %v", s, err)
	}
}

func TestGuestFinished(t *testing.T) {
	for _, c := range []struct {
		console string
		want    bool
	}{
		{"filebench: op=a n=1 ns=1\n", false},
		{"filebench: done\r\n", true},
		{"filebench: done", false}, // the line is not complete yet
		{"filebench: error op=x: boom\n", true},
		{"say filebench: done\n", false},
	} {
		if got := guestFinished(c.console); got != c.want {
			t.Errorf("guestFinished(%q) = %v, want %v", c.console, got, c.want)
		}
	}
}
