// Package setup is how every benchmark's run starts: find QEMU and
// choose its accelerator, say why on the progress log, make the run's
// temporary directory, and read the report's header before the guests
// are built, so that the source revision it names is theirs.
//
// Host only: never linked into an image.
package setup

import (
	"context"
	"os"

	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
)

// Run is what a benchmark's run starts from.
type Run struct {
	hostinfo.QEMUHost                 // the QEMU the guests run on, and its accelerator
	Tmp               string          // a new directory for the run's files; the cleanup removes it
	Header            hostinfo.Header // read before the guests are built
}

// Start checks a benchmark's -accel and -m flags (accel, memoryMiB)
// against this host and finds QEMU (hostinfo.FindQEMU), then starts the
// run on it as WithHost does.
func Start(ctx context.Context, name, accel string, memoryMiB int, argv []string, logf func(format string, a ...any)) (Run, func(), error) {
	host, err := hostinfo.FindQEMU(accel, memoryMiB)
	if err != nil {
		return Run{}, nil, err
	}
	return WithHost(ctx, name, host, argv, logf)
}

// WithHost starts the run of the benchmark name on a QEMU found
// already: it logs why that accelerator, makes the temporary directory
// coracle-bench-<name>-*, and reads the header of the command line argv.
// A benchmark that checks more of the host (commands it needs, root)
// before its first progress line finds QEMU itself and calls this after
// its checks. The cleanup removes the directory; defer it. On error
// nothing is left to clean up.
func WithHost(ctx context.Context, name string, host hostinfo.QEMUHost, argv []string, logf func(format string, a ...any)) (Run, func(), error) {
	logf("%s", host.Reason)
	tmp, err := os.MkdirTemp("", "coracle-bench-"+name+"-")
	if err != nil {
		return Run{}, nil, err
	}
	r := Run{
		QEMUHost: host,
		Tmp:      tmp,
		Header:   hostinfo.ReadHeader(ctx, argv, host.Path),
	}
	return r, func() { os.RemoveAll(tmp) }, nil
}
