package main

import "github.com/coracle-os/coracle/tools/bench/internal/resultlines"

// lines are fileprobe's lines (tools/bench/fileprobe): every one the
// benchmark reads starts with "filebench:"; an op line counts
// iterations, and a run too short for the guest's clock may take 0 ns.
var lines = resultlines.Format{Prefix: "filebench:", ZeroTime: true}

// sample is one boot's figures: what fileprobe printed.
type sample = resultlines.Sample

// parseConsole reads fileprobe's lines out of a guest's console output
// (see resultlines.Format.Parse).
func parseConsole(out string) (sample, error) {
	return lines.Parse(out, nil)
}
