package compat

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config says how to run the suite.
type Config struct {
	// Coracle is the coracle command; Dir the module the packages are
	// tested from (tools/compat/suite, whose go.mod names the versions).
	Coracle, Dir string
	// Parallel is how many packages run at once (each a go test and, in
	// coracle, a guest).
	Parallel int
	// Timeout is each package's go test -timeout; the driver stops a run
	// that outlives it by a minute (a guest that hangs).
	Timeout time.Duration
	// Logs, when set, is a directory that keeps each run's -json output.
	Logs string
	// Reuse, when set, is a directory of such outputs: a run whose file is
	// there is read from it instead of run again (to redo some packages
	// of a long run and then print the whole table).
	Reuse string
	// Progress, when set, is told about each run as it ends.
	Progress func(p Package, coracle bool, r Result)
}

// Row is one package's line of the table.
type Row struct {
	Package         Package
	Native, Coracle Result
}

// Args returns the command line that runs p natively (coracle false) or
// in coracle: the same go test flags either way.
func (c Config) Args(p Package, coracle bool) []string {
	flags := []string{"-short", "-json", "-count=1", "-p=1", "-timeout=" + c.Timeout.String(), p.Path}
	if !coracle {
		return append([]string{"go", "test"}, flags...)
	}
	mem := p.MemoryMiB
	if mem == 0 {
		mem = DefaultMemoryMiB
	}
	return append([]string{c.Coracle, "test", "-m", strconv.Itoa(mem)}, flags...)
}

// Run runs every package natively, then in coracle, Parallel at a time,
// and returns the rows in the order of pkgs.
func Run(ctx context.Context, c Config, pkgs []Package) []Row {
	rows := make([]Row, len(pkgs))
	for i, p := range pkgs {
		rows[i].Package = p
	}
	for _, coracle := range []bool{false, true} {
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range max(c.Parallel, 1) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					r := c.runOne(ctx, pkgs[i], coracle)
					if coracle {
						rows[i].Coracle = r
					} else {
						rows[i].Native = r
					}
					if c.Progress != nil {
						c.Progress(pkgs[i], coracle, r)
					}
				}
			}()
		}
		for i := range pkgs {
			if ctx.Err() != nil {
				break
			}
			jobs <- i
		}
		close(jobs)
		wg.Wait()
	}
	return rows
}

// runOne runs one package's tests and parses go test's -json output.
func (c Config) runOne(ctx context.Context, p Package, coracle bool) Result {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout+time.Minute)
	defer cancel()
	name := strings.ReplaceAll(p.Path, "/", "_") + map[bool]string{false: ".native", true: ".coracle"}[coracle] + ".json"
	if c.Reuse != "" {
		if f, err := os.Open(filepath.Join(c.Reuse, name)); err == nil {
			defer f.Close()
			return Parse(f, p.RunsPrograms...)
		}
	}
	args := c.Args(p, coracle)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = c.Dir
	// Stop the whole process group: go test's test binary or coracle's
	// QEMU would otherwise outlive a stopped go command.
	cmd.Cancel = func() error { return killGroup(cmd) }
	setGroup(cmd)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if c.Logs != "" {
		os.WriteFile(filepath.Join(c.Logs, name), out.Bytes(), 0o644)
	}
	r := Parse(&out, p.RunsPrograms...)
	if ctx.Err() != nil {
		r.Verdict = Timeout
		r.Seconds = time.Since(start).Seconds()
		if r.Cause == "" {
			r.Cause = fmt.Sprintf("no verdict after %v", c.Timeout+time.Minute)
		}
	} else if err != nil && r.Verdict == Pass {
		// go test failed without saying so in -json: trust the status.
		r.Verdict, r.Cause = Fail, Cause(strings.Split(out.String(), "\n"))
	}
	return r
}
