package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i))
	}
	for _, c := range []struct{ p, want int }{{50, 50}, {99, 99}, {100, 100}, {1, 1}} {
		if got := percentile(ds, c.p); got != time.Duration(c.want) {
			t.Errorf("p%d of 1..100 = %d, want %d", c.p, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one value = %d", got)
	}
	if ds[0] != 100 {
		t.Error("percentile sorted its argument")
	}
}

func TestOffsetsDistinctAligned(t *testing.T) {
	offs, err := offsets(64*blockSize, 64, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, o := range offs {
		if o%blockSize != 0 || o < 0 || o >= 64*blockSize || seen[o] {
			t.Fatalf("offset %d: out of range, unaligned or repeated", o)
		}
		seen[o] = true
	}
	if _, err := offsets(10*blockSize, 11, 1); err == nil {
		t.Error("11 distinct blocks of 10: no error")
	}
}

// TestMeasurementsOnHost runs every measurement in a host directory laid
// out as the benchmark lays out the disk, and checks the lines.
func TestMeasurementsOnHost(t *testing.T) {
	dir := t.TempDir()
	for name, size := range map[string]int{seqFile: 2 * mib, randFile: mib} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := config{dir: dir, seqMiB: 2, randOps: 100, fsyncs: 10, kvOps: 20}
	var out []string
	for _, m := range measurements(c) {
		line, err := m.run()
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		out = append(out, strings.Split(line, "\n"+prefix+" ")...)
	}
	want := []string{"op=seqread n=2 ", "op=randread n=100 ", "op=randwrite n=100 ", "op=seqwrite n=2 ", "lat=fsync n=10 p50=", "op=kvput n=20 ", "op=kvget n=20 "}
	if len(out) != len(want) {
		t.Fatalf("lines %q, want %d", out, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(out[i], w) {
			t.Errorf("line %d = %q, want it to start %q", i, out[i], w)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "seqw.dat")); err != nil || fi.Size() != 2*mib {
		t.Errorf("seqw.dat: %v, %v", fi, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "append.dat")); err != nil || fi.Size() != 10*blockSize {
		t.Errorf("append.dat: %v, %v", fi, err)
	}
	if _, err := seqRead(filepath.Join(dir, "append.dat")); err == nil || !strings.Contains(err.Error(), "whole number") {
		t.Errorf("seqRead of a file of %d bytes: %v", 10*blockSize, fmt.Sprint(err))
	}
}
