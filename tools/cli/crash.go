package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/coracle-os/coracle/tools/crashreport"
)

// CrashArgs are the arguments of coracle crash.
type CrashArgs struct {
	Image string
	Log   string // empty or "-": standard input
}

// parseCrash parses coracle crash IMAGE [LOGFILE].
func parseCrash(args []string) (CrashArgs, error) {
	var c CrashArgs
	fs := newFlagSet("crash")
	if err := parseFlags(fs, args); err != nil {
		return c, err
	}
	switch rest := fs.Args(); len(rest) {
	case 0:
		return c, usageErrorf("crash: missing IMAGE, the image that crashed")
	case 1, 2:
		c.Image = rest[0]
		if len(rest) == 2 {
			c.Log = rest[1]
		}
		return c, nil
	default:
		return c, usageErrorf("crash: unexpected %q after %s %s", rest[2], rest[0], rest[1])
	}
}

// crash is coracle crash: it prints a console log saved elsewhere (a
// guest booted by Firecracker, a CI log) with the disassembly coracle run
// adds to each crash report's code line, decoded with IMAGE's symbols.
func crash(c CrashArgs, stdio Stdio) error {
	syms, err := crashreport.LoadImage(c.Image)
	if err != nil {
		return err
	}
	var log io.Reader = stdio.Stdin
	if c.Log != "" && c.Log != "-" {
		f, err := os.Open(c.Log)
		if err != nil {
			return err
		}
		defer f.Close()
		log = f
	}
	if log == nil {
		return fmt.Errorf("crash: no LOGFILE and no standard input")
	}
	return crashreport.Annotate(stdio.Stdout, log, syms)
}
