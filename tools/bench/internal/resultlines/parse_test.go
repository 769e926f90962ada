package resultlines

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var probe = Format{Prefix: "probe:"}

// A Linux console, with kernel messages and carriage returns around the
// program's lines, gives every figure and the clock source.
func TestParse(t *testing.T) {
	console := "[    0.011810] ACPI BIOS Error (bug): A valid RSDP was not found\r\n" +
		"probe: start dir=/tmp benchtime=200ms clocksource=tsc-early\r\n" +
		"probe: op=open-stat-close n=10000 ns=285432813\r\n" +
		"probe: op=seq-write-1m n=256 ns=2175476794\n" +
		"probe: done\n"
	s, err := probe.Parse(console, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Done || s.Failure != "" || s.ClockSource != "tsc-early" {
		t.Errorf("done %v, failure %q, clock source %q", s.Done, s.Failure, s.ClockSource)
	}
	if got, want := s.Ops["open-stat-close"], (Timing{N: 10000, Total: 285432813}); got != want {
		t.Errorf("open-stat-close = %+v, want %+v", got, want)
	}
	if len(s.Ops) != 2 {
		t.Errorf("ops %v", s.Ops)
	}
	if err := s.Check(probe, nil); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestTiming(t *testing.T) {
	x := Timing{N: 10000, Total: 285432813}
	if got := x.PerOp(); got != 28543*time.Nanosecond {
		t.Errorf("PerOp = %v", got)
	}
	if got := (Timing{N: 256, Total: 2175476794}).NsPerOp(); got != 2175476794.0/256 {
		t.Errorf("NsPerOp = %v", got)
	}
	if got := (Timing{N: 128, Total: 2 * time.Second}).PerSecond(); got != 64 {
		t.Errorf("PerSecond = %v", got)
	}
	if (Timing{}).PerOp() != 0 || (Timing{}).NsPerOp() != 0 || (Timing{}).PerSecond() != 0 {
		t.Error("a zero Timing gives a figure")
	}
}

// An error line is kept; the done line is then absent.
func TestParseError(t *testing.T) {
	s, err := probe.Parse("probe: start dir=/tmp benchtime=1s clocksource=unknown\nprobe: error op=mount: mount -t tmpfs tmpfs /tmp: operation not permitted\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Done || s.Failure != "op=mount: mount -t tmpfs tmpfs /tmp: operation not permitted" {
		t.Errorf("done %v, failure %q", s.Done, s.Failure)
	}
	if err := s.Check(probe, nil); err == nil || err.Error() != "the guest failed: op=mount: mount -t tmpfs tmpfs /tmp: operation not permitted" {
		t.Errorf("Check: %v", err)
	}
}

func TestCheck(t *testing.T) {
	if err := (Sample{}).Check(probe, nil); err == nil || err.Error() != `no "probe: done" line` {
		t.Errorf("without the done line: %v", err)
	}
	if err := (Sample{Done: true}).Check(probe, []string{"a", "b"}); err == nil || err.Error() != "no figures for a, b" {
		t.Errorf("with figures missing: %v", err)
	}
}

// Malformed lines are errors, not silently dropped figures.
func TestParseMalformed(t *testing.T) {
	for _, c := range []struct{ line, what string }{
		{"probe: op=pread-4k n=0 ns=5", "no iterations"},
		{"probe: op=pread-4k n=x ns=5", "a count that is no number"},
		{"probe: op= n=1 ns=5", "no name"},
		{"probe: op=pread-4k n=1", "no time"},
		{"probe: op=pread-4k n=1 ns=-1", "a negative time"},
		{"probe: op=pread-4k n=1 ns=0", "no time without ZeroTime"},
		{"probe: op=pread-4k n=1 ns=5 junk", "a word that is not KEY=VALUE"},
		{"probe: start clocksource", "a start line's word that is not KEY=VALUE"},
		{"probe: started", "an unknown kind"},
		{"probe: op=pread-4k n=1 ns=5\nprobe: op=pread-4k n=1 ns=5", "an operation twice"},
	} {
		if _, err := probe.Parse(c.line+"\n", nil); err == nil {
			t.Errorf("%s (%q): no error", c.what, c.line)
		}
	}
}

// ZeroTime lets an op line report no time.
func TestParseZeroTime(t *testing.T) {
	f := Format{Prefix: "probe:", ZeroTime: true}
	s, err := f.Parse("probe: op=getpid n=5 ns=0\n", nil)
	if err != nil || s.Ops["getpid"] != (Timing{N: 5}) {
		t.Errorf("got %+v, %v", s, err)
	}
}

// Lines that only look alike are not the program's.
func TestParseIgnoresOthers(t *testing.T) {
	s, err := probe.Parse("coracle: booted\nxprobe: op=a n=1 ns=1\nprobe:done-ish\n", nil)
	if err == nil {
		t.Fatalf("a probe: line with an unknown kind parsed: %+v", s)
	}
	s, err = probe.Parse("coracle: booted\nnot probe: op=a n=1 ns=1\n", nil)
	if err != nil || len(s.Ops) != 0 || s.Done {
		t.Errorf("got %+v, %v", s, err)
	}
}

// Lines of the program's own kinds go to other; those it does not know
// either, or finds wrong, are errors.
func TestParseOther(t *testing.T) {
	var got []string
	other := func(kind, rest string) (bool, error) {
		if !strings.HasPrefix(kind, "lat=") {
			return false, nil
		}
		if strings.Contains(rest, "bad") {
			return true, errors.New("bad latency")
		}
		got = append(got, kind+"|"+rest)
		return true, nil
	}
	if _, err := probe.Parse("probe: lat=fsync n=2 p50=1\nprobe: done\n", other); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "lat=fsync|lat=fsync n=2 p50=1" {
		t.Errorf("other got %q", got)
	}
	if _, err := probe.Parse("probe: lat=fsync bad\n", other); err == nil || !strings.Contains(err.Error(), "bad latency") {
		t.Errorf("other's error: %v", err)
	}
	if _, err := probe.Parse("probe: what\n", other); err == nil {
		t.Error("a kind neither knows parsed")
	}
}

func TestFinished(t *testing.T) {
	for _, c := range []struct {
		console string
		want    bool
	}{
		{"probe: start\n", false},
		{"probe: op=a n=1 ns=1\n", false},
		{"probe: done\r\n", true},
		{"probe: done", false}, // the line is not whole yet
		{"x\r\nprobe: error op=mount: gone\r\n", true},
		{"say probe: done\n", false},
	} {
		if got := probe.Finished(c.console); got != c.want {
			t.Errorf("Finished(%q) = %v, want %v", c.console, got, c.want)
		}
	}
}

func TestKeyValues(t *testing.T) {
	kv, err := KeyValues(" a=1  b= c=x=y ")
	if err != nil || len(kv) != 3 || kv["a"] != "1" || kv["b"] != "" || kv["c"] != "x=y" {
		t.Errorf("got %v, %v", kv, err)
	}
	for _, s := range []string{"a", "=1", "a=1 b"} {
		if _, err := KeyValues(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func TestClockText(t *testing.T) {
	for _, c := range []struct {
		sources []string
		want    string
	}{
		{nil, ""},
		{[]string{"", "unknown"}, ""},
		{[]string{"tsc", "unknown", "tsc", "hpet"}, "; clock source tsc, hpet"},
	} {
		if got := ClockText(c.sources); got != c.want {
			t.Errorf("ClockText(%q) = %q, want %q", c.sources, got, c.want)
		}
	}
}
