package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Stdio is the command's standard streams.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Exit statuses of coracle itself; coracle run otherwise exits with the
// guest's status (see usage).
const (
	exitFailure = 1 // coracle build or disk create failed
	exitUsage   = 2 // bad command line
)

// Main runs coracle with args (without the program name) and returns the
// process exit status. Cancelling ctx (on SIGINT or SIGTERM) stops the
// build or the guest.
func Main(ctx context.Context, args []string, stdio Stdio) int {
	inv, err := Parse(args)
	if errors.Is(err, flag.ErrHelp) || err == nil && inv.Command == "help" {
		fmt.Fprint(stdio.Stdout, usage)
		return 0
	}
	var usageErr *UsageError
	if errors.As(err, &usageErr) {
		fmt.Fprintf(stdio.Stderr, "coracle: %v\n%s", err, shortUsage)
		return exitUsage
	}
	if err != nil { // Parse returns no other errors
		fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
		return exitUsage
	}

	switch inv.Command {
	case "build":
		if err := build(ctx, inv.Build, stdio); err != nil {
			fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
			return exitFailure
		}
		return 0
	case "run":
		return run(ctx, inv.Run, stdio)
	case "test":
		return goTest(ctx, inv.Test, stdio)
	case "exec-test":
		return execTest(ctx, inv.ExecTest, stdio)
	case "inspect":
		if err := inspect(inv.Inspect, stdio.Stdout); err != nil {
			fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
			return exitFailure
		}
		return 0
	case "disk create":
		if err := diskCreate(ctx, inv.Disk, stdio); err != nil {
			fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
			return exitFailure
		}
		return 0
	case "crash":
		if err := crash(inv.Crash, stdio); err != nil {
			fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
			return exitFailure
		}
		return 0
	}
	panic("cli: unhandled command " + inv.Command)
}
