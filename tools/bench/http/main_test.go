package main

import (
	"io"
	"slices"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	d, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if d.rounds != 3 || d.duration != 10*time.Second || d.warmup != 3*time.Second || d.wrkTimeout != 5*time.Second || !slices.Equal(d.connections, []int{1, 64}) ||
		d.threads != 1 || d.cpus != 1 || d.path != "/" || d.MemoryMiB != 256 || d.Accel != "auto" || d.LinuxCmdline != defaultLinuxCmdline || d.skipCoracle || d.SkipLinux {
		t.Errorf("defaults %+v", d)
	}
	o, err := parseFlags([]string{"-rounds", "1", "-duration", "30s", "-warmup", "0s", "-connections", "1, 8,256", "-threads", "2", "-accel", "tcg", "-m", "512", "-skip-linux", "-path", "/api/status"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.rounds != 1 || o.duration != 30*time.Second || o.warmup != 0 || !slices.Equal(o.connections, []int{1, 8, 256}) || o.threads != 2 || o.MemoryMiB != 512 || !o.SkipLinux || o.path != "/api/status" {
		t.Errorf("parsed %+v", o)
	}
	for _, bad := range [][]string{
		{"-rounds", "0"}, {"-duration", "500ms"}, {"-duration", "1500ms"}, {"-warmup", "-1s"}, {"-wrk-timeout", "0s"},
		{"-connections", "0"}, {"-connections", "1,,2"}, {"-connections", "x"}, {"-threads", "0"},
		{"-cpus", "0"}, {"-path", "api"}, {"-path", "/a b"}, {"-skip-coracle", "-skip-linux"}, {"extra"}, {"-nosuchflag"},
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted it", bad)
		}
	}
}
