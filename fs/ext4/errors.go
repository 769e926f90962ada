package ext4

import (
	"errors"
	"fmt"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Error is what every operation of this package returns on failure: a
// message that names the object (inode, block, feature) and the Linux
// errno a system call should report for it.
type Error struct {
	Errno linux.Errno
	Msg   string
	Err   error // the device's error behind an EIO, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "ext4: " + e.Msg + ": " + e.Err.Error()
	}
	return "ext4: " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrnoOf returns the Linux errno for err: its *Error's, or EIO for any
// other error, or 0 for nil.
func ErrnoOf(err error) linux.Errno {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Errno
	}
	return linux.EIO
}

func errorf(errno linux.Errno, format string, args ...any) *Error {
	return &Error{Errno: errno, Msg: fmt.Sprintf(format, args...)}
}

// corrupt reports on-disk metadata that is inconsistent (EFSCORRUPTED,
// which Linux defines as EUCLEAN).
func corrupt(format string, args ...any) *Error {
	return errorf(linux.EUCLEAN, "corrupt: "+format, args...)
}

// badCsum reports a checksum mismatch (EFSBADCRC, which Linux defines as
// EBADMSG); what names the object whose checksum is wrong.
func badCsum(what string, stored, computed uint32) *Error {
	return errorf(linux.EBADMSG, "checksum mismatch in %s: stored %#x, computed %#x", what, stored, computed)
}

// ioError reports a failed device read.
func ioError(err error, format string, args ...any) *Error {
	return &Error{Errno: linux.EIO, Msg: fmt.Sprintf(format, args...), Err: err}
}
