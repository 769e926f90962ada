package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
)

// lines are diskprobe's lines (tools/bench/diskprobe): every one the
// benchmark reads starts with "diskbench:".
var lines = resultlines.Format{Prefix: "diskbench:"}

// sample is one boot's figures: what diskprobe printed. Its op lines
// count MiB or operations; its lat lines are diskprobe's own.
type sample struct {
	resultlines.Sample
	lats map[string]latency
}

// latency is the percentiles of n single operations.
type latency struct {
	n        int64
	p50, p99 time.Duration
}

// parseConsole reads diskprobe's lines out of a guest's console output
// (see resultlines.Format.Parse).
func parseConsole(out string) (sample, error) {
	s := sample{lats: map[string]latency{}}
	var err error
	s.Sample, err = lines.Parse(out, s.parseLatency)
	return s, err
}

// parseLatency takes a lat line (rest is its words after the prefix),
// reporting whether it is one.
func (s *sample) parseLatency(kind, rest string) (bool, error) {
	if !strings.HasPrefix(kind, "lat=") {
		return false, nil
	}
	kv, err := resultlines.KeyValues(rest)
	if err != nil {
		return true, err
	}
	n, nErr := strconv.ParseInt(kv["n"], 10, 64)
	p50, p50Err := strconv.ParseInt(kv["p50"], 10, 64)
	p99, p99Err := strconv.ParseInt(kv["p99"], 10, 64)
	if kv["lat"] == "" || nErr != nil || p50Err != nil || p99Err != nil || n <= 0 || p50 <= 0 || p99 < p50 {
		return true, fmt.Errorf("want lat=NAME n=COUNT p50=NS p99=NS with p50 <= p99")
	}
	if _, dup := s.lats[kv["lat"]]; dup {
		return true, fmt.Errorf("latency %s reported twice", kv["lat"])
	}
	s.lats[kv["lat"]] = latency{n: n, p50: time.Duration(p50), p99: time.Duration(p99)}
	return true, nil
}
