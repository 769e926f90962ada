package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
)

// bootOnce runs a guest's command (QEMU, or coracle run, which starts
// QEMU), waits until the guest prints the done line or an error line,
// the command ends, or timeout passes, then kills the command's process
// group, and returns what the guest printed.
func bootOnce(ctx context.Context, command []string, timeout time.Duration) (text string, err error) {
	cmd := exec.Command(command[0], command[1:]...)
	out := &watchedBuffer{changed: make(chan struct{}, 1)}
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
	for finished := false; !finished; {
		select {
		case <-out.changed:
			finished = guestFinished(out.String())
		case waitErr := <-ended:
			ended <- waitErr
			if !guestFinished(out.String()) {
				stopErr = fmt.Errorf("%s ended (%v) before the guest printed %q", command[0], waitErr, doneLine)
			}
			finished = true
		case <-deadline:
			stopErr = fmt.Errorf("no %q line within %v", doneLine, timeout)
			finished = true
		case <-ctx.Done():
			stopErr = context.Cause(ctx)
			finished = true
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

// guestFinished reports whether console holds diskprobe's last line: the
// done line, or an error line.
func guestFinished(console string) bool {
	for line := range strings.Lines(console) {
		if !strings.HasSuffix(line, "\n") {
			break // unfinished
		}
		line = strings.TrimSpace(line)
		if line == doneLine || strings.HasPrefix(line, linePrefix+" error") {
			return true
		}
	}
	return false
}

// watchedBuffer collects a guest's console and signals each write.
type watchedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer // guarded by mu
	changed chan struct{}
}

func (b *watchedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf.Write(p)
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (b *watchedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
