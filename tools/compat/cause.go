package compat

import (
	"regexp"
	"strings"
)

// explains matches, in order of preference, the lines that say why a test
// failed in a guest: the error of running another program (the kernel's
// report of the process calls it lacks says less), the kernel's own
// report of a call it lacks or a fault, then a Go panic or fatal error, then a test's timeout.
var explains = []*regexp.Regexp{
	execRun,
	regexp.MustCompile(`^coracle: `),
	regexp.MustCompile(`^(panic|fatal error): `),
	regexp.MustCompile(`not implemented|function not implemented|ENOSYS|operation not supported|no such device|invalid argument`),
}

// noise matches the lines go test and the testing package print around
// a failure that explain nothing.
var noise = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (FAIL|PASS|SKIP)|FAIL|PASS|ok |exit status|# |\s*$)`)

// maxCause bounds a cause's length in the table.
const maxCause = 200

// Cause picks the lines of a failed test's output that explain it: the
// first line that matches explains (by preference), with the line after
// a panic (its value's message may continue), or else the first two
// lines that are not go test's own framing.
func Cause(lines []string) string {
	for _, re := range explains {
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if !re.MatchString(l) {
				continue
			}
			if strings.HasPrefix(l, "panic: ") && i+1 < len(lines) && !noise.MatchString(lines[i+1]) &&
				!strings.HasPrefix(strings.TrimSpace(lines[i+1]), "goroutine ") {
				l += " " + strings.TrimSpace(lines[i+1])
			}
			return clip(l)
		}
	}
	var picked []string
	for _, l := range lines {
		if noise.MatchString(l) {
			continue
		}
		picked = append(picked, strings.TrimSpace(l))
		if len(picked) == 2 {
			break
		}
	}
	return clip(strings.Join(picked, " / "))
}

// sourcePath matches a source file's path: the module cache's, or coracle
// test's copy of a module, which differ between machines.
var sourcePath = regexp.MustCompile(`(?:[A-Za-z0-9_.@~+-]*/)+([A-Za-z0-9_.-]+\.(?:go|s):)`)

// clip drops the directories of source files' paths and shortens s to
// maxCause bytes at a rune boundary.
func clip(s string) string {
	s = sourcePath.ReplaceAllString(s, "$1")
	if len(s) <= maxCause {
		return s
	}
	cut := maxCause
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// execRun matches what a test gets when it runs another program in a
// guest: fork/exec fails (there is one program per image) or the
// program is not on the guest's PATH; execCalls, the kernel's report of
// the process calls it lacks, which come with them.
var (
	execRun   = regexp.MustCompile(`fork/exec |exec: "[^"]*": executable file not found`)
	execCalls = regexp.MustCompile(`system call (pidfd_open|waitid|wait4) `)
)

// isExec reports whether a failure's output shows that the test ran
// another program.
func isExec(lines []string) bool {
	for _, l := range lines {
		if execRun.MatchString(l) || execCalls.MatchString(l) {
			return true
		}
	}
	return false
}
