// Command coracle builds Go programs into unikernel images and runs them
// on QEMU. See `coracle help`, and package tools/cli, which implements it.
//
// Host only: never linked into an image.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/coracle-os/coracle/tools/cli"
)

func main() {
	// Keep running on SIGINT and SIGTERM, long enough to stop QEMU (and
	// let it restore the terminal) and to remove temporary files.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	status := cli.Main(ctx, os.Args[1:], cli.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(status)
}
