package main

import (
	"fmt"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
)

// metric is one row of the table: a figure read out of a sample.
type metric struct {
	name   string // progress lines
	about  string // the table's first column
	faster string // "higher" or "lower": which way is better
	value  func(s sample) (float64, bool)
	format func(v float64) string
}

// metrics are the table's rows, in diskprobe's order.
var metrics = []metric{
	rate("seqread", "sequential read, 1 MiB reads, cold cache", "MiB/s"),
	rate("seqwrite", "sequential write, 1 MiB writes + fsync", "MiB/s"),
	rate("randread", "random read, 4 KiB preads at distinct offsets, cold cache", "IOPS"),
	rate("randwrite", "random write, 4 KiB pwrites at distinct offsets + one fdatasync", "IOPS"),
	lat("fsync", "p50", "append 4 KiB + fsync, p50", func(l latency) float64 { return float64(l.p50) }),
	lat("fsync", "p99", "append 4 KiB + fsync, p99", func(l latency) float64 { return float64(l.p99) }),
	rate("kvput", "kvstore PUT (in-process HTTP handler, bbolt commit)", "PUT/s"),
	rate("kvget", "kvstore GET (in-process HTTP handler)", "GET/s"),
}

// rate is a row of units per second of op.
func rate(op, about, unit string) metric {
	return metric{
		name: op, about: about, faster: "higher",
		value: func(s sample) (float64, bool) {
			t, ok := s.Ops[op]
			return t.PerSecond(), ok
		},
		format: func(v float64) string { return fmt.Sprintf("%.0f %s", v, unit) },
	}
}

// lat is a row of a latency percentile of op, in nanoseconds.
func lat(op, which, about string, pick func(latency) float64) metric {
	return metric{
		name: op + " " + which, about: about, faster: "lower",
		value: func(s sample) (float64, bool) {
			l, ok := s.lats[op]
			return pick(l), ok
		},
		format: figures.FormatNs,
	}
}

// missingMetrics names the rows sample s has no figure for.
func missingMetrics(s sample) []string {
	var missing []string
	for _, m := range metrics {
		if _, ok := m.value(s); !ok {
			missing = append(missing, m.name)
		}
	}
	return missing
}
