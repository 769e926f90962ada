package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// wrkKeepAlive is wrk 4.1.0's report of a clean run with --latency.
const wrkKeepAlive = `Running 10s test @ http://192.0.2.2:8080/
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   794.71us  435.91us   7.50ms   91.86%
    Req/Sec     2.40k    74.51     2.49k    63.64%
  Latency Distribution
     50%  736.00us
     75%    0.93ms
     90%    1.13ms
     99%    1.77ms
  24025 requests in 10.01s, 4.56MB read
Requests/sec:   2400.10
Transfer/sec:    466.51KB
`

// wrkTroubled has socket errors, bad responses and long latencies.
const wrkTroubled = `Running 10s test @ http://192.0.2.2:8080/
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   136.20ms  300.01ms   1.99s    93.00%
    Req/Sec   551.00    100.00   700.00     70.00%
  Latency Distribution
     50%   60.00ms
     75%   90.50ms
     90%  200.00ms
     99%    1.50s
  5510 requests in 10.00s, 1.10MB read
  Socket errors: connect 2, read 12, write 0, timeout 3
  Non-2xx or 3xx responses: 1
Requests/sec:    551.00
Transfer/sec:    112.00KB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkKeepAlive)
	if err != nil {
		t.Fatal(err)
	}
	if r.requests != 24025 || r.elapsed != 10010*time.Millisecond || r.perSecond != 2400.10 {
		t.Errorf("requests %d in %v, %v/s", r.requests, r.elapsed, r.perSecond)
	}
	if r.p50 != 736*time.Microsecond || r.p75 != 930*time.Microsecond || r.p90 != 1130*time.Microsecond || r.p99 != 1770*time.Microsecond {
		t.Errorf("percentiles %v %v %v %v", r.p50, r.p75, r.p90, r.p99)
	}
	if r.latency.avg != 794710*time.Nanosecond || r.latency.stdev != 435910*time.Nanosecond || r.latency.max != 7500*time.Microsecond {
		t.Errorf("latency %+v", r.latency)
	}
	if r.errorCount() != 0 || r.errorSummary() != "" {
		t.Errorf("errors %d %q", r.errorCount(), r.errorSummary())
	}

	r, err = parseWrk(wrkTroubled)
	if err != nil {
		t.Fatal(err)
	}
	if r.p99 != 1500*time.Millisecond || r.latency.max != 1990*time.Millisecond {
		t.Errorf("p99 %v, max %v", r.p99, r.latency.max)
	}
	if r.connectErrors != 2 || r.readErrors != 12 || r.writeErrors != 0 || r.timeouts != 3 || r.badStatus != 1 || r.errorCount() != 18 {
		t.Errorf("errors %+v", r)
	}
	if got, want := r.errorSummary(), "17 socket errors (connect 2, read 12, timeout 3); 1 non-2xx/3xx response"; got != want {
		t.Errorf("errorSummary = %q, want %q", got, want)
	}
}

func TestParseWrkIncomplete(t *testing.T) {
	drop := func(prefix string) string {
		var kept []string
		for line := range strings.Lines(wrkKeepAlive) {
			if !strings.HasPrefix(strings.TrimSpace(line), prefix) {
				kept = append(kept, line)
			}
		}
		return strings.Join(kept, "")
	}
	for _, tt := range []struct{ name, out, want string }{
		{"no count", drop("24025 requests"), "requests in"},
		{"no rate", drop("Requests/sec"), "Requests/sec"},
		{"no p99 (without --latency)", drop("99%"), "99%"},
		{"empty", "", "requests in"},
		{"unknown unit", strings.Replace(wrkKeepAlive, "1.77ms", "1.77ns", 1), "1.77ns"},
		{"bad count", strings.Replace(wrkKeepAlive, "24025 requests", "many requests", 1), "requests in"},
		{"bad socket errors", strings.Replace(wrkTroubled, "read 12", "lost 12", 1), "lost"},
	} {
		_, err := parseWrk(tt.out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestWrkTime(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"620.00us": 620 * time.Microsecond,
		"0.93ms":   930 * time.Microsecond,
		"10.01s":   10010 * time.Millisecond,
		"1.50m":    90 * time.Second,
		"2.00h":    2 * time.Hour,
		"0.00us":   0,
	} {
		if got, err := wrkTime(s); err != nil || got != want {
			t.Errorf("wrkTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "12", "ms", "-1.00ms", "1.0.0s", "nanus"} {
		if got, err := wrkTime(s); err == nil {
			t.Errorf("wrkTime(%q) = %v, want an error", s, got)
		}
	}
}

func TestWrkArgs(t *testing.T) {
	r := wrkRun{url: "http://192.0.2.2:8080/", connections: 64, threads: 2, duration: 10 * time.Second, timeout: 5 * time.Second}
	want := []string{"-t", "2", "-c", "64", "-d", "10s", "--timeout", "5s", "--latency", "http://192.0.2.2:8080/"}
	if got := r.args(); !slices.Equal(got, want) {
		t.Errorf("keep-alive: %q\nwant %q", got, want)
	}
	r.close, r.connections, r.duration = true, 1, 1500*time.Millisecond
	want = []string{"-t", "1", "-c", "1", "-d", "2s", "--timeout", "5s", "--latency", "-H", "Connection: close", "http://192.0.2.2:8080/"}
	if got := r.args(); !slices.Equal(got, want) {
		t.Errorf("close, threads capped at connections: %q\nwant %q", got, want)
	}
	if got := wrkSeconds(0); got != "1s" {
		t.Errorf("wrkSeconds(0) = %q, want 1s", got)
	}
	if got := wrkSeconds(90 * time.Second); got != "90s" {
		t.Errorf("wrkSeconds(90s) = %q", got)
	}
}

func TestWrkInstallPlan(t *testing.T) {
	if p := wrkInstallPlan(true, true); p.err != nil || strings.Join(p.command, " ") != "apt-get install -y wrk" {
		t.Errorf("root with apt: %+v", p)
	}
	if p := wrkInstallPlan(false, true); p.err == nil || !strings.Contains(p.err.Error(), "sudo apt-get install -y wrk") || p.command != nil {
		t.Errorf("not root: %+v", p)
	}
	if p := wrkInstallPlan(true, false); p.err == nil || p.command != nil {
		t.Errorf("no apt-get: %+v", p)
	}
}
