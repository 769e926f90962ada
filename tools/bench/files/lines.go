package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// linePrefix starts every line of fileprobe's that the benchmark reads
// (tools/bench/fileprobe).
const linePrefix = "filebench:"

// sample is one boot's figures: what fileprobe printed.
type sample struct {
	clockSource string
	ops         map[string]opTiming
	done        bool   // the "done" line came
	failure     string // the "error" line's text, if one came
}

// opTiming is one operation's timed run: n iterations in total.
type opTiming struct {
	n     int64
	total time.Duration
}

// perOp is the time of one iteration.
func (t opTiming) perOp() time.Duration {
	if t.n <= 0 {
		return 0
	}
	return t.total / time.Duration(t.n)
}

// nsPerOp is the time of one iteration in nanoseconds, unrounded.
func (t opTiming) nsPerOp() float64 {
	if t.n <= 0 {
		return 0
	}
	return float64(t.total) / float64(t.n)
}

// parseConsole reads fileprobe's lines out of a guest's console output,
// ignoring everything else on it (the kernel's messages, carriage
// returns). A malformed filebench line is an error: it means the guest
// program and this parser disagree.
func parseConsole(out string) (sample, error) {
	s := sample{ops: map[string]opTiming{}}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, linePrefix)
		if !ok {
			continue
		}
		if err := s.parseLine(strings.TrimSpace(rest)); err != nil {
			return s, fmt.Errorf("guest line %q: %w", line, err)
		}
	}
	return s, sc.Err()
}

// parseLine takes one line's words after the prefix.
func (s *sample) parseLine(rest string) error {
	kind, fields, _ := strings.Cut(rest, " ")
	switch {
	case kind == "start":
		kv, err := keyValues(fields)
		if err != nil {
			return err
		}
		s.clockSource = kv["clocksource"]
	case kind == "done":
		s.done = true
	case kind == "error":
		s.failure = fields
	case strings.HasPrefix(kind, "op="):
		kv, err := keyValues(rest)
		if err != nil {
			return err
		}
		op := kv["op"]
		n, nErr := strconv.ParseInt(kv["n"], 10, 64)
		ns, nsErr := strconv.ParseInt(kv["ns"], 10, 64)
		if op == "" || nErr != nil || nsErr != nil || n <= 0 || ns < 0 {
			return fmt.Errorf("want op=NAME n=ITERATIONS ns=NANOSECONDS")
		}
		if _, dup := s.ops[op]; dup {
			return fmt.Errorf("operation %s reported twice", op)
		}
		s.ops[op] = opTiming{n: n, total: time.Duration(ns)}
	default:
		return fmt.Errorf("unknown line kind %q", kind)
	}
	return nil
}

// keyValues splits "a=1 b=2" into a map.
func keyValues(s string) (map[string]string, error) {
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
