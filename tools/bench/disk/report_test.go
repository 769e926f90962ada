package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/bench/internal/benchtest"
	"github.com/coracle-os/coracle/tools/bench/internal/command"
)

func TestReport(t *testing.T) {
	s, err := parseConsole(goodConsole)
	if err != nil {
		t.Fatal(err)
	}
	faster := strings.NewReplacer("ns=1000000000", "ns=500000000", "p50=2000000", "p50=1000000").Replace(goodConsole)
	c, err := parseConsole(faster)
	if err != nil {
		t.Fatal(err)
	}
	o := options{BootFlags: command.BootFlags{Count: 2}, seqMiB: 128, randMiB: 64, randOps: 2000, fsyncs: 200, kvOps: 500, diskMiB: 1024}
	r := report{o: o, accel: "TCG", memoryMiB: 512, guests: []*guest{
		{name: "coracle", command: []string{"coracle", "run"}, boots: []bootResult{{Boot: 1, Sample: c}, {Boot: 2, Err: errors.New("boom\nmore")}}},
		{name: "Linux", command: []string{"qemu"}, boots: []bootResult{{Boot: 1, Sample: s}, {Boot: 2, Sample: s}}},
	}}
	var b bytes.Buffer
	r.write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"| sequential read, 1 MiB reads, cold cache | 256 MiB/s | 128 MiB/s | 2.00 | higher |",
		"| append 4 KiB + fsync, p50 | 1.00 ms | 2.00 ms | 0.50 | lower |",
		"| kvstore PUT (in-process HTTP handler, bbolt commit) | 200 PUT/s | 200 PUT/s | 1.00 | higher |",
		"| seqread | 256 MiB/s, failed | 128 MiB/s, 128 MiB/s |",
		"coracle, boot 2: boom\n",
		"  coracle: coracle run\n",
	)
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if o.Count != 3 || o.MemoryMiB != defaultMemoryMiB || o.diskMiB < 2*o.seqMiB+o.randMiB {
		t.Errorf("defaults %+v", o)
	}
	for _, args := range [][]string{
		{"-count", "0"},
		{"-skip-coracle", "-skip-linux"},
		{"-rand-mib", "1", "-rand-ops", "257"},
		{"-seq-mib", "512", "-disk-mib", "1024"},
		{"extra"},
	} {
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
