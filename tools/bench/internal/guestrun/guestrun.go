// Package guestrun boots a benchmark's guest once and waits for it: the
// guest's command (QEMU, or coracle run, which starts QEMU) runs until
// the guest has printed its last line, the command ends, a timeout
// passes or the context is cancelled; then the command's process group
// is killed and what the guest printed is returned.
//
// Host only: never linked into an image.
package guestrun

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
)

// Boot is one boot of a guest.
type Boot struct {
	Command []string      // QEMU, or coracle run; its stdout is the guest's console
	Timeout time.Duration // the longest wait for the guest's last line
	// Echo, unless nil, gets what the guest printed after the boot,
	// under the heading "--- Title: console ---" (a benchmark's -v).
	Echo  io.Writer
	Title string
}

// Until is what a boot waits for: the guest's last line.
type Until interface {
	// DoneLine is the line a guest prints when it has reported
	// everything; errors of boots that did not get so far name it.
	DoneLine() string
	// Finished reports whether console holds the guest's last line: the
	// done line, or one that says the guest failed.
	Finished(console string) bool
}

// Run runs b's command until the guest has printed its last line (see
// Until), the command ends, the timeout passes or ctx is done, then
// kills the command's process group and returns what the guest printed.
// The error of a boot that did not get to its last line carries the
// ends of the console and of the command's stderr.
func Run(ctx context.Context, b Boot, until Until) (text string, err error) {
	text, err = run(ctx, b.Command, b.Timeout, until)
	if b.Echo != nil {
		fmt.Fprintf(b.Echo, "--- %s: console ---\n%s\n", b.Title, strings.TrimSpace(text))
	}
	return text, err
}

func run(ctx context.Context, command []string, timeout time.Duration, until Until) (text string, err error) {
	lastLine := until.DoneLine()
	cmd := exec.Command(command[0], command[1:]...)
	out := newWatchedBuffer()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	// Its own process group, so that coracle run's QEMU is killed with
	// it; nothing may outlive the benchmark.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting %s: %w", command[0], err)
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()

	deadline := time.After(timeout)
	var stopErr error
	for done := false; !done; {
		select {
		case <-out.changed:
			done = until.Finished(out.String())
		case waitErr := <-ended:
			ended <- waitErr
			if !until.Finished(out.String()) {
				stopErr = fmt.Errorf("%s ended (%v) before the guest printed %q", command[0], waitErr, lastLine)
			}
			done = true
		case <-deadline:
			stopErr = fmt.Errorf("no %q line within %v", lastLine, timeout)
			done = true
		case <-ctx.Done():
			stopErr = context.Cause(ctx)
			done = true
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-ended
	text = out.String()
	if stopErr != nil {
		return text, console.WithEnds(stopErr, text, 3000, stderr.String(), 1500)
	}
	return text, nil
}

// EchoIf returns w when verbose (a benchmark's -v) and nil otherwise:
// for Boot.Echo.
func EchoIf(verbose bool, w io.Writer) io.Writer {
	if verbose {
		return w
	}
	return nil
}
