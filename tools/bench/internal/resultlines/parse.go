package resultlines

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Format is one guest program's lines.
type Format struct {
	Prefix string // starts every line the host reads, e.g. "diskbench:"
	// ZeroTime accepts ns=0 on op lines (operations timed with a clock
	// too coarse to see one run); otherwise ns must be positive.
	ZeroTime bool
}

// DoneLine is the line the program prints when it has reported
// everything.
func (f Format) DoneLine() string { return f.Prefix + " done" }

// Finished reports whether console holds the program's last line: the
// done line, or an error line. A line counts once it is whole.
func (f Format) Finished(console string) bool {
	for line := range strings.Lines(console) {
		if !strings.HasSuffix(line, "\n") {
			break // unfinished
		}
		line = strings.TrimSpace(line)
		if line == f.DoneLine() || strings.HasPrefix(line, f.Prefix+" error") {
			return true
		}
	}
	return false
}

// Sample is what one boot's program printed.
type Sample struct {
	ClockSource string            // the start line's clocksource
	Ops         map[string]Timing // the op lines, by name
	Done        bool              // the done line came
	Failure     string            // the error line's text, if one came
}

// Timing is an op line: n units of an operation (iterations, MiB,
// operations) took total.
type Timing struct {
	N     int64
	Total time.Duration
}

// PerSecond is the units per second; 0 without a time.
func (t Timing) PerSecond() float64 {
	if t.Total <= 0 {
		return 0
	}
	return float64(t.N) / t.Total.Seconds()
}

// PerOp is the time of one unit; 0 without units.
func (t Timing) PerOp() time.Duration {
	if t.N <= 0 {
		return 0
	}
	return t.Total / time.Duration(t.N)
}

// NsPerOp is the time of one unit in nanoseconds, unrounded; 0 without
// units.
func (t Timing) NsPerOp() float64 {
	if t.N <= 0 {
		return 0
	}
	return float64(t.Total) / float64(t.N)
}

// Parse reads the program's lines out of a guest's console output,
// ignoring everything else on it (the kernel's and coracle run's
// messages, carriage returns). other, unless nil, is handed each line
// of a kind the protocol does not have (its kind, the first word after
// the prefix, and all its words after the prefix) and reports whether
// it knows it. A malformed or unknown line is an error: it means the
// guest program and the parser disagree.
func (f Format) Parse(out string, other func(kind, rest string) (bool, error)) (Sample, error) {
	s := Sample{Ops: map[string]Timing{}}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, f.Prefix)
		if !ok {
			continue
		}
		if err := f.parseLine(&s, strings.TrimSpace(rest), other); err != nil {
			return s, fmt.Errorf("guest line %q: %w", line, err)
		}
	}
	return s, sc.Err()
}

// parseLine takes one line's words after the prefix into s.
func (f Format) parseLine(s *Sample, rest string, other func(kind, rest string) (bool, error)) error {
	kind, fields, _ := strings.Cut(rest, " ")
	switch {
	case kind == "start":
		kv, err := KeyValues(fields)
		if err != nil {
			return err
		}
		s.ClockSource = kv["clocksource"]
	case kind == "done":
		s.Done = true
	case kind == "error":
		s.Failure = fields
	case strings.HasPrefix(kind, "op="):
		kv, err := KeyValues(rest)
		if err != nil {
			return err
		}
		op := kv["op"]
		n, nErr := strconv.ParseInt(kv["n"], 10, 64)
		ns, nsErr := strconv.ParseInt(kv["ns"], 10, 64)
		if op == "" || nErr != nil || nsErr != nil || n <= 0 || ns < 0 || ns == 0 && !f.ZeroTime {
			return fmt.Errorf("want op=NAME n=COUNT ns=NANOSECONDS")
		}
		if _, dup := s.Ops[op]; dup {
			return fmt.Errorf("operation %s reported twice", op)
		}
		s.Ops[op] = Timing{N: n, Total: time.Duration(ns)}
	default:
		if other != nil {
			if known, err := other(kind, rest); known || err != nil {
				return err
			}
		}
		return fmt.Errorf("unknown line kind %q", kind)
	}
	return nil
}

// KeyValues splits "a=1 b=2" into a map.
func KeyValues(s string) (map[string]string, error) {
	kv := map[string]string{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE", f)
		}
		kv[k] = v
	}
	return kv, nil
}

// Check returns why s is not a whole boot's figures, or nil: the
// program failed, its done line did not come, or it printed no figures
// for the names in missing (the benchmark's own list of what s lacks).
func (s Sample) Check(f Format, missing []string) error {
	switch {
	case s.Failure != "":
		return fmt.Errorf("the guest failed: %s", s.Failure)
	case !s.Done:
		return fmt.Errorf("no %q line", f.DoneLine())
	case len(missing) > 0:
		return fmt.Errorf("no figures for %s", strings.Join(missing, ", "))
	}
	return nil
}

// ClockText names the clock sources that boots reported (sources, one
// a boot, in boot order), each once, for a report's line about a guest:
// "; clock source tsc", or "" when none was known.
func ClockText(sources []string) string {
	seen := map[string]bool{}
	var names []string
	for _, c := range sources {
		if c != "" && c != "unknown" && !seen[c] {
			seen[c] = true
			names = append(names, c)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "; clock source " + strings.Join(names, ", ")
}
