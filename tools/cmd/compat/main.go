// Command compat runs coracle's compatibility suite (package
// tools/compat): each package's tests with go test natively and with
// coracle test in a guest, then prints the table of verdicts and, with
// -doc, writes it into that Markdown file between its markers.
//
//	compat [-coracle bin/coracle] [-p 2] [-timeout 8m] [-doc docs/compat.md] [-logs DIR] [-reuse DIR] [PACKAGE...]
//
// Packages named on the command line must be in the suite's list.
//
// Host only: never linked into an image.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/compat"
)

func main() {
	coracle := flag.String("coracle", "bin/coracle", "the coracle command")
	suite := flag.String("suite", "tools/compat/suite", "the module the packages are tested from")
	parallel := flag.Int("p", 2, "packages run at once")
	timeout := flag.Duration("timeout", 8*time.Minute, "each package's go test -timeout")
	doc := flag.String("doc", "", "write the table into this Markdown file, between its markers")
	logs := flag.String("logs", "", "keep each run's go test -json output in this directory")
	reuse := flag.String("reuse", "", "read the runs whose -json output this directory keeps (from -logs) instead of running them")
	flag.Parse()

	pkgs := compat.List
	if flag.NArg() > 0 {
		pkgs = nil
		for _, name := range flag.Args() {
			i := slices.IndexFunc(compat.List, func(p compat.Package) bool { return p.Path == name })
			if i < 0 {
				fatalf("%s is not in the suite's list (tools/compat/list.go)", name)
			}
			pkgs = append(pkgs, compat.List[i])
		}
	}
	bin, err := filepath.Abs(*coracle)
	if err != nil {
		fatalf("%v", err)
	}
	if _, err := os.Stat(bin); err != nil {
		fatalf("%v (make build makes it)", err)
	}
	if *logs != "" {
		if err := os.MkdirAll(*logs, 0o755); err != nil {
			fatalf("%v", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := compat.Config{
		Coracle: bin, Dir: *suite, Parallel: *parallel, Timeout: *timeout, Logs: *logs, Reuse: *reuse,
		Progress: func(p compat.Package, coracle bool, r compat.Result) {
			where := "natively"
			if coracle {
				where = "coracle"
			}
			fmt.Fprintf(os.Stderr, "%-9s %-45s %s\n", where, p.Path, r)
		},
	}
	start := time.Now()
	rows := compat.Run(ctx, cfg, pkgs)
	fmt.Fprintf(os.Stderr, "compat: %d packages in %v\n", len(pkgs), time.Since(start).Round(time.Second))
	if ctx.Err() != nil {
		fatalf("interrupted")
	}
	generated := compat.Table(rows) + "\n" + compat.Summary(rows) + "\n" +
		fmt.Sprintf("Command: `%s` and `%s`, for each package, %d at a time.\n",
			strings.Join(shortArgs(cfg.Args(pkgs[0], true)), " "), strings.Join(cfg.Args(pkgs[0], false), " "),
			*parallel)
	fmt.Print(generated)
	if *doc != "" {
		old, err := os.ReadFile(*doc)
		if err != nil {
			fatalf("%v", err)
		}
		b, err := compat.Splice(old, generated)
		if err != nil {
			fatalf("%s: %v", *doc, err)
		}
		if err := os.WriteFile(*doc, b, 0o644); err != nil {
			fatalf("%v", err)
		}
	}
}

// shortArgs names the coracle command by its base name, not this
// machine's path.
func shortArgs(args []string) []string {
	args = slices.Clone(args)
	args[0] = "coracle"
	return args
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "compat: "+format+"\n", args...)
	os.Exit(1)
}
