package integration

import (
	"strings"
	"testing"
)

// The descriptor layer (testdata/fdprobe): dup, dup2, dup3, fcntl,
// close_range, ioctl, poll, ppoll, pselect6 and RLIMIT_NOFILE on memory
// files, eventfds and loopback sockets. The same program runs natively
// on the host, and the guest must print the same lines, but for those
// that describe the system ("(system)"), which the guest must print as
// coracle's choices are documented: the console is a character device
// that is not a terminal (TCGETS answers ENOTTY on it, as on the host's
// pipe).
func TestDescriptors(t *testing.T) {
	img := buildTestProgram(t, "fdprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	guest := probeLines(res.stdout)
	if !strings.Contains(res.stdout, "fdprobe: done") {
		t.Fatalf("fdprobe did not finish\n%s", res)
	}
	if got, want := guest["os.Stdout.Stat mode (system)"], "Dc---------"; got != want {
		t.Errorf("os.Stdout.Stat mode in the guest: %q, want %q (a character device)", got, want)
	}
	for _, k := range []string{"TCGETS on stdin", "TCGETS on stdout", "TCGETS on stderr"} {
		if got := guest[k]; got != "ENOTTY" {
			t.Errorf("%s in the guest: %q, want ENOTTY (the console is not a terminal)", k, got)
		}
	}
	out := runNative(t, "fdprobe")
	native := probeLines(out)
	if len(native) < 60 {
		t.Fatalf("fdprobe natively printed %d lines\n%s", len(native), out)
	}
	for k, want := range native {
		if strings.HasSuffix(k, "(system)") {
			continue
		}
		if got, ok := guest[k]; !ok {
			t.Errorf("guest lacks %q (natively: %q)", k, want)
		} else if got != want {
			t.Errorf("%s: guest %q, natively %q", k, got, want)
		}
	}
	for k := range guest {
		if _, ok := native[k]; !ok {
			t.Errorf("guest printed %q, which the native run did not", k)
		}
	}
}

// probeLines maps each "fdprobe: what: result" line of out to result
// by what.
func probeLines(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "fdprobe: ")
		if !ok {
			continue
		}
		if i := strings.LastIndex(rest, ": "); i >= 0 {
			m[rest[:i]] = rest[i+2:]
		} else {
			m[rest] = ""
		}
	}
	return m
}
