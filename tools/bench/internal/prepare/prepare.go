// Package prepare prepares a benchmark's guests (coracle, Linux) in
// turn: each the flags do not skip is built, and one that cannot be is
// reported as not measured while the others still are.
//
// Host only: never linked into an image.
package prepare

import (
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
	"github.com/coracle-os/coracle/tools/bench/internal/problems"
)

// Status is whether a guest is measured; a benchmark's guest type
// embeds it.
type Status struct {
	Missing string // why it is not measured at all: skipped, or failed to build
	Failed  bool   // something went wrong: the run fails
}

func (s *Status) mark(missing string, failed bool) {
	s.Missing, s.Failed = missing, failed
}

func (s *Status) failed() bool { return s.Failed }

// guest is a pointer to a benchmark's guest type, which embeds Status.
type guest interface {
	mark(missing string, failed bool)
	failed() bool
}

// Failed is the run's error when some of guests failed, each named by
// name (problems.Failed), nil when none did.
func Failed[G guest](guests []G, name func(G) string) error {
	var names []string
	for _, g := range guests {
		if g.failed() {
			names = append(names, name(g))
		}
	}
	return problems.Failed(names)
}

// Guest is one guest to prepare.
type Guest[G guest] struct {
	Name string            // "coracle" or "Linux"; its flag is -skip-<name in lower case>
	Skip bool              // that flag is set
	Make func() (G, error) // builds it; returns the guest even with an error
}

// All prepares guests in order and returns them: a skipped one made by
// named, its Missing "skipped (-skip-name)"; one whose Make failed with
// Missing "not measured:" and the first line of the error, and Failed.
// Progress and errors go to logf, each guest's name followed by where
// (e.g. " (tmpfs)", or "").
func All[G guest](logf func(format string, a ...any), where string, guests []Guest[G], named func(name string) G) []G {
	var made []G
	for _, p := range guests {
		if p.Skip {
			g := named(p.Name)
			g.mark("skipped (-skip-"+strings.ToLower(p.Name)+")", false)
			made = append(made, g)
			continue
		}
		logf("preparing the %s guest%s", p.Name, where)
		g, err := p.Make()
		if err != nil {
			logf("%s%s: %v", p.Name, where, err)
			g.mark("not measured: "+console.OneLine(err.Error()), true)
		}
		made = append(made, g)
	}
	return made
}
