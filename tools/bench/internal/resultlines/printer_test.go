package resultlines

import (
	"strings"
	"testing"
)

// What a Printer prints, Parse reads back.
func TestPrinterRoundTrip(t *testing.T) {
	var b strings.Builder
	p := Printer{Prefix: probe.Prefix, Out: &b}
	p.Printf("start dir=%s clocksource=%s", "/tmp", "tsc")
	p.Printf("op=%s n=%d ns=%d", "getpid", 3, 300)
	p.Done()
	if want := "probe: start dir=/tmp clocksource=tsc\nprobe: op=getpid n=3 ns=300\nprobe: done\n"; b.String() != want {
		t.Errorf("printed %q, want %q", b.String(), want)
	}
	s, err := probe.Parse(b.String(), nil)
	if err != nil || !s.Done || s.ClockSource != "tsc" || s.Ops["getpid"] != (Timing{N: 3, Total: 300}) {
		t.Errorf("read back %+v, %v", s, err)
	}
	if !probe.Finished(b.String()) {
		t.Error("not finished after Done")
	}
}
