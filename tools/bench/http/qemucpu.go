package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
)

// QEMU's CPU time per request: the host CPU time QEMU's process used
// (every thread: the vCPUs, the I/O thread that moves the tap device's
// frames) during a measured run, divided by the requests answered. On a
// host whose CPUs wrk and the guest share, the requests per second
// measure both the guest and how the host shared its CPUs; the CPU time
// per request is the guest's cost alone, and varies less from round to
// round.

// clockTicks is the unit of /proc/PID/stat's utime and stime
// (sysconf(_SC_CLK_TCK), 100 on every Linux this runs on).
const clockTicks = 100

// processCPU returns the CPU time process pid has used so far, user and
// system, in all its threads.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime (fields 14 and 15) from the text of
// /proc/PID/stat. The second field, the command name in parentheses,
// may hold spaces and parentheses of its own: fields are counted from
// the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc/PID/stat: no ')' after the command name in %q", stat)
	}
	fields := strings.Fields(stat[end+1:])
	// fields[0] is field 3 (the state): utime is field 14, stime 15.
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("/proc/PID/stat: %d fields after the command name, want at least %d", len(fields), stime+1)
	}
	var ticks int64
	for _, f := range fields[utime : stime+1] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("/proc/PID/stat: CPU time %q is not a count of clock ticks", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// cpuPerRequest summarizes QEMU's CPU time per request over the
// measurements that have it.
func cpuPerRequest(ms []measurement) figures.Summary {
	var per []time.Duration
	for _, m := range ms {
		if m.err == nil && m.cpuKnown && m.res.requests > 0 {
			per = append(per, m.qemuCPU/time.Duration(m.res.requests))
		}
	}
	return figures.Summarize(per)
}

// micros formats d in microseconds.
func micros(d time.Duration) string {
	return strconv.FormatInt(d.Microseconds(), 10)
}
