package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/bench/internal/setup"
)

// config is one wrk configuration of the table.
type config struct {
	close       bool // "Connection: close": one request per connection
	connections int
}

// String names c in progress lines: "keep-alive, 64 connections".
func (c config) String() string {
	return c.mode() + ", " + strconv.Itoa(c.connections) + " connection" + plural(int64(c.connections))
}

func (c config) mode() string {
	if c.close {
		return "Connection: close"
	}
	return "keep-alive"
}

// configs lists the table's rows: keep-alive first, then a connection per
// request, each with every connection count.
func configs(connections []int) []config {
	var cs []config
	for _, close := range []bool{false, true} {
		for _, n := range connections {
			cs = append(cs, config{close: close, connections: n})
		}
	}
	return cs
}

// measurement is one guest's figures for one config, or why there are
// none.
type measurement struct {
	round int
	res   wrkResult
	err   error
	// retrans is how many segments the host's TCP sent again during the
	// measured run (retrans.go), if retransKnown.
	retrans      int64
	retransKnown bool
	// qemuCPU is the CPU time QEMU's process used during the measured
	// run (qemucpu.go), if cpuKnown.
	qemuCPU  time.Duration
	cpuKnown bool
}

// run is the benchmark: check the host, build the guests, set up the
// network namespace, measure each guest in turn, print the report on
// stdout. Progress and problems go to stderr.
func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	host, err := hostinfo.FindQEMU(o.Accel, o.MemoryMiB)
	if err != nil {
		return err
	}
	wrkPath, err := ensureWrk(ctx, stderr)
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return errors.New("the benchmark needs root: it creates a network namespace with a tap device in it (run it with sudo)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("the ip command is not installed (Debian package iproute2)")
	}
	// The host is checked (wrk, root, ip) before the run starts: its
	// first progress line and its temporary directory come after.
	started, cleanup, err := setup.WithHost(ctx, "http", host, argv, logf)
	if err != nil {
		return err
	}
	defer cleanup()
	header := started.Header
	ns := newNetns(os.Getpid())
	base := baseConfig(o, host.Accel, ns.tap)
	guests := prepareGuests(ctx, o, base, started.Tmp, stderr)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}

	removeStaleNamespaces(ctx, stderr)
	logf("creating network namespace %s: %s on %s, guests at %s", ns.name, ns.tap, ns.host, guestAddr)
	if err := ns.setUp(ctx); err != nil {
		return err
	}
	defer ns.tearDown(stderr)

	url := fmt.Sprintf("http://%s:%d%s", guestAddr.Addr(), httpPort, o.path)
	rows := configs(o.connections)
	loadBefore := loadAverage()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	peak := watchLoad(loadCtx)
	for round := 1; round <= o.rounds; round++ {
		for _, g := range figures.Interleaved(guests, round) {
			if g.Missing != "" || g.stopped {
				continue
			}
			logf("round %d/%d: %s", round, o.rounds, g.name)
			if err := measureGuest(ctx, o, ns, host.Path, wrkPath, url, g, rows, round, logf); err != nil {
				return err
			}
		}
	}

	header.Load = loadLine(loadBefore, peak(), loadAverage())
	r := report{
		header:      header,
		accel:       hostinfo.Accel(host.Accel),
		memoryMiB:   o.MemoryMiB,
		cpus:        o.cpus,
		hostCPUs:    runtime.NumCPU(),
		wrk:         wrkVersion(ctx, wrkPath),
		threads:     o.threads,
		rounds:      o.rounds,
		duration:    o.duration,
		warmup:      o.warmup,
		wrkTimeout:  o.wrkTimeout,
		url:         url,
		ns:          ns,
		configs:     rows,
		guests:      guests,
		wrkCommands: wrkCommandLines(ns, wrkPath, url, o, rows),
	}
	r.write(stdout)
	return prepare.Failed(guests, func(g *guest) string { return g.name })
}

// wrkRunFor is the measured wrk run of c.
func wrkRunFor(o options, url string, c config, d time.Duration) wrkRun {
	return wrkRun{url: url, connections: c.connections, threads: o.threads, duration: d, timeout: o.wrkTimeout, close: c.close}
}

// wrkCommandLines are the measured runs' command lines, for the report.
func wrkCommandLines(ns netns, wrkPath, url string, o options, rows []config) []string {
	var lines []string
	for _, c := range rows {
		lines = append(lines, hostinfo.ShellQuote(ns.exec(append([]string{wrkCommand}, wrkRunFor(o, url, c, o.duration).args()...)...)))
	}
	return lines
}

// measureGuest boots g, waits until httpd answers, and runs wrk for each
// config: a warm-up, then the measured run, whose figures are added to
// g.results. What goes wrong with the guest is recorded in g (the report
// shows it); a guest that does not come up is booted again in the next
// round, one whose QEMU cannot start is not. Only an interrupt is
// returned as an error.
func measureGuest(ctx context.Context, o options, ns netns, qemuPath, wrkPath, url string, g *guest, rows []config, round int, logf func(string, ...any)) error {
	if g.results == nil {
		g.results = make(map[config][]measurement)
	}
	problem := func(err error) {
		g.problems = append(g.problems, fmt.Sprintf("round %d: %s", round, console.OneLine(err.Error())))
		g.Failed = true
	}
	start := time.Now()
	v, err := startVM(ns, qemuPath, g.args)
	if err != nil {
		problem(err)
		g.stopped = true
		return nil
	}
	defer v.stop()
	probe := httpProbe(ns, url)
	if err := v.waitReady(ctx, readyPrefix, probe, o.bootTimeout); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		logf("%s: %v", g.name, v.describe(err))
		problem(fmt.Errorf("did not come up: %w; console: %s", err, lastLine(v.console.String())))
		g.console = console.Tail(v.console.String(), 3000)
		return nil
	}
	logf("%s: httpd answers, %.1f s after QEMU started", g.name, time.Since(start).Seconds())
	if o.verbose {
		logf("%s console so far:\n%s", g.name, v.console.String())
	}

	troubled := false
	for _, c := range rows {
		var m measurement
		if !v.running() {
			m.err = fmt.Errorf("not run: QEMU ended (%v)", v.waitErr)
		} else {
			m = measureConfig(ctx, o, ns, wrkPath, url, c, probe, v.cpu, logf, g.name)
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			if m.err == nil && !v.running() {
				m.err = fmt.Errorf("QEMU ended during the run (%v)", v.waitErr)
			}
		}
		if m.err != nil || m.res.errorCount() > 0 {
			troubled = true
		}
		m.round = round
		g.results[c] = append(g.results[c], m)
	}
	if !v.running() {
		troubled = true
		logf("%s: %v", g.name, v.describe(fmt.Errorf("QEMU ended during the benchmark (%v)", v.waitErr)))
		problem(fmt.Errorf("QEMU ended during the benchmark (%v); console: %s", v.waitErr, lastLine(v.console.String())))
	}
	if troubled || o.verbose {
		g.console = console.Tail(v.console.String(), 3000)
		logf("%s: console (end):\n%s", g.name, g.console)
	}
	return nil
}

// measureConfig checks that the server answers, then runs wrk for c: a
// warm-up, then the measured run.
func measureConfig(ctx context.Context, o options, ns netns, wrkPath, url string, c config, probe func(context.Context) error, qemuCPU func() (time.Duration, error), logf func(string, ...any), name string) measurement {
	// The server must answer before each configuration: a guest that
	// stopped serving is reported as such, not as a run of errors.
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := probe(pctx)
	cancel()
	if err != nil {
		return measurement{err: fmt.Errorf("not run: the server did not answer a GET within 10 s: %v", err)}
	}
	if o.warmup > 0 {
		warm := runWrk(ctx, ns, wrkPath, wrkRunFor(o, url, c, o.warmup))
		if ctx.Err() != nil {
			return measurement{err: context.Cause(ctx)}
		}
		logf("%s, %s: warm-up: %s", name, c, summary(warm))
	}
	before, errBefore := ns.retransSegs(ctx)
	cpuBefore, errCPU := qemuCPU()
	m := runWrk(ctx, ns, wrkPath, wrkRunFor(o, url, c, o.duration))
	if cpuAfter, err := qemuCPU(); err == nil && errCPU == nil {
		m.qemuCPU, m.cpuKnown = cpuAfter-cpuBefore, true
	}
	if after, err := ns.retransSegs(ctx); err == nil && errBefore == nil {
		m.retrans, m.retransKnown = after-before, true
	}
	logf("%s, %s: %s", name, c, summary(m))
	return m
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// runWrk runs wrk inside ns and parses its report.
func runWrk(ctx context.Context, ns netns, wrkPath string, r wrkRun) measurement {
	// wrk stops by itself after the duration; the limit only catches a
	// wrk that hangs.
	ctx, cancel := context.WithTimeout(ctx, r.duration+r.timeout+time.Minute)
	defer cancel()
	argv := ns.exec(append([]string{wrkPath}, r.args()...)...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	// As QEMU: wrk must not outlive the benchmark.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return measurement{err: fmt.Errorf("wrk: %w: %s", err, console.Tail(stderr.String()+string(out), 500))}
	}
	res, err := parseWrk(string(out))
	if err != nil {
		return measurement{err: fmt.Errorf("%w\n%s", err, out)}
	}
	if res.requests == 0 {
		msg := "no request completed"
		if s := res.errorSummary(); s != "" {
			msg += ": " + s
		}
		return measurement{res: res, err: errors.New(msg)}
	}
	return measurement{res: res}
}

// summary is a progress line's account of m.
func summary(m measurement) string {
	if m.err != nil {
		return "failed: " + console.FirstLine(m.err.Error())
	}
	s := fmt.Sprintf("%.0f requests/s, p99 %s ms (%d requests in %.1f s)", m.res.perSecond, millis(m.res.p99), m.res.requests, m.res.elapsed.Seconds())
	if m.cpuKnown && m.res.requests > 0 {
		s += fmt.Sprintf(", QEMU CPU %s µs a request", micros(m.qemuCPU/time.Duration(m.res.requests)))
	}
	if m.retransKnown {
		s += fmt.Sprintf(", %d retransmitted by the host", m.retrans)
	}
	if e := m.res.errorSummary(); e != "" {
		s += "; " + e
	}
	return s
}

// loadLine is the report's line about the host's load: the 1-minute
// load average before the first guest, the highest while they ran, and
// after.
func loadLine(before, peak, after string) string {
	return fmt.Sprintf("1-minute load average %s before the first guest, at most %s while they ran, %s after", before, peak, after)
}

// loadAverage returns the host's 1-minute load average, from
// /proc/loadavg: other work on the host shows there. The benchmark
// itself keeps it at about 1.5 (QEMU's vCPU thread and wrk).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// watchLoad samples the load average every 5 seconds until ctx ends;
// the function it returns gives the highest sample so far.
func watchLoad(ctx context.Context) func() string {
	var mu sync.Mutex
	peak, peakText := -1.0, "unknown" // guarded by mu
	sample := func() {
		s := loadAverage()
		v, err := strconv.ParseFloat(s, 64)
		mu.Lock()
		defer mu.Unlock()
		if err == nil && v > peak {
			peak, peakText = v, s
		}
	}
	sample()
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() string {
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peakText
	}
}
