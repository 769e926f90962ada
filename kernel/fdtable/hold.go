package fdtable

import "github.com/coracle-os/coracle/kernel/abi/linux"

// MaxHeld bounds the holds on descriptions at once: descriptions in
// flight in SCM_RIGHTS messages, which no descriptor points at until
// the receiver installs them.
const MaxHeld = 256

// Hold takes a reference to descriptor fd's description that no
// descriptor makes (unix(7)'s SCM_RIGHTS: the description stays open
// while the message carrying it is in flight, whatever the sender
// closes) and returns the description's index. EBADF if fd is not
// open, ETOOMANYREFS past MaxHeld holds.
func (t *Table) Hold(fd uint64) (int, linux.Errno) {
	i := t.FileIndex(fd)
	switch {
	case i < 0:
		return -1, linux.EBADF
	case t.held >= MaxHeld:
		return -1, linux.ETOOMANYREFS
	}
	t.files[i].refs++
	t.held++
	return i, 0
}

// Install gives held description i the lowest free descriptor; the
// hold becomes that descriptor's reference. EMFILE when none is free
// (the hold stays).
func (t *Table) Install(i int, cloexec bool) (int, linux.Errno) {
	fd := t.free(0)
	if fd < 0 {
		return -1, linux.EMFILE
	}
	t.attach(fd, i, cloexec)
	t.files[i].refs--
	t.held--
	return fd, 0
}

// Drop gives up a hold on description i. If that was its last reference
// the description is freed and returned (for the caller to release);
// otherwise closed.Kind is None.
func (t *Table) Drop(i int) (closed File) {
	f := &t.files[i]
	f.refs--
	t.held--
	if f.refs > 0 {
		return File{}
	}
	closed = *f
	*f = File{}
	return closed
}
