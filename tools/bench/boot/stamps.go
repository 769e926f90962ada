package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// stampsPrefix starts the line that the kernel parameter
// coracle.bootstamps makes the kernel print before the program starts:
//
//	coracle: bootstamps tsc_hz=<hz> entry=<tsc> page_tables=<tsc> long_mode=<tsc> kernel_main=<tsc> runtime_entry=<tsc>
//
// page_tables and long_mode are newer than the others and optional.
const stampsPrefix = "coracle: bootstamps "

// bootStamps are the guest's own TSC readings along the boot path.
type bootStamps struct {
	tscHz        uint64
	entry        uint64 // first instructions of the PVH entry point
	pageTables   uint64 // the entry stub's identity map is written (0: not stamped)
	longMode     uint64 // the stub's first 64-bit instruction (0: not stamped)
	kernelMain   uint64 // the kernel's Go code starts
	runtimeEntry uint64 // just before the Go runtime's entry point
	// phases are the ends of the kernel's boot phases, in boot order
	// (phases.go); nil when the kernel printed no bootphases line.
	phases []phaseStamp
	// run are the stamps of the runstamps line that the program's start
	// reached, in time order (phases.go); nil without that line.
	run []phaseStamp
}

// toKernelMain is the guest's time from its PVH entry to kernelMain.
func (s bootStamps) toKernelMain() time.Duration { return s.since(s.kernelMain) }

// toRuntime is the guest's time from its PVH entry to the Go runtime.
func (s bootStamps) toRuntime() time.Duration { return s.since(s.runtimeEntry) }

func (s bootStamps) since(tsc uint64) time.Duration {
	return time.Duration(float64(tsc-s.entry) / float64(s.tscHz) * float64(time.Second))
}

// findStamps returns the stamps of the bootstamps line in console, the
// guest's serial output, with the phases of the bootphases line if the
// kernel printed one. ok is false when there is no bootstamps line; err
// is non-nil when a line is there that does not parse.
func findStamps(console []byte) (s bootStamps, ok bool, err error) {
	var stampsText, phasesText, runText string
	for line := range bytes.Lines(console) {
		text := strings.TrimRight(string(line), "\r\n")
		if strings.HasPrefix(text, stampsPrefix) && stampsText == "" {
			stampsText = text
		}
		if strings.HasPrefix(text, phasesPrefix) && phasesText == "" {
			phasesText = text
		}
		if strings.HasPrefix(text, runPrefix) && runText == "" {
			runText = text
		}
	}
	if stampsText == "" {
		return bootStamps{}, false, nil
	}
	if s, err = parseStamps(strings.TrimPrefix(stampsText, stampsPrefix)); err != nil {
		return bootStamps{}, true, fmt.Errorf("%q: %w", stampsText, err)
	}
	if phasesText != "" {
		if s.phases, err = parsePhases(strings.TrimPrefix(phasesText, phasesPrefix), s); err != nil {
			return bootStamps{}, true, fmt.Errorf("%q: %w", phasesText, err)
		}
	}
	if runText != "" {
		if s.run, err = parseRunStamps(strings.TrimPrefix(runText, runPrefix), s); err != nil {
			return bootStamps{}, true, fmt.Errorf("%q: %w", runText, err)
		}
	}
	return s, true, nil
}

// parseStamps parses the words after stampsPrefix. Every field must be
// there, once, except the optional page_tables and long_mode (both or
// neither); words it does not know are ignored, so that the kernel can
// add stamps.
func parseStamps(words string) (bootStamps, error) {
	var s bootStamps
	fields := map[string]*uint64{
		"tsc_hz":        &s.tscHz,
		"entry":         &s.entry,
		"page_tables":   &s.pageTables,
		"long_mode":     &s.longMode,
		"kernel_main":   &s.kernelMain,
		"runtime_entry": &s.runtimeEntry,
	}
	optional := map[string]bool{"page_tables": true, "long_mode": true}
	seen := map[string]bool{}
	for _, w := range strings.Fields(words) {
		key, value, _ := strings.Cut(w, "=")
		p, known := fields[key]
		if !known {
			continue
		}
		if seen[key] {
			return bootStamps{}, fmt.Errorf("%s given twice", key)
		}
		seen[key] = true
		v, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return bootStamps{}, fmt.Errorf("%s: %w", key, err)
		}
		*p = v
	}
	for key := range fields {
		if !seen[key] && !optional[key] {
			return bootStamps{}, fmt.Errorf("no %s", key)
		}
	}
	if seen["page_tables"] != seen["long_mode"] {
		return bootStamps{}, fmt.Errorf("page_tables without long_mode, or the other way")
	}
	if s.tscHz == 0 {
		return bootStamps{}, fmt.Errorf("tsc_hz is 0")
	}
	if s.kernelMain < s.entry || s.runtimeEntry < s.kernelMain {
		return bootStamps{}, fmt.Errorf("stamps out of order")
	}
	if s.splitEntry() && (s.pageTables < s.entry || s.longMode < s.pageTables || s.kernelMain < s.longMode) {
		return bootStamps{}, fmt.Errorf("entry stamps out of order")
	}
	return s, nil
}

// splitEntry reports whether the line split PVH entry -> kernel_main
// with page_tables and long_mode.
func (s bootStamps) splitEntry() bool { return s.pageTables != 0 }

// end is the last stamp of the boot: the last of the runstamps line
// that the program reached, else runtime_entry; name is its name.
func (s bootStamps) end() (name string, tsc uint64) {
	if len(s.run) == 0 {
		return "runtime", s.runtimeEntry
	}
	last := s.run[len(s.run)-1]
	return last.name, last.tsc
}
