package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/problems"
	"github.com/coracle-os/coracle/tools/bench/internal/vcpus"
	"github.com/coracle-os/coracle/tools/qemu"
)

// report is everything the benchmark prints on stdout.
type report struct {
	header    hostinfo.Header // command line, source, host CPU, QEMU
	accel     string          // accelerator and CPU model, as passed to QEMU
	memoryMiB int
	cpus      int // vCPUs of each guest
	hostCPUs  int
	wrk       string // wrk's version line

	threads, rounds              int
	duration, warmup, wrkTimeout time.Duration
	url                          string
	ns                           netns

	configs []config
	guests  []*guest // coracle, then Linux
	// wrkCommands are the measured runs' command lines, one per config.
	wrkCommands []string
}

// write prints the report: a header, then the table in Markdown, so that
// it can be pasted into docs as it is.
func (r report) write(w io.Writer) {
	fmt.Fprintf(w, "HTTP benchmark: wrk against examples/httpd on coracle and on Linux\n\n")
	r.header.Write(w)
	fmt.Fprintf(w, "guests:   %s, %s, %d MiB, virtio-net (virtio-mmio) on tap %s, one guest at a time (coracle first in odd rounds, Linux in even ones)\n", r.accel, vcpus.Text(r.cpus), r.memoryMiB, r.ns.tap)
	if r.cpus > 1 {
		fmt.Fprintf(w, "          coracle with %s; wrk shares the host's %d CPUs with the guest's vCPUs", vcpus.SMPParam, r.hostCPUs)
		if note := vcpus.HostNote(r.hostCPUs, []int{r.cpus}); note != "" {
			fmt.Fprintf(w, "; %s", note)
		}
		fmt.Fprintln(w)
	}
	for _, g := range r.guests {
		if g.about != "" {
			fmt.Fprintf(w, "          %s: -M %s; %s\n", g.name, hostinfo.ArgAfter(g.args, "-M"), g.about)
		}
	}
	fmt.Fprintf(w, "network:  network namespace %s; wrk at %s on the tap device, the guest at %s\n", r.ns.name, r.ns.host, guestAddr)
	fmt.Fprintf(w, "wrk:      %s; %d thread(s); per configuration a %s warm-up, then %s measured; --timeout %s; GET %s\n\n",
		r.wrk, r.threads, secs(r.warmup), secs(r.duration), secs(r.wrkTimeout), r.url)

	coracle, linux := r.guest("coracle"), r.guest("Linux")
	fmt.Fprintf(w, "Medians of %d round(s); each round boots each guest once and runs every configuration.\n\n", r.rounds)
	fmt.Fprintln(w, "| mode | connections | coracle req/s | Linux req/s | req/s coracle/Linux | coracle p99 ms | Linux p99 ms | p99 coracle/Linux | errors coracle / Linux |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, c := range r.configs {
		cs, ls := cellOf(coracle, c), cellOf(linux, c)
		rateRatio, p99Ratio := "n/a", "n/a"
		if len(cs.ok) > 0 && len(ls.ok) > 0 {
			rateRatio = ratio(cs.rate(), ls.rate())
			p99Ratio = ratio(float64(cs.p99()), float64(ls.p99()))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s / %s |\n", c.mode(), c.connections,
			cs.rateText(), ls.rateText(), rateRatio, cs.p99Text(), ls.p99Text(), p99Ratio, cs.errorText(), ls.errorText())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Ratios are coracle's figure over Linux's, both measured in this run: a req/s ratio above 1")
	fmt.Fprintln(w, "means coracle served more requests per second, a p99 ratio below 1 that its 99th-percentile")
	fmt.Fprintln(w, "latency was lower. Errors are wrk's socket errors (connect, read, write, timeout) plus")
	fmt.Fprintln(w, "non-2xx/3xx responses, summed over the rounds; a response slower than --timeout is a timeout")
	fmt.Fprintln(w, "error and is not in p99.")

	r.writeCPU(w, coracle, linux)

	if r.rounds > 1 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Each round (req/s, p99 ms):")
		fmt.Fprintln(w)
		r.guestTable(w, "---", coracle, linux, roundsText)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Segments the host's TCP (wrk's side) sent again during the measured runs, summed over the rounds")
	fmt.Fprintln(w, "(RetransSegs of the namespace's /proc/net/snmp): a lost or late frame costs a request a")
	fmt.Fprintln(w, "retransmission timeout, which shows in p99.")
	fmt.Fprintln(w)
	r.guestTable(w, "---:", coracle, linux, retransText)

	var ps []string
	for _, g := range r.guests {
		if g.Missing != "" {
			ps = append(ps, g.name+": "+g.Missing)
			continue
		}
		for _, p := range g.problems {
			ps = append(ps, g.name+", "+p)
		}
		for _, c := range r.configs {
			for _, m := range g.results[c] {
				switch {
				case m.err != nil:
					ps = append(ps, fmt.Sprintf("%s, round %d, %s: %s", g.name, m.round, c, console.OneLine(m.err.Error())))
				case m.res.errorCount() > 0:
					ps = append(ps, fmt.Sprintf("%s, round %d, %s: %s in %d requests", g.name, m.round, c, m.res.errorSummary(), m.res.requests))
				}
			}
		}
	}
	problems.Write(w, ps)

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Network namespace (removed at the end):")
	for _, argv := range r.ns.setUpCommands() {
		fmt.Fprintf(w, "  %s\n", hostinfo.ShellQuote(argv))
	}
	fmt.Fprintln(w, "QEMU command lines:")
	for _, g := range r.guests {
		if len(g.args) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", g.name, hostinfo.ShellQuote(r.ns.exec(append([]string{qemu.Binary}, g.args...)...)))
		}
	}
	fmt.Fprintln(w, "wrk command lines (measured runs; the warm-ups differ in -d only):")
	for _, l := range r.wrkCommands {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// writeCPU writes the table of QEMU's CPU time per request.
func (r report) writeCPU(w io.Writer, coracle, linux *guest) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "QEMU's CPU time per request: what QEMU's process (its vCPU threads and its I/O thread) used during")
	fmt.Fprintln(w, "the measured run over the requests answered, median of the rounds; a ratio below 1 means coracle")
	fmt.Fprintln(w, "cost the host less CPU per request. wrk's own CPU time is not in it.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| mode | connections | coracle µs | Linux µs | coracle/Linux |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, c := range r.configs {
		cs, ls := cpuOf(coracle, c), cpuOf(linux, c)
		rt := "n/a"
		if cs.N > 0 && ls.N > 0 {
			rt = ratio(float64(cs.Median), float64(ls.Median))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s |\n", c.mode(), c.connections, cpuText(cs), cpuText(ls), rt)
	}
}

// cpuOf summarizes g's CPU time per request in configuration c.
func cpuOf(g *guest, c config) figures.Summary {
	if g == nil {
		return figures.Summary{}
	}
	return cpuPerRequest(g.results[c])
}

// cpuText is a CPU-per-request cell: the median in µs, "n/a" without one.
func cpuText(s figures.Summary) string {
	if s.N == 0 {
		return "n/a"
	}
	return micros(s.Median)
}

// guestTable writes a table of one cell per configuration and guest,
// coracle's and Linux's, aligned as align says ("---" or "---:").
func (r report) guestTable(w io.Writer, align string, coracle, linux *guest, cell func(*guest, config) string) {
	fmt.Fprintln(w, "| mode | connections | coracle | Linux |")
	fmt.Fprintf(w, "| --- | ---: | %s | %s |\n", align, align)
	for _, c := range r.configs {
		fmt.Fprintf(w, "| %s | %d | %s | %s |\n", c.mode(), c.connections, cell(coracle, c), cell(linux, c))
	}
}

// retransText sums g's retransmissions for c over the rounds that
// counted them, "n/a" if none did.
func retransText(g *guest, c config) string {
	if g == nil {
		return "n/a"
	}
	var sum int64
	known := false
	for _, m := range g.results[c] {
		if m.retransKnown {
			sum += m.retrans
			known = true
		}
	}
	if !known {
		return "n/a"
	}
	return fmt.Sprint(sum)
}

// guest returns the guest named, or nil.
func (r report) guest(name string) *guest {
	for _, g := range r.guests {
		if g.name == name {
			return g
		}
	}
	return nil
}

// cellStats are a guest's measurements of one config over the rounds.
type cellStats struct {
	measured bool          // the guest was measured at all
	ok       []measurement // those with figures
	failed   int           // runs without figures
	errors   int64         // wrk's errors in the runs with figures
}

func cellOf(g *guest, c config) cellStats {
	if g == nil || g.Missing != "" {
		return cellStats{}
	}
	s := cellStats{measured: true}
	for _, m := range g.results[c] {
		if m.err != nil {
			s.failed++
			continue
		}
		s.ok = append(s.ok, m)
		s.errors += m.res.errorCount()
	}
	return s
}

// rate is the median of requests per second.
func (s cellStats) rate() float64 {
	var xs []float64
	for _, m := range s.ok {
		xs = append(xs, m.res.perSecond)
	}
	return figures.Median(xs)
}

// p99 is the median of the 99th-percentile latencies.
func (s cellStats) p99() time.Duration {
	var xs []float64
	for _, m := range s.ok {
		xs = append(xs, float64(m.res.p99))
	}
	return time.Duration(figures.Median(xs))
}

func (s cellStats) rateText() string {
	if len(s.ok) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f", s.rate())
}

func (s cellStats) p99Text() string {
	if len(s.ok) == 0 {
		return "—"
	}
	return millis(s.p99())
}

// errorText is the errors column's part: the count, and the runs that
// failed; "—" when not measured.
func (s cellStats) errorText() string {
	switch {
	case !s.measured || len(s.ok)+s.failed == 0:
		return "—"
	case s.failed > 0 && len(s.ok) == 0:
		return "failed"
	case s.failed > 0:
		return fmt.Sprintf("%d + %d failed run%s", s.errors, s.failed, plural(int64(s.failed)))
	}
	return strconv.FormatInt(s.errors, 10)
}

// roundsText lists g's figures for c round by round: "1759, 68.5; ...".
func roundsText(g *guest, c config) string {
	if g == nil || g.Missing != "" {
		return "—"
	}
	var parts []string
	for _, m := range g.results[c] {
		if m.err != nil {
			parts = append(parts, "failed")
			continue
		}
		parts = append(parts, fmt.Sprintf("%.0f, %s", m.res.perSecond, millis(m.res.p99)))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// millis formats d in milliseconds, with three significant digits below
// 100 ms.
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f", ms)
	case ms >= 1:
		return fmt.Sprintf("%.2f", ms)
	}
	return fmt.Sprintf("%.3f", ms)
}

// ratio formats a/b, "n/a" when b is 0.
func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// secs formats a duration in seconds as wrk is given it.
func secs(d time.Duration) string { return wrkSeconds(d) }
