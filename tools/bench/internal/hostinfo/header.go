package hostinfo

import (
	"context"
	"fmt"
	"io"
)

// Header is the part of a report's header that says what was run, from
// which source, and on which host and QEMU.
type Header struct {
	Command string // the command line that produced the report, quoted
	Source  string // the revision the guests were built from
	CPU     string
	Load    string // a line about the host's load, or "" for none
	QEMU    string // QEMU's version line
}

// ReadHeader describes this host, the command line argv and the QEMU at
// qemuPath. Call it before the guests are built: the source revision is
// the one they are built from.
func ReadHeader(ctx context.Context, argv []string, qemuPath string) Header {
	return Header{
		Command: ShellQuote(argv),
		Source:  SourceRevision(ctx),
		CPU:     CPU(),
		QEMU:    QEMUVersion(ctx, qemuPath),
	}
}

// Write prints h, one aligned line a field, in the form every benchmark's
// report starts with.
func (h Header) Write(w io.Writer) {
	fmt.Fprintf(w, "command:  %s\n", h.Command)
	fmt.Fprintf(w, "source:   %s\n", h.Source)
	fmt.Fprintf(w, "host CPU: %s\n", h.CPU)
	if h.Load != "" {
		fmt.Fprintf(w, "load:     %s\n", h.Load)
	}
	fmt.Fprintf(w, "QEMU:     %s\n", h.QEMU)
}

// ArgAfter returns the argument that follows flag in a QEMU command
// line's args, or "".
func ArgAfter(args []string, flag string) string {
	for i, a := range args[:max(len(args)-1, 0)] {
		if a == flag {
			return args[i+1]
		}
	}
	return ""
}
