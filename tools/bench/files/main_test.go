package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.count != 5 || o.benchtime != 200*time.Millisecond || o.seqMiB != 256 || o.memoryMiB != 512 {
		t.Errorf("defaults: %+v", o)
	}
	for _, args := range [][]string{
		{"-count", "0"},
		{"-benchtime", "0s"},
		{"-seq-mib", "0"},
		{"-skip-coracle", "-skip-linux"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// Linux's command line gives fileprobe its arguments after "--", with
// -mount, and the TSC frequency unless the base has one.
func TestLinuxCmdline(t *testing.T) {
	o, _ := parseFlags(nil, io.Discard)
	got := linuxCmdline("console=ttyS0", 2596144, probeArgs(o))
	want := "console=ttyS0 tsc_early_khz=2596144 -- -mount -dir /tmp -benchtime 200ms -seq-mib 256"
	if got != want {
		t.Errorf("linuxCmdline = %q, want %q", got, want)
	}
	if got := linuxCmdline("console=ttyS0 tsc_early_khz=1000", 2596144, nil); strings.Count(got, "tsc_early_khz=") != 1 {
		t.Errorf("tsc_early_khz given twice: %q", got)
	}
	if got := linuxCmdline("quiet", 0, nil); got != "quiet -- -mount" {
		t.Errorf("without a TSC frequency: %q", got)
	}
}

// coracle's command line carries the same arguments, encoded.
func TestCoracleCmdline(t *testing.T) {
	o, _ := parseFlags(nil, io.Discard)
	got, err := coracleCmdline(o)
	if err != nil {
		t.Fatal(err)
	}
	want := "coracle.arg=-dir coracle.arg=/tmp coracle.arg=-benchtime coracle.arg=200ms coracle.arg=-seq-mib coracle.arg=256 coracle.argv0=fileprobe"
	if got != want {
		t.Errorf("coracleCmdline = %q, want %q", got, want)
	}
}
