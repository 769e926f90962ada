package command

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	var out strings.Builder
	fs := NewFlagSet("files", "Times file operations.", &out)
	n := fs.Int("count", 5, "boots")
	if err := Parse(fs, []string{"-count", "3"}); err != nil || *n != 3 {
		t.Fatalf("Parse: %v, count %d", err, *n)
	}
	if err := Parse(fs, []string{"extra"}); !errors.Is(err, ErrUsage) {
		t.Errorf("an argument: %v, want ErrUsage", err)
	}
	if got := out.String(); !strings.HasPrefix(got, "bench: unexpected argument \"extra\"\nusage: files [flags]\n\nTimes file operations.\n\n") || !strings.Contains(got, "-count") {
		t.Errorf("usage message:\n%s", got)
	}
	if err := Parse(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestGuestFlags(t *testing.T) {
	var out strings.Builder
	fs := NewFlagSet("b", "B.", &out)
	var g GuestFlags
	g.Add(fs, 512, "console=ttyS0", "netinit's words are added")
	if g.Accel != "auto" || g.MemoryMiB != 512 || g.LinuxCmdline != "console=ttyS0" || g.SkipLinux || g.CacheDir == "" {
		t.Errorf("defaults %+v", g)
	}
	if err := Parse(fs, []string{"-accel", "tcg", "-m", "128", "-skip-linux", "-linux-cmdline", "quiet", "-cache", "/c"}); err != nil {
		t.Fatal(err)
	}
	if g != (GuestFlags{Accel: "tcg", MemoryMiB: 128, SkipLinux: true, LinuxCmdline: "quiet", CacheDir: "/c"}) {
		t.Errorf("parsed %+v", g)
	}
	fs.Usage()
	if !strings.Contains(out.String(), "Linux kernel command line (netinit's words are added)") {
		t.Errorf("-linux-cmdline's help lacks the note:\n%s", out.String())
	}
}

func TestBootFlags(t *testing.T) {
	var out strings.Builder
	fs := NewFlagSet("b", "B.", &out)
	var g GuestFlags
	g.Add(fs, 512, "console=ttyS0", "")
	var b BootFlags
	b.Add(fs, 3, time.Minute)
	if b != (BootFlags{Count: 3, Timeout: time.Minute}) || b.Problem(g) != "" {
		t.Errorf("defaults %+v, problem %q", b, b.Problem(g))
	}
	if err := Parse(fs, []string{"-count", "2", "-skip-coracle", "-timeout", "5s", "-v"}); err != nil {
		t.Fatal(err)
	}
	if b != (BootFlags{Count: 2, SkipCoracle: true, Timeout: 5 * time.Second, Verbose: true}) || b.Problem(g) != "" {
		t.Errorf("parsed %+v, problem %q", b, b.Problem(g))
	}
	g.SkipLinux = true
	if p := b.Problem(g); p != "-skip-coracle and -skip-linux leave nothing to measure" {
		t.Errorf("both skipped: %q", p)
	}
	b.Count = 0
	if p := b.Problem(g); p != "-count must be at least 1" {
		t.Errorf("-count 0: %q", p)
	}
}
