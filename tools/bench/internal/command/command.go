// Package command is the main function the benchmark commands share:
// flags, a context that signals cancel, and the exit statuses.
//
// Host only: never linked into an image.
package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Main parses the command line with parse and runs run with a context
// that the signals (os.Interrupt if none) cancel. It exits 0 after -h,
// 2 after a bad flag (parse has said why), 1 when run fails (with
// "bench: " and the error on stderr), 0 otherwise.
func Main[O any](parse func(args []string, stderr io.Writer) (O, error),
	run func(ctx context.Context, o O, argv []string, stdout, stderr io.Writer) error,
	signals ...os.Signal) {
	if len(signals) == 0 {
		signals = []os.Signal{os.Interrupt}
	}
	ctx, stop := signal.NotifyContext(context.Background(), signals...)
	defer stop()
	opts, err := parse(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if err := run(ctx, opts, os.Args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		stop()
		os.Exit(1)
	}
}
