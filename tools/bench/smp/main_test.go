package main

import (
	"bytes"
	"slices"
	"testing"
)

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.cpus, []int{1, 2, 4}) || o.Count != 3 || o.shaMiB != 48 || o.gcMiB != 128 {
		t.Errorf("defaults %+v", o)
	}
	if o, err := parseFlags([]string{"-cpus-list", "2,1", "-count", "1"}, &stderr); err != nil || !slices.Equal(o.cpus, []int{2, 1}) || o.Count != 1 {
		t.Errorf("-cpus-list 2,1 -count 1: %+v, %v", o, err)
	}
	for _, args := range [][]string{
		{"-count", "0"},
		{"-cpus-list", "1,1"},
		{"-cpus-list", "0"},
		{"-sha-mib", "0"},
		{"-skip-coracle", "-skip-linux"},
		{"extra"},
	} {
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// coracle gets coracle.smp=on above one vCPU only, then smpprobe's
// arguments encoded.
func TestCoracleCmdline(t *testing.T) {
	o := options{shaMiB: 48, gcMiB: 128}
	one, err := coracleCmdline(o, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := "coracle.arg=-sha-mib coracle.arg=48 coracle.arg=-gc-mib coracle.arg=128 coracle.argv0=smpprobe"; one != want {
		t.Errorf("1 vCPU: %q, want %q", one, want)
	}
	four, err := coracleCmdline(o, 4)
	if err != nil {
		t.Fatal(err)
	}
	if four != "coracle.smp=on "+one {
		t.Errorf("4 vCPUs: %q", four)
	}
}
