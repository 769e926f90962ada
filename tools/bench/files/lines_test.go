package main

import (
	"testing"
)

// A console with some of fileprobe's operations lacks the others of
// each suite; a run too short for the clock (ns=0) is a figure.
func TestParseConsole(t *testing.T) {
	console := "[    0.011810] ACPI BIOS Error (bug): A valid RSDP was not found\r\n" +
		"filebench: start dir=/tmp benchtime=200ms clocksource=tsc-early\r\n" +
		"filebench: op=open-stat-close n=10000 ns=285432813\r\n" +
		"filebench: op=seq-write-1m n=256 ns=0\n" +
		"filebench: done\n"
	s, err := parseConsole(console)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Done || s.Failure != "" || s.ClockSource != "tsc-early" {
		t.Errorf("done %v, failure %q, clock source %q", s.Done, s.Failure, s.ClockSource)
	}
	if missing := missingOps(s, operations); len(missing) != len(operations)-2 {
		t.Errorf("missingOps = %v", missing)
	}
	if missing := missingOps(s, shareOperations); len(missing) != len(shareOperations)-2 {
		t.Errorf("missingOps(share) = %v", missing)
	}
	if err := s.Check(lines, missingOps(s, operations)); err == nil {
		t.Error("Check passed a sample that lacks operations")
	}
}

// Malformed fileprobe lines are errors, not silently dropped figures.
func TestParseConsoleMalformed(t *testing.T) {
	for _, line := range []string{
		"filebench: op=pread-4k n=0 ns=5",
		"filebench: op=pread-4k n=1 ns=-1",
		"filebench: lat=fsync n=1 p50=1 p99=1",
	} {
		if _, err := parseConsole(line + "\n"); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}
