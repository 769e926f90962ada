package main

import (
	"bytes"
	"strings"
	"testing"
)

// feed gives a boot's lines to b, stopping at the first error.
func feed(b *boot, lines string) error {
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		if err := b.line(line); err != nil {
			return err
		}
	}
	return nil
}

// firstBoot is a boot on an empty disk that acks some changes.
const firstBoot = `[    0.2] PCI: Fatal: No config space access function found
crash: have log-0 0
crash: have log-1 0
crash: verified
crash: ack append log-0 0
crash: ack append log-1 0
crash: ack append log-0 1
crash: ack create r-0
crash: ack create r-1
crash: ack delete r-0
crash: ack append log-1 1`

func ledgerAfterFirstBoot(t *testing.T) *ledger {
	t.Helper()
	l := newLedger()
	b := l.newBoot()
	if err := feed(b, firstBoot); err != nil {
		t.Fatal(err)
	}
	if b.acks != 7 || l.acks != 7 {
		t.Fatalf("acks %d, %d; want 7", b.acks, l.acks)
	}
	return l
}

func TestLedgerAcceptsWhatWasAcked(t *testing.T) {
	for _, report := range []string{
		// exactly what was acked
		"crash: have log-0 2\ncrash: have log-1 2\ncrash: file r-1 ok\ncrash: verified",
		// one more append each (in flight at the kill), and a file whose
		// create was not acked
		"crash: have log-0 3\ncrash: have log-1 3\ncrash: file r-1 ok\ncrash: file r-2 ok\ncrash: verified",
	} {
		l := ledgerAfterFirstBoot(t)
		if err := feed(l.newBoot(), report+"\ncrash: ack append log-0 "+strings.Fields(report)[3]); err != nil {
			t.Errorf("%q: %v", report, err)
		}
	}
}

// TestLedgerDeleteInFlight checks that a file whose delete began but was
// not acked may be gone, and may be there.
func TestLedgerDeleteInFlight(t *testing.T) {
	for _, report := range []string{
		"crash: have log-0 2\ncrash: have log-1 2\ncrash: verified",
		"crash: have log-0 2\ncrash: have log-1 2\ncrash: file r-1 ok\ncrash: verified",
	} {
		l := ledgerAfterFirstBoot(t)
		if err := feed(l.newBoot(), "crash: have log-0 2\ncrash: have log-1 2\ncrash: file r-1 ok\ncrash: verified\ncrash: intent delete r-1"); err != nil {
			t.Fatal(err)
		}
		if err := feed(l.newBoot(), report); err != nil {
			t.Errorf("%q after a delete in flight: %v", report, err)
		}
		// A boot later, without an intent, r-1 must be as found.
		err := feed(l.newBoot(), "crash: have log-0 2\ncrash: have log-1 2\ncrash: verified")
		if found := strings.Contains(report, "r-1"); found != (err != nil) {
			t.Errorf("%q, then r-1 missing without a delete: %v", report, err)
		}
	}
}

func TestLedgerFindsLosses(t *testing.T) {
	for _, c := range []struct{ report, want string }{
		{"crash: have log-0 1\ncrash: have log-1 2\ncrash: file r-1 ok\ncrash: verified", "records 1 to 1 lost"},
		{"crash: have log-0 4\ncrash: have log-1 2\ncrash: file r-1 ok\ncrash: verified", "one append at a time"},
		{"crash: have log-0 2\ncrash: file r-1 ok\ncrash: verified", "log-1 is gone"},
		{"crash: have log-0 2\ncrash: have log-1 2\ncrash: verified", "acknowledged files missing: r-1"},
		{"crash: have log-0 2\ncrash: have log-1 2\ncrash: file r-1 bad\ncrash: verified", "r-1 is damaged"},
		{"crash: have log-0 2\ncrash: have log-1 2\ncrash: file r-0 ok\ncrash: file r-1 ok\ncrash: verified", "r-0 is back"},
		{"crash: have log-0 2\ncrash: have log-1 2\ncrash: file r-1 ok\ncrash: verified\ncrash: ack append log-0 5", "expected record 2"},
		{"crash: error mount: no such device", "the guest failed: mount: no such device"},
		{"crash: ack append log-0 2", "unexpected line"},
	} {
		l := ledgerAfterFirstBoot(t)
		err := feed(l.newBoot(), c.report)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one saying %q", c.report, err, c.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if o.guest != "coracle" || o.kills < 1 {
		t.Errorf("defaults %+v", o)
	}
	for _, args := range [][]string{{"-guest", "bsd"}, {"-kills", "0"}, {"-disk-mib", "8"}, {"x"}} {
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
