package main

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/benchtest"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
)

func result(perSecond float64, p99 time.Duration, requests int64) wrkResult {
	return wrkResult{perSecond: perSecond, p99: p99, requests: requests, elapsed: 10 * time.Second}
}

func TestReport(t *testing.T) {
	rows := configs([]int{1, 64})
	keep1, keep64, close1, close64 := rows[0], rows[1], rows[2], rows[3]
	troubled := result(550, 136*time.Millisecond, 5500)
	troubled.readErrors = 12
	ok := func(round int, perSecond float64, p99 time.Duration) measurement {
		return measurement{round: round, res: result(perSecond, p99, int64(perSecond*10)), retrans: int64(round * 3), retransKnown: true}
	}
	withCPU := func(m measurement, perRequest time.Duration) measurement {
		m.qemuCPU, m.cpuKnown = perRequest*time.Duration(m.res.requests), true
		return m
	}
	coracle := &guest{name: "coracle", about: "image", args: []string{"-M", "microvm,acpi=off,rtc=on", "-kernel", "httpd.img"}, results: map[config][]measurement{
		keep1:   {withCPU(ok(1, 700, 7200*time.Microsecond), 900*time.Microsecond), withCPU(ok(2, 720, 7000*time.Microsecond), 1100*time.Microsecond)},
		keep64:  {ok(1, 1760, 68500*time.Microsecond), ok(2, 1700, 70*time.Millisecond)},
		close1:  {{round: 1, err: errors.New("wrk: exit status 1: unable to connect\nSECOND LINE")}, {round: 2, err: errors.New("not run")}},
		close64: {{round: 1, res: troubled}, {round: 2, err: errors.New("not run: QEMU ended (signal: killed)")}},
	}, problems: []string{"round 2: QEMU ended during the benchmark"}}
	linux := &guest{name: "Linux", about: "Debian", args: []string{"-M", "microvm,acpi=on,ioapic2=off,rtc=on", "-kernel", "vmlinux"}, results: map[config][]measurement{
		keep1:   {withCPU(ok(1, 2800, 1210*time.Microsecond), 500*time.Microsecond), withCPU(ok(2, 2600, 1250*time.Microsecond), 500*time.Microsecond)},
		keep64:  {ok(1, 2600, 343*time.Millisecond), ok(2, 2600, 343*time.Millisecond)},
		close1:  {ok(1, 640, 3200*time.Microsecond), ok(2, 640, 3200*time.Microsecond)},
		close64: {ok(1, 825, 103*time.Millisecond), ok(2, 825, 103*time.Millisecond)},
	}}
	o, err := parseFlags(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ns := newNetns(77)
	url := "http://192.0.2.2:8080/"
	r := report{
		header:    hostinfo.Header{Command: "bin/bench-http", Source: "abc", CPU: "AMD EPYC, 2 CPUs", Load: loadLine("0.10", "2.01", "1.95"), QEMU: "QEMU 7.2"},
		accel:     "TCG (-accel tcg -cpu max)",
		memoryMiB: 256, cpus: 1, hostCPUs: 2, wrk: "wrk 4.1.0", threads: 1, rounds: 2, duration: 10 * time.Second, warmup: 3 * time.Second, wrkTimeout: 5 * time.Second,
		url: url, ns: ns, configs: rows, guests: []*guest{coracle, linux},
		wrkCommands: wrkCommandLines(ns, "/usr/bin/wrk", url, o, rows),
	}
	var b strings.Builder
	r.write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"command:  bin/bench-http\n",
		"guests:   TCG (-accel tcg -cpu max), 1 vCPU, 256 MiB,",
		"load:     1-minute load average 0.10 before the first guest, at most 2.01 while they ran, 1.95 after\n",
		"coracle: -M microvm,acpi=off,rtc=on; image\n",
		"Linux: -M microvm,acpi=on,ioapic2=off,rtc=on; Debian\n",
		"per configuration a 3s warm-up, then 10s measured; --timeout 5s; GET http://192.0.2.2:8080/",
		"Medians of 2 round(s)",
		"| mode | connections | coracle µs | Linux µs | coracle/Linux |\n",
		"| keep-alive | 1 | 1000 | 500 | 2.00 |\n",
		"| keep-alive | 64 | n/a | n/a | n/a |\n",
		// Retransmissions summed over the rounds that counted them.
		"| keep-alive | 64 | 9 | 9 |\n",
		"| Connection: close | 1 | n/a | 9 |\n",
		"| keep-alive | 1 | 710 | 2700 | 0.26 | 7.10 | 1.23 | 5.77 | 0 / 0 |\n",
		"| keep-alive | 64 | 1730 | 2600 | 0.67 | 69.2 | 343 | 0.20 | 0 / 0 |\n",
		"| Connection: close | 1 | — | 640 | n/a | — | 3.20 | n/a | failed / 0 |\n",
		"| Connection: close | 64 | 550 | 825 | 0.67 | 136 | 103 | 1.32 | 12 + 1 failed run / 0 |\n",
		"| keep-alive | 1 | 700, 7.20; 720, 7.00 | 2800, 1.21; 2600, 1.25 |\n",
		"| Connection: close | 64 | 550, 136; failed | 825, 103; 825, 103 |\n",
		"  - coracle, round 2: QEMU ended during the benchmark\n",
		"  - coracle, round 1, Connection: close, 1 connection: wrk: exit status 1: unable to connect\n",
		"  - coracle, round 1, Connection: close, 64 connections: 12 socket errors (read 12) in 5500 requests\n",
		"  ip netns add coracle-bench-77\n",
		"  coracle: ip netns exec coracle-bench-77 qemu-system-x86_64 -M microvm,acpi=off,rtc=on -kernel httpd.img\n",
		"  ip netns exec coracle-bench-77 wrk -t 1 -c 64 -d 10s --timeout 5s --latency -H 'Connection: close' http://192.0.2.2:8080/\n",
	)
	if strings.Contains(out, "SECOND LINE") {
		t.Errorf("an error's later lines reached the report:\n%s", out)
	}
	if strings.Contains(out, "coracle.smp=on") {
		t.Errorf("1 vCPU, yet the header names coracle.smp=on:\n%s", out)
	}

	// With more vCPUs than the host has CPUs the header says so.
	r.cpus = 4
	b.Reset()
	r.write(&b)
	benchtest.Contains(t, "report", b.String(),
		"guests:   TCG (-accel tcg -cpu max), 4 vCPUs, 256 MiB,",
		"          coracle with coracle.smp=on; wrk shares the host's 2 CPUs with the guest's vCPUs; this host has 2 CPUs, so it cannot show scaling beyond 2 vCPUs",
	)
	r.cpus = 1

	// A guest that was not measured leaves its columns empty and says
	// why.
	linux.Missing, linux.results = "skipped (-skip-linux)", nil
	b.Reset()
	r.write(&b)
	out = b.String()
	benchtest.Contains(t, "report", out,
		"| keep-alive | 1 | 710 | — | n/a | 7.10 | — | n/a | 0 / — |\n",
		"  - Linux: skipped (-skip-linux)\n",
	)
}

func TestMillis(t *testing.T) {
	for d, want := range map[time.Duration]string{
		343 * time.Millisecond:   "343",
		68500 * time.Microsecond: "68.5",
		7200 * time.Microsecond:  "7.20",
		794 * time.Microsecond:   "0.794",
		1500 * time.Millisecond:  "1500",
	} {
		if got := millis(d); got != want {
			t.Errorf("millis(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestConfigs(t *testing.T) {
	var got []string
	for _, c := range configs([]int{1, 64}) {
		got = append(got, c.String())
	}
	want := "keep-alive, 1 connection|keep-alive, 64 connections|Connection: close, 1 connection|Connection: close, 64 connections"
	if strings.Join(got, "|") != want {
		t.Errorf("configs: %q", got)
	}
}

func TestSummary(t *testing.T) {
	res := result(1759.4, 68500*time.Microsecond, 17600)
	res.readErrors = 1
	if got, want := summary(measurement{res: res}), "1759 requests/s, p99 68.5 ms (17600 requests in 10.0 s); 1 socket error (read 1)"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got := summary(measurement{err: errors.New("no request completed\ndetail")}); got != "failed: no request completed" {
		t.Errorf("summary of a failure = %q", got)
	}
}

func TestParseStatCPU(t *testing.T) {
	// A command name with a space and a parenthesis; utime 250 and stime
	// 50 ticks.
	stat := "4242 (qemu (x86) 64) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0 123 456 789"
	got, err := parseStatCPU(stat)
	if err != nil || got != 3*time.Second {
		t.Errorf("parseStatCPU = %v, %v; want 3s", got, err)
	}
	for _, bad := range []string{"", "4242 qemu S 1", "4242 (qemu) S 1 2 3", "4242 (qemu) S 1 4242 4242 0 -1 4194560 100 0 0 0 x 50 0"} {
		if _, err := parseStatCPU(bad); err == nil {
			t.Errorf("parseStatCPU(%q): no error", bad)
		}
	}
}

func TestProcessCPU(t *testing.T) {
	// This process has used some CPU time by now, and no more than the
	// time it has run.
	d, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if d < 0 || d > time.Hour {
		t.Errorf("processCPU(self) = %v", d)
	}
}

func TestCPUPerRequest(t *testing.T) {
	m := func(cpu time.Duration, requests int64, known bool, err error) measurement {
		return measurement{res: wrkResult{requests: requests}, qemuCPU: cpu, cpuKnown: known, err: err}
	}
	s := cpuPerRequest([]measurement{
		m(time.Second, 1000, true, nil),           // 1 ms
		m(3*time.Second, 1000, true, nil),         // 3 ms
		m(time.Second, 0, true, nil),              // no requests: left out
		m(time.Second, 10, false, nil),            // not measured: left out
		m(time.Second, 10, true, errors.New("x")), // failed: left out
	})
	if s.N != 2 || s.Median != 2*time.Millisecond || s.Min != time.Millisecond || s.Max != 3*time.Millisecond {
		t.Errorf("cpuPerRequest = %+v, want 2 runs, median 2ms, 1ms-3ms", s)
	}
}
