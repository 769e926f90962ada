package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrkRun is one run of wrk: how it is invoked.
type wrkRun struct {
	url         string
	connections int
	threads     int // at most connections
	duration    time.Duration
	timeout     time.Duration // wrk's --timeout: a slower response is an error
	close       bool          // send "Connection: close": a new connection per request
}

// args returns wrk's arguments (without the program name). Durations
// are whole seconds: wrk reads "10s" but not Go's "1m30s".
func (r wrkRun) args() []string {
	a := []string{
		"-t", strconv.Itoa(min(r.threads, r.connections)),
		"-c", strconv.Itoa(r.connections),
		"-d", wrkSeconds(r.duration),
		"--timeout", wrkSeconds(r.timeout),
		"--latency",
	}
	if r.close {
		a = append(a, "-H", "Connection: close")
	}
	return append(a, r.url)
}

// wrkSeconds writes d as wrk reads a duration: whole seconds, at least 1.
func wrkSeconds(d time.Duration) string {
	return strconv.Itoa(max(int(d.Round(time.Second)/time.Second), 1)) + "s"
}

// wrkResult is what wrk reports of a run.
type wrkResult struct {
	requests  int64         // completed requests
	elapsed   time.Duration // the run's length, as wrk measured it
	perSecond float64       // Requests/sec
	latency   struct{ avg, stdev, max time.Duration }
	// percentiles are the latency distribution's 50, 75, 90 and 99%.
	p50, p75, p90, p99 time.Duration
	// Socket errors; wrk counts a response slower than --timeout as a
	// timeout error and leaves it out of the latency figures.
	connectErrors, readErrors, writeErrors, timeouts int64
	// badStatus counts responses other than 2xx or 3xx.
	badStatus int64
}

// errorCount is the number of failed requests and connections.
func (r wrkResult) errorCount() int64 {
	return r.connectErrors + r.readErrors + r.writeErrors + r.timeouts + r.badStatus
}

// errorSummary describes the errors of the run, "" when there were none:
// "3 socket errors (read 2, timeout 1); 1 non-2xx/3xx response".
func (r wrkResult) errorSummary() string {
	var parts []string
	var kinds []string
	for _, e := range []struct {
		name string
		n    int64
	}{{"connect", r.connectErrors}, {"read", r.readErrors}, {"write", r.writeErrors}, {"timeout", r.timeouts}} {
		if e.n > 0 {
			kinds = append(kinds, fmt.Sprintf("%s %d", e.name, e.n))
		}
	}
	if n := r.connectErrors + r.readErrors + r.writeErrors + r.timeouts; n > 0 {
		parts = append(parts, fmt.Sprintf("%d socket error%s (%s)", n, plural(n), strings.Join(kinds, ", ")))
	}
	if r.badStatus > 0 {
		parts = append(parts, fmt.Sprintf("%d non-2xx/3xx response%s", r.badStatus, plural(r.badStatus)))
	}
	return strings.Join(parts, "; ")
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// parseWrk reads wrk's report (its standard output with --latency). It
// needs the request count, the elapsed time, Requests/sec and the 99%
// latency; the rest is taken when present.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	var haveCount, haveRate, haveP99 bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var err error
		switch {
		case f[0] == "Latency" && len(f) >= 4:
			if r.latency.avg, err = wrkTime(f[1]); err == nil {
				if r.latency.stdev, err = wrkTime(f[2]); err == nil {
					r.latency.max, err = wrkTime(f[3])
				}
			}
		case len(f) == 2 && strings.HasSuffix(f[0], "%"):
			var d time.Duration
			if d, err = wrkTime(f[1]); err != nil {
				break
			}
			switch f[0] {
			case "50%":
				r.p50 = d
			case "75%":
				r.p75 = d
			case "90%":
				r.p90 = d
			case "99%":
				r.p99, haveP99 = d, true
			}
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			if r.requests, err = strconv.ParseInt(f[0], 10, 64); err == nil {
				r.elapsed, err = wrkTime(strings.TrimSuffix(f[3], ","))
				haveCount = err == nil
			}
		case f[0] == "Socket" && len(f) >= 2 && f[1] == "errors:":
			err = parseSocketErrors(strings.Join(f[2:], " "), &r)
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"):
			r.badStatus, err = strconv.ParseInt(f[len(f)-1], 10, 64)
		case f[0] == "Requests/sec:" && len(f) == 2:
			r.perSecond, err = strconv.ParseFloat(f[1], 64)
			haveRate = err == nil
		}
		if err != nil {
			return wrkResult{}, fmt.Errorf("wrk output line %q: %w", strings.TrimSpace(sc.Text()), err)
		}
	}
	switch {
	case !haveCount:
		return wrkResult{}, errors.New(`wrk output has no "N requests in T" line`)
	case !haveRate:
		return wrkResult{}, errors.New(`wrk output has no "Requests/sec:" line`)
	case !haveP99:
		return wrkResult{}, errors.New("wrk output has no 99% latency line (was --latency given?)")
	}
	return r, nil
}

// parseSocketErrors reads "connect 0, read 12, write 0, timeout 3".
func parseSocketErrors(s string, r *wrkResult) error {
	for part := range strings.SplitSeq(s, ",") {
		name, num, ok := strings.Cut(strings.TrimSpace(part), " ")
		if !ok {
			return fmt.Errorf("socket errors %q", s)
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return err
		}
		switch name {
		case "connect":
			r.connectErrors = n
		case "read":
			r.readErrors = n
		case "write":
			r.writeErrors = n
		case "timeout":
			r.timeouts = n
		default:
			return fmt.Errorf("unknown socket error kind %q", name)
		}
	}
	return nil
}

// wrkTimeUnits are the units wrk writes times in (its units.c): "us",
// "ms" and "s" below a minute, then "m" and "h".
var wrkTimeUnits = []struct {
	suffix string
	unit   time.Duration
}{
	{"us", time.Microsecond},
	{"ms", time.Millisecond},
	{"s", time.Second},
	{"m", time.Minute},
	{"h", time.Hour},
}

// wrkTime parses a time as wrk prints it: "620.00us", "1.20ms", "10.01s".
func wrkTime(s string) (time.Duration, error) {
	for _, u := range wrkTimeUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || !(v >= 0) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("time %q: not a number of %s", s, u.suffix)
			}
			return time.Duration(v * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("time %q: no unit", s)
}

// wrkCommand is the name wrk is run by.
const wrkCommand = "wrk"

// ensureWrk returns the path of wrk. When it is missing it is installed
// with apt-get, saying so, if this process runs as root; otherwise the
// error says what to run.
func ensureWrk(ctx context.Context, log io.Writer) (string, error) {
	if p, err := exec.LookPath(wrkCommand); err == nil {
		return p, nil
	}
	_, aptErr := exec.LookPath("apt-get")
	plan := wrkInstallPlan(os.Geteuid() == 0, aptErr == nil)
	if plan.err != nil {
		return "", plan.err
	}
	fmt.Fprintf(log, "bench: wrk not found; installing it: %s\n", strings.Join(plan.command, " "))
	cmd := exec.CommandContext(ctx, plan.command[0], plan.command[1:]...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w (if the package lists are old or missing, run apt-get update first)", strings.Join(plan.command, " "), err)
	}
	return exec.LookPath(wrkCommand)
}

// installPlan is how a missing wrk gets installed: the command to run,
// or why the benchmark cannot do it itself.
type installPlan struct {
	command []string
	err     error
}

func wrkInstallPlan(root, haveApt bool) installPlan {
	switch {
	case !haveApt:
		return installPlan{err: errors.New("wrk not found, and this is not a Debian-like system: install wrk (https://github.com/wg/wrk) with your package manager")}
	case !root:
		return installPlan{err: errors.New("wrk not found; install it with:\n    sudo apt-get install -y wrk")}
	}
	return installPlan{command: []string{"apt-get", "install", "-y", "wrk"}}
}

// wrkVersion returns wrk's version line ("wrk 4.1.0 [epoll] ..."): wrk
// prints it first in its usage, which -v asks for.
func wrkVersion(ctx context.Context, path string) string {
	out, _ := exec.CommandContext(ctx, path, "-v").CombinedOutput()
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if !strings.HasPrefix(first, "wrk ") {
		return "unknown"
	}
	return strings.TrimSpace(first)
}
