package main

import (
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestHasLine(t *testing.T) {
	tests := []struct {
		out  string
		want bool
	}{
		{"main: ready\n", true},
		{"main: ready\r\n", true},
		{"boot\r\nmain: ready\r\nmore", true},
		{"main: ready", false},       // not finished yet
		{"main: ready\r", false},     // not finished yet
		{"x main: ready\n", false},   // not a line of its own
		{"main: ready now\n", false}, // not the whole line
		{"main: ready!\nmain: ready", false},
	}
	for _, tt := range tests {
		if got := hasLine([]byte(tt.out), "main: ready"); got != tt.want {
			t.Errorf("hasLine(%q) = %v, want %v", tt.out, got, tt.want)
		}
	}
}

func TestWatchForSplitWrites(t *testing.T) {
	// Each writer gets its pipe as an argument: the first may still be
	// closing its own when the second pipe is made.
	r, w := io.Pipe()
	go func(w *io.PipeWriter) {
		for _, part := range []string{"kernel says hi\r\nmai", "n: rea", "dy\r", "\nafter\n"} {
			w.Write([]byte(part))
		}
		w.Close()
	}(w)
	s := watchFor(r, "main: ready")
	if s.at.IsZero() {
		t.Fatal("the line was not seen")
	}
	// The console goes up to the end of the read that completed the
	// line: here the write of "\nafter\n".
	if got, want := string(s.console), "kernel says hi\r\nmain: ready\r\nafter\n"; got != want {
		t.Errorf("console %q, want %q", got, want)
	}
	r.Close()

	r, w = io.Pipe()
	go func(w *io.PipeWriter) { w.Write([]byte("panic\n")); w.Close() }(w)
	if s := watchFor(r, "main: ready"); !s.at.IsZero() || string(s.console) != "panic\n" {
		t.Errorf("at EOF without the line: %+v", s)
	}
}

// timeBoot with a shell standing in for QEMU: the line is seen and the
// process is killed although it would go on.
func TestTimeBoot(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	ctx := context.Background()
	start := time.Now()
	res, err := timeBoot(ctx, sh, []string{"-c", "echo booting; sleep 0.05; echo 'main: ready'; exec sleep 30"}, "main: ready", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.elapsed < 50*time.Millisecond || time.Since(start) > 5*time.Second {
		t.Errorf("elapsed %v (total %v): want at least the 50ms sleep, and no wait for the 30s one", res.elapsed, time.Since(start))
	}
	if string(res.console) != "booting\nmain: ready\n" {
		t.Errorf("console %q", res.console)
	}

	_, err = timeBoot(ctx, sh, []string{"-c", "echo oops; echo bad flag >&2; exit 1"}, "main: ready", 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "oops") || !strings.Contains(err.Error(), "bad flag") {
		t.Errorf("a process that ends without the line: err %v, want one quoting its console and stderr", err)
	}

	_, err = timeBoot(ctx, sh, []string{"-c", "exec sleep 30"}, "main: ready", 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "after 100ms") {
		t.Errorf("a process that hangs: err %v, want a timeout", err)
	}
}
