package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// linePrefix starts every line of diskprobe's that the benchmark reads
// (tools/bench/diskprobe).
const linePrefix = "diskbench:"

// doneLine is the line diskprobe prints when it has reported everything.
const doneLine = linePrefix + " done"

// sample is one boot's figures: what diskprobe printed.
type sample struct {
	clockSource string
	ops         map[string]opTiming
	lats        map[string]latency
	done        bool   // the "done" line came
	failure     string // the "error" line's text, if one came
}

// opTiming is n units of an operation (MiB, or operations) in total.
type opTiming struct {
	n     int64
	total time.Duration
}

// perSecond is the units per second.
func (t opTiming) perSecond() float64 {
	if t.total <= 0 {
		return 0
	}
	return float64(t.n) / t.total.Seconds()
}

// latency is the percentiles of n single operations.
type latency struct {
	n        int64
	p50, p99 time.Duration
}

// parseConsole reads diskprobe's lines out of a guest's console output,
// ignoring everything else on it (the kernel's and coracle run's
// messages, carriage returns). A malformed diskbench line is an error:
// it means the guest program and this parser disagree.
func parseConsole(out string) (sample, error) {
	s := sample{ops: map[string]opTiming{}, lats: map[string]latency{}}
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
		n, nErr := strconv.ParseInt(kv["n"], 10, 64)
		ns, nsErr := strconv.ParseInt(kv["ns"], 10, 64)
		if kv["op"] == "" || nErr != nil || nsErr != nil || n <= 0 || ns <= 0 {
			return fmt.Errorf("want op=NAME n=UNITS ns=NANOSECONDS")
		}
		if _, dup := s.ops[kv["op"]]; dup {
			return fmt.Errorf("operation %s reported twice", kv["op"])
		}
		s.ops[kv["op"]] = opTiming{n: n, total: time.Duration(ns)}
	case strings.HasPrefix(kind, "lat="):
		kv, err := keyValues(rest)
		if err != nil {
			return err
		}
		n, nErr := strconv.ParseInt(kv["n"], 10, 64)
		p50, p50Err := strconv.ParseInt(kv["p50"], 10, 64)
		p99, p99Err := strconv.ParseInt(kv["p99"], 10, 64)
		if kv["lat"] == "" || nErr != nil || p50Err != nil || p99Err != nil || n <= 0 || p50 <= 0 || p99 < p50 {
			return fmt.Errorf("want lat=NAME n=COUNT p50=NS p99=NS with p50 <= p99")
		}
		if _, dup := s.lats[kv["lat"]]; dup {
			return fmt.Errorf("latency %s reported twice", kv["lat"])
		}
		s.lats[kv["lat"]] = latency{n: n, p50: time.Duration(p50), p99: time.Duration(p99)}
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
