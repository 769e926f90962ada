package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
)

// bootResult is one timed boot.
type bootResult struct {
	elapsed time.Duration // from just before QEMU's exec to the line
	console []byte        // the serial console's output up to the line
	tries   int           // first-200 rows: the GETs made
}

// timeBoot starts QEMU (path, args) with the guest's serial console on a
// pipe, waits until line appears there as a whole line of its own, and
// kills QEMU at once: every guest is timed the same way, whether or not
// it could stop QEMU itself. The clock starts just before the fork and
// exec of QEMU and stops when the read that completes the line returns.
func timeBoot(ctx context.Context, path string, args []string, line string, timeout time.Duration) (bootResult, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return bootResult{}, err
	}
	defer r.Close()
	cmd := exec.Command(path, args...)
	cmd.Stdout = w // the pipe itself: no copying goroutine in between
	var stderr bytes.Buffer
	cmd.Stderr = &stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.Close()
		return bootResult{}, fmt.Errorf("starting %s: %w", path, err)
	}
	w.Close() // QEMU holds the only write end: EOF when it ends

	seen := make(chan sighting, 1)
	go func() { seen <- watchFor(r, line) }()
	var s sighting
	var stopped error
	select {
	case s = <-seen:
	case <-time.After(timeout):
		stopped = fmt.Errorf("no %q line after %v", line, timeout)
	case <-ctx.Done():
		stopped = context.Cause(ctx)
	}
	cmd.Process.Kill()
	waitErr := cmd.Wait()
	if stopped != nil {
		s = <-seen // EOF now that QEMU is gone
		return bootResult{}, bootError(stopped, s.console, stderr.String())
	}
	if s.at.IsZero() {
		return bootResult{}, bootError(fmt.Errorf("QEMU ended (%v) before the guest printed %q", waitErr, line), s.console, stderr.String())
	}
	return bootResult{elapsed: s.at.Sub(start), console: s.console}, nil
}

// sighting is what watchFor saw: the time the line was complete (zero if
// it never was) and the output up to then.
type sighting struct {
	at      time.Time
	console []byte
}

// watchFor reads r until line has appeared as a whole line, or to the end.
func watchFor(r io.Reader, line string) sighting {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		at := time.Now()
		out = append(out, buf[:n]...)
		if n > 0 && hasLine(out, line) {
			return sighting{at: at, console: out}
		}
		if err != nil {
			return sighting{console: out}
		}
	}
}

// hasLine reports whether out holds line as a complete line of its own,
// ended by "\n" or "\r\n" (a serial console's end of line).
func hasLine(out []byte, line string) bool {
	for l := range bytes.Lines(out) {
		if !bytes.HasSuffix(l, []byte("\n")) {
			return false // the last, unfinished line
		}
		if string(bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))) == line {
			return true
		}
	}
	return false
}

// maxShown bounds how much of the console and of QEMU's stderr an error
// quotes: their ends, where failures show.
const maxShown = 2000

// bootError adds the end of the guest's console and QEMU's stderr to err.
func bootError(err error, out []byte, stderr string) error {
	return console.WithEnds(err, string(out), maxShown, stderr, maxShown)
}
