package prepare

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// testGuest is a benchmark's guest type.
type testGuest struct {
	name string
	Status
}

func named(name string) *testGuest { return &testGuest{name: name} }

func TestAll(t *testing.T) {
	var log strings.Builder
	logf := func(format string, a ...any) { fmt.Fprintf(&log, format+"\n", a...) }
	made := 0
	guests := All(logf, " (tmpfs)", []Guest[*testGuest]{
		{Name: "coracle", Skip: true, Make: func() (*testGuest, error) { made++; return named("coracle"), nil }},
		{Name: "Linux", Make: func() (*testGuest, error) { return named("Linux"), errors.New("no  kernel\nsecond line") }},
		{Name: "other", Make: func() (*testGuest, error) { return named("other"), nil }},
	}, named)
	if made != 0 {
		t.Error("a skipped guest was made")
	}
	want := []testGuest{
		{name: "coracle", Status: Status{Missing: "skipped (-skip-coracle)"}},
		{name: "Linux", Status: Status{Missing: "not measured: no kernel", Failed: true}},
		{name: "other"},
	}
	if len(guests) != len(want) {
		t.Fatalf("%d guests, want %d", len(guests), len(want))
	}
	for i, g := range guests {
		if *g != want[i] {
			t.Errorf("guest %d = %+v, want %+v", i, *g, want[i])
		}
	}
	if got, want := log.String(), "preparing the Linux guest (tmpfs)\nLinux (tmpfs): no  kernel\nsecond line\npreparing the other guest (tmpfs)\n"; got != want {
		t.Errorf("log %q, want %q", got, want)
	}
}

func TestFailed(t *testing.T) {
	name := func(g *testGuest) string { return g.name }
	guests := []*testGuest{named("coracle"), named("Linux"), named("other")}
	if err := Failed(guests, name); err != nil {
		t.Errorf("no guest failed: %v", err)
	}
	guests[0].Missing = "skipped (-skip-coracle)"
	guests[1].Failed, guests[2].Failed = true, true
	err := Failed(guests, name)
	if err == nil || !strings.HasPrefix(err.Error(), "Linux and other failed") {
		t.Errorf("Linux and other failed: err %v", err)
	}
}
