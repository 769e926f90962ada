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

// doneLine is the line fileprobe prints when it has reported every
// operation.
const doneLine = linePrefix + " done"

// bootOnce boots a guest (QEMU at qemuPath with args), waits until it
// prints the done line or an error line, ends, or timeout passes, kills
// QEMU, and returns what the guest printed.
func bootOnce(ctx context.Context, qemuPath string, args []string, timeout time.Duration) (text string, err error) {
	cmd := exec.Command(qemuPath, args...)
	out := &watchedBuffer{changed: make(chan struct{}, 1)}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	// QEMU must not outlive the benchmark.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting QEMU: %w", err)
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()

	deadline := time.After(timeout)
	var stopErr error
	finished := false
	for !finished {
		select {
		case <-out.changed:
			finished = guestFinished(out.String())
		case waitErr := <-ended:
			ended <- waitErr
			if !guestFinished(out.String()) {
				stopErr = fmt.Errorf("QEMU ended (%v) before the guest printed %q", waitErr, doneLine)
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
	cmd.Process.Kill()
	<-ended
	text = out.String()
	if stopErr != nil {
		return text, console.WithEnds(stopErr, text, 3000, stderr.String(), 1000)
	}
	return text, nil
}

// guestFinished reports whether console holds fileprobe's last line: the
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
