package qemu

import (
	"fmt"
	"regexp"
	"strings"
	"syscall"

	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
)

// Exit statuses of the runner when the guest reported none. They lie in
// the guest's range (0..127), as docker run's 125 does; guests should not
// use them.
const (
	// StatusNoGuestStatus: the guest stopped without writing a status,
	// by a CPU reset or a triple fault (QEMU runs with -no-reboot).
	StatusNoGuestStatus = 124
	// StatusRunnerFailure: QEMU failed or was stopped, or the runner
	// could not start it.
	StatusRunnerFailure = 125
)

// Exit is how the QEMU process ended.
type Exit struct {
	Code   int            // exit code; meaningless when Signal is set
	Signal syscall.Signal // the signal that killed QEMU, or 0
}

// Outcome is a boot's result for the runner's caller.
type Outcome struct {
	// Status is the runner's exit status: the guest's own status when
	// Err is nil, else StatusNoGuestStatus or StatusRunnerFailure.
	Status int
	// Err says why the guest's status is unknown.
	Err error
}

// qemuMessage matches the lines QEMU prints about itself, as opposed to
// guest output (which goes to stdout): "qemu-system-x86_64: ..." from its
// error reporting, "qemu: ..." from some loaders ("qemu: could not open
// kernel file").
var qemuMessage = regexp.MustCompile(`^(?:\S*/)?qemu(?:-system-x86_64)?: (.*)$`)

// terminating matches QEMU's message when it stops on SIGINT, SIGTERM or
// SIGHUP; it then exits 0.
var terminating = regexp.MustCompile(`^terminating on signal (\d+)`)

// Classify turns the way QEMU ended, and what it wrote on stderr, into an
// Outcome.
//
// isa-debug-exit makes QEMU exit with (status<<1)|1, so an odd code is the
// guest's status, but QEMU's own failures also exit 1, which would read as
// guest status 0. QEMU explains each failure in a "qemu-system-x86_64: "
// line that is not a warning; guest output never reaches stderr. Exit 0
// is how QEMU ends after a CPU reset under -no-reboot (a triple fault
// included), and also after a SIGINT or SIGTERM, which it reports.
func Classify(exit Exit, stderr string) Outcome {
	if exit.Signal != 0 {
		return failed("qemu-system-x86_64 was killed by signal %d (%v)", int(exit.Signal), exit.Signal)
	}
	if status, ok := exitstatus.FromQEMU(exit.Code); ok && status != 0 {
		return Outcome{Status: status}
	}
	if msg := qemuFailure(stderr); msg != "" {
		if m := terminating.FindStringSubmatch(msg); m != nil {
			return failed("qemu-system-x86_64 was stopped by signal %s", m[1])
		}
		if strings.Contains(msg, gdbKilled) {
			return failed("the debugger attached to the gdb stub killed the guest")
		}
		return failed("qemu-system-x86_64 failed (exit status %d): %s", exit.Code, msg)
	}
	switch exit.Code {
	case 1:
		return Outcome{Status: 0}
	case 0:
		return Outcome{
			Status: StatusNoGuestStatus,
			Err:    fmt.Errorf("the guest stopped without reporting an exit status (CPU reset or triple fault)"),
		}
	}
	return failed("qemu-system-x86_64 exited with status %d, which no guest status maps to", exit.Code)
}

// gdbKilled is QEMU's message when gdb's kill command ends it.
const gdbKilled = "Terminated via GDBstub"

func failed(format string, a ...any) Outcome {
	return Outcome{Status: StatusRunnerFailure, Err: fmt.Errorf(format, a...)}
}

// qemuFailure returns the text of the first line of stderr in which QEMU
// reports a problem that is not a warning, or "".
func qemuFailure(stderr string) string {
	for line := range strings.Lines(stderr) {
		m := qemuMessage.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if m == nil {
			continue
		}
		msg := m[1]
		// Warnings come as "warning: ..." or, for an option,
		// "-opt value: warning: ...".
		if strings.HasPrefix(msg, "warning: ") || strings.Contains(msg, ": warning: ") {
			continue
		}
		return msg
	}
	return ""
}
