// Package probe holds what the integration probes (the programs in
// tools/integration/testdata) share: printing their lines behind the
// probe's own prefix, naming errnos, and failing. The tests compare a
// guest's lines with a native run's by that prefix, so every line a
// probe prints through a P starts with it.
//
// Host and guest: probes are built both as native Linux programs and as
// coracle images; nothing here runs in the kernel.
package probe

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// P prints one probe's lines: its value is the prefix, the probe's name,
// that each line starts with before ": ".
type P string

// Say prints "prefix: what: v", v formatted as fmt.Sprint does.
func (p P) Say(what string, v ...any) {
	fmt.Printf("%s: %s: %s\n", p, what, fmt.Sprint(v...))
}

// Printf prints "prefix: " and then format, with a newline.
func (p P) Printf(format string, args ...any) {
	fmt.Printf(string(p)+": "+format+"\n", args...)
}

// Fail prints "prefix: FAIL: " and the message, and exits with status 1:
// the probe cannot go on, and the test sees why.
func (p P) Fail(format string, args ...any) {
	p.Printf("FAIL: "+format, args...)
	os.Exit(1)
}

// Check fails the probe when err is not nil.
func (p P) Check(err error) {
	if err != nil {
		p.Fail("%v", err)
	}
}

// Errno is err's errno name (ENOENT, as errno(3) spells it), "ok" for
// nil, and the error's text for an error that carries no errno.
func Errno(err error) string {
	if err == nil {
		return "ok"
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return unix.ErrnoName(e)
	}
	return err.Error()
}

// Err is a raw system call's errno as an error: nil for 0, which
// syscall.Syscall returns on success.
func Err(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
