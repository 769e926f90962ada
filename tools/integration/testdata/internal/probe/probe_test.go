package probe

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{syscall.ENOENT, "ENOENT"},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EACCES}, "EACCES"},
		{fmt.Errorf("wrapped: %w", syscall.EINVAL), "EINVAL"},
		{fmt.Errorf("no errno"), "no errno"},
	} {
		if got := Errno(c.err); got != c.want {
			t.Errorf("Errno(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestErr(t *testing.T) {
	if err := Err(0); err != nil {
		t.Errorf("Err(0) = %v, want nil", err)
	}
	if err := Err(syscall.EBADF); err != syscall.EBADF {
		t.Errorf("Err(EBADF) = %v", err)
	}
}
