package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
)

// measure boots every system o.warmups times untimed, then o.runs times
// timed, one system after the other in each round so that slow drifts of
// the host touch all of them alike. A system whose boot fails is marked
// and not booted again.
func measure(ctx context.Context, qemuPath string, systems []*system, o options, logf func(string, ...any)) error {
	for i := -o.warmups; i < o.runs; i++ {
		var progress []string
		for _, s := range systems {
			if s.missing != "" {
				continue
			}
			var res bootResult
			var err error
			if s.http != nil {
				res, err = timeFirst200(ctx, qemuPath, s.http, o.timeout)
			} else {
				res, err = timeBoot(ctx, qemuPath, s.args, s.line, o.timeout)
			}
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			if err != nil {
				logf("%s: %v", s.short, err)
				s.missing, s.failed = "failed (see stderr)", true
				continue
			}
			p := s.short + " " + ms(res.elapsed, 1) + " ms"
			if res.tries > 0 {
				p += fmt.Sprintf(" (%d GETs)", res.tries)
			}
			progress = append(progress, p)
			if o.verbose && i == -o.warmups {
				logf("%s console of the first boot, up to the line:\n%s", s.short, res.console)
			}
			if i < 0 {
				continue
			}
			s.times = append(s.times, res.elapsed)
			if s.stamps {
				s.addStamps(res.console)
			}
		}
		if i < 0 {
			logf("warm-up: %s", strings.Join(progress, ", "))
		} else {
			logf("run %d/%d: %s", i+1, o.runs, strings.Join(progress, ", "))
		}
	}
	return nil
}

// addStamps records the boot stamps on a coracle console.
func (s *system) addStamps(console []byte) {
	if s.stampsMissing != "" {
		return
	}
	st, ok, err := findStamps(console)
	switch {
	case err != nil:
		s.stampsMissing = "n/a (" + err.Error() + ")"
	case !ok:
		s.stampsMissing = "n/a (kernel lacks coracle.bootstamps)"
	default:
		s.guests = append(s.guests, st)
	}
}

// summarizeStamps summarizes the guest's own boot times of s's runs.
func summarizeStamps(s *system) guestTimes {
	switch {
	case s.missing != "":
		return guestTimes{missing: "n/a (not measured)"}
	case s.stampsMissing != "":
		return guestTimes{missing: s.stampsMissing}
	}
	var toKernel, toRuntime []time.Duration
	for _, st := range s.guests {
		toKernel = append(toKernel, st.toKernelMain())
		toRuntime = append(toRuntime, st.toRuntime())
	}
	phases, phasesMissing := summarizePhases(s.guests)
	endName, toEnd := summarizeEnd(s.guests)
	return guestTimes{
		toKernelMain: figures.Summarize(toKernel), toRuntime: figures.Summarize(toRuntime),
		phases: phases, phasesMissing: phasesMissing,
		endName: endName, toEnd: toEnd,
	}
}
