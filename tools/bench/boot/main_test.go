package main

import (
	"io"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-runs", "5", "-accel", "tcg", "-machine", "q35", "-m", "512", "-skip-linux", "-skip-http"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.runs != 5 || o.Accel != "tcg" || o.machine != "q35" || o.MemoryMiB != 512 || !o.SkipLinux || !o.skipHTTP {
		t.Errorf("parsed %+v", o)
	}
	d, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if d.runs != 20 || d.warmups != 1 || d.machine != "microvm" || d.MemoryMiB != 256 || d.SkipLinux || d.skipHTTP || d.timeout != 2*time.Minute {
		t.Errorf("defaults %+v", d)
	}
	for _, bad := range [][]string{{"-runs", "0"}, {"-warmup", "-1"}, {"extra"}, {"-nosuchflag"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted it", bad)
		}
	}
}
