package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
)

// vm is a running guest: QEMU inside the namespace, its serial console
// collected.
type vm struct {
	cmd     *exec.Cmd
	console *tailBuffer
	stderr  *tailBuffer
	done    chan struct{} // closed when QEMU has ended
	waitErr error         // QEMU's end, once done is closed
}

// startVM starts QEMU (qemuPath, args) inside ns.
func startVM(ns netns, qemuPath string, args []string) (*vm, error) {
	argv := ns.exec(append([]string{qemuPath}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	v := &vm{cmd: cmd, console: &tailBuffer{max: 256 << 10}, stderr: &tailBuffer{max: 64 << 10}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = v.console, v.stderr
	// ip netns exec replaces itself with QEMU, which keeps the parent
	// death signal: if the benchmark is killed, so is QEMU.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting QEMU: %w", err)
	}
	go func() {
		v.waitErr = cmd.Wait()
		close(v.done)
	}()
	return v, nil
}

// cpu returns the CPU time QEMU has used so far. ip netns exec
// replaced itself with QEMU, so the process started is QEMU's.
func (v *vm) cpu() (time.Duration, error) {
	return processCPU(v.cmd.Process.Pid)
}

// running reports whether QEMU is still running.
func (v *vm) running() bool {
	select {
	case <-v.done:
		return false
	default:
		return true
	}
}

// stop kills QEMU and waits for it. Killing is safe: the guests keep
// nothing that needs flushing, and the tap device outlives QEMU.
func (v *vm) stop() {
	if v.running() {
		v.cmd.Process.Kill()
	}
	<-v.done
}

// waitReady waits until the console shows a line starting with prefix
// and probe then succeeds, for at most timeout.
func (v *vm) waitReady(ctx context.Context, prefix string, probe func(context.Context) error, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var probeErr error
	for {
		if !v.running() {
			return fmt.Errorf("QEMU ended (%v) before the server answered", v.waitErr)
		}
		if hasLinePrefix(v.console.String(), prefix) {
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			probeErr = probe(pctx)
			cancel()
			if probeErr == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if probeErr != nil {
				return fmt.Errorf("the server did not answer within %v: %w", timeout, probeErr)
			}
			return fmt.Errorf("no line %q on the console within %v", prefix+"…", timeout)
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-v.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// hasLinePrefix reports whether a line of out starts with prefix.
func hasLinePrefix(out, prefix string) bool {
	for line := range strings.Lines(out) {
		if strings.HasPrefix(strings.TrimLeft(line, "\r"), prefix) {
			return true
		}
	}
	return false
}

// describe returns err with the end of the guest's console and of QEMU's
// stderr.
func (v *vm) describe(err error) error {
	return console.WithEnds(err, v.console.String(), 3000, v.stderr.String(), 1000)
}

// httpProbe returns a probe that GETs url from inside ns, on a new
// connection, and wants a 200 with a body.
func httpProbe(ns netns, url string) func(context.Context) error {
	client := &http.Client{Transport: &http.Transport{DialContext: ns.dial, DisableKeepAlives: true}}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return fmt.Errorf("GET %s: reading the body: %w", url, err)
		}
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			return fmt.Errorf("GET %s: %s with %d bytes", url, resp.Status, len(body))
		}
		return nil
	}
}

// tailBuffer is an io.Writer that keeps the last max bytes written, for
// several goroutines.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer // guarded by mu
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
