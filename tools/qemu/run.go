package qemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Binary is the QEMU program Run starts, looked up in PATH.
const Binary = "qemu-system-x86_64"

// ErrNotFound means qemu-system-x86_64 is not in PATH.
var ErrNotFound = errors.New(Binary + " not found: install Debian's package with `apt-get install -y qemu-system-x86` (or run `make run`, which installs it)")

// Streams connects QEMU to the caller: the guest's serial console reads
// Stdin and writes Stdout; QEMU's own messages go to Stderr. Nil readers
// and writers mean the null device.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// stopGrace is how long QEMU gets to exit after SIGTERM when ctx ends.
const stopGrace = 5 * time.Second

// maxCapturedStderr bounds the copy of QEMU's stderr kept for Classify.
// QEMU reports failures in its first lines; a long run writes nothing.
const maxCapturedStderr = 64 << 10

// Run boots cfg's image and waits for QEMU to end. The error is non-nil
// only when QEMU could not be started (ErrNotFound, bad configuration);
// everything after that, QEMU failures included, is in the Outcome. When
// ctx ends, QEMU is stopped with SIGTERM.
func Run(ctx context.Context, cfg Config, s Streams) (Outcome, error) {
	args, err := cfg.Args()
	if err != nil {
		return Outcome{}, err
	}
	if err := CheckMemory(cfg.withDefaults().MemoryMiB, HostMemoryMiB()); err != nil {
		return Outcome{}, err
	}
	path, err := exec.LookPath(Binary)
	if err != nil {
		return Outcome{}, ErrNotFound
	}

	cmd := exec.CommandContext(ctx, path, args...)
	// QEMU must not outlive its runner: if coracle is killed (a test
	// timing out, a terminal closed), the kernel kills QEMU too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stdin, cmd.Stdout = s.Stdin, s.Stdout
	captured := &cappedBuffer{max: maxCapturedStderr}
	filter := &lineFilter{w: nonNil(s.Stderr), drop: isOwnWarning}
	cmd.Stderr = io.MultiWriter(captured, filter)
	// SIGTERM lets QEMU restore the terminal, which it puts in raw
	// mode when stdin is one.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopGrace

	runErr := cmd.Run()
	filter.Flush()
	if cmd.ProcessState == nil { // it never started
		return Outcome{}, fmt.Errorf("starting %s: %w", Binary, runErr)
	}
	out := Classify(exitOf(cmd.ProcessState), captured.String())
	if ctx.Err() != nil && out.Err != nil {
		out.Err = fmt.Errorf("%w (%v)", out.Err, context.Cause(ctx))
	}
	return out, nil
}

func exitOf(ps *os.ProcessState) Exit {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return Exit{Code: -1, Signal: ws.Signal()}
	}
	return Exit{Code: ps.ExitCode()}
}

func nonNil(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
