package devcall

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// Events is a private descriptor that counts events: an interrupt line
// or vector (OpenIRQ, OpenMSI) or a service's work (SockRegister,
// ShareRegister). Reading it takes the count since the last read, or
// fails with EAGAIN when there is none: it never blocks in the kernel.
//
// Wait reads it with RawSyscall, not through os.File.Read: a read that
// cannot block need not tell the Go scheduler it enters a system call,
// and entersyscall wakes sysmon whenever every P was idle, which is the
// usual state of a guest between two packets. Under the
// netpoller, a wait costs the goroutine nothing while no event comes.
type Events struct {
	f  *os.File
	rc syscall.RawConn
}

// newEvents makes descriptor fd, which the kernel opened non-blocking,
// an Events named name; it stays open until Close.
func newEvents(fd uintptr, name string) (*Events, error) {
	f := os.NewFile(fd, name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Events{f: f, rc: rc}, nil
}

// Wait parks the goroutine until at least one event has come since the
// last Wait, and returns how many.
func (e *Events) Wait() (uint64, error) {
	var count uint64
	var errno syscall.Errno
	err := e.rc.Read(func(fd uintptr) bool {
		var b [8]byte
		_, _, errno = syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if errno == syscall.EAGAIN {
			return false // wait for readiness, then read again
		}
		count = binary.LittleEndian.Uint64(b[:])
		return true
	})
	if err == nil && errno != 0 {
		err = errno
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", e.f.Name(), err)
	}
	return count, nil
}

// Close closes the descriptor.
func (e *Events) Close() error { return e.f.Close() }

// Name is the descriptor's name ("irq12", "socket-work", ...).
func (e *Events) Name() string { return e.f.Name() }
