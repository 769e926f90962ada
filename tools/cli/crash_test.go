package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCrash(t *testing.T) {
	inv, err := Parse([]string{"crash", "a.img", "console.log"})
	if err != nil || inv.Command != "crash" || inv.Crash != (CrashArgs{Image: "a.img", Log: "console.log"}) {
		t.Errorf("Parse(crash a.img console.log) = %+v, %v", inv, err)
	}
	for _, args := range [][]string{{"crash"}, {"crash", "a", "b", "c"}} {
		if _, err := Parse(args); err == nil {
			t.Errorf("Parse(%q) succeeded", args)
		}
	}
}

// coracle crash decodes a saved log's code line with the image's symbols
// (here the test binary's own) and fails on an image it cannot read.
func TestCrashCommand(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "console.log")
	line := "coracle: code at 0x0000000000001000, RIP at +2: 31c90f0bc3\r\n"
	if err := os.WriteFile(log, []byte("booted\r\n"+line), 0o644); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr := runMain(t, "crash", exe, log)
	if status != 0 || !strings.HasPrefix(stdout, "booted\r\n"+line) || !strings.Contains(stdout, "=> 0x0000000000001002  0f0b") || !strings.Contains(stdout, "UD2") {
		t.Errorf("coracle crash: status %d, stderr %q, stdout\n%s", status, stderr, stdout)
	}
	if status, _, stderr := runMain(t, "crash", log, log); status != 1 || stderr == "" {
		t.Errorf("coracle crash on a log as image: status %d, stderr %q; want 1 and a reason", status, stderr)
	}
}
