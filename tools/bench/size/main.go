package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
)

// options are the command's flags.
type options struct {
	programs      []string
	top           int
	kernelTarget  int64 // KiB
	networkTarget int64 // KiB
	verbose       bool
}

func main() { command.Main(parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{programs: []string{"./examples/hello", "./examples/httpd"}}
	fs := command.NewFlagSet("size", "Builds programs as coracle images and natively and compares their sizes, by owner (kernel, network, runtime, ...).", stderr)
	fs.Func("programs", "comma-separated packages to measure (default ./examples/hello,./examples/httpd); the first without networking gives what the kernel adds", func(s string) error {
		o.programs = strings.Split(s, ",")
		return nil
	})
	fs.IntVar(&o.top, "top", 12, "contributors listed for a missed target")
	fs.Int64Var(&o.kernelTarget, "kernel-target", 300, "KiB the kernel may add to a program without networking")
	fs.Int64Var(&o.networkTarget, "network-target", 3<<10, "KiB the network may add")
	fs.BoolVar(&o.verbose, "v", false, "show coracle build's progress")
	if err := command.Parse(fs, args); err != nil {
		return options{}, err
	}
	if o.top < 0 || o.kernelTarget < 0 || o.networkTarget < 0 || len(o.programs) == 0 {
		return options{}, command.Usage(fs, "-top and the targets must not be negative; -programs must name a package")
	}
	return o, nil
}

func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	version, err := goCommand(ctx, "env", "GOVERSION")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "command:  %s\n", hostinfo.ShellQuote(argv))
	fmt.Fprintf(stdout, "source:   %s\n", hostinfo.SourceRevision(ctx))
	fmt.Fprintf(stdout, "Go:       %s, %s\n", strings.TrimSpace(string(version)), strings.Join(targetEnv, " "))
	c, err := newClassifier(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "bench-size-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	progress := io.Discard
	if o.verbose {
		progress = stderr
	}
	r := report{kernelTarget: o.kernelTarget, networkTarget: o.networkTarget, top: o.top}
	for _, pkg := range o.programs {
		p, err := measureProgram(ctx, pkg, tmp, c, progress)
		if err != nil {
			return err
		}
		r.programs = append(r.programs, p)
	}
	r.write(stdout)
	return nil
}

// measureProgram builds pkg both ways into dir and measures the results.
func measureProgram(ctx context.Context, pkg, dir string, c classifier, progress io.Writer) (program, error) {
	p := program{pkg: pkg}
	native, err := buildNative(ctx, pkg, dir)
	if err != nil {
		return p, err
	}
	img, err := buildImage(ctx, pkg, dir, progress)
	if err != nil {
		return p, err
	}
	if p.native, err = measure(native, c); err != nil {
		return p, err
	}
	p.image, err = measure(img, c)
	return p, err
}
