// Package fdtable is the bookkeeping of a process's descriptors as
// Linux keeps it: a descriptor table whose entries point at open-file
// descriptions, and the description table. A description (open(2)'s
// "open file description") holds what is shared by every descriptor that
// dup, dup2, dup3 or fcntl F_DUPFD made from one another: the kind of
// file and its object, the status flags and access mode (F_GETFL,
// F_SETFL) and the file offset. A descriptor holds only its own
// close-on-exec bit (F_GETFD, F_SETFD). A description is released when
// its last descriptor is closed; the caller then runs the kind's release
// (closing a socket, freeing an eventfd, ...).
//
// The package knows nothing of what a kind is: Kind values other than
// None are the caller's. It implements the allocation rules: the lowest
// free descriptor (open(2)), the lowest free one at or above a minimum
// (F_DUPFD), a given one (dup2, dup3, closing what it held), under a
// limit the caller sets (RLIMIT_NOFILE: EMFILE when nothing is free
// below it, EBADF or EINVAL for a descriptor number at or above it, as
// each call's man page says).
//
// Specifications: open(2) ("open file descriptions"), dup(2), fcntl(2)
// (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL),
// close(2), close_range(2), getrlimit(2) (RLIMIT_NOFILE).
//
// # Use
//
//	fd, errno := tab.Open(kind, obj, flags, cloexec) // open, socket, eventfd2, ...
//	f := tab.Get(fd)                                // nil: EBADF
//	fd, errno = tab.DupMin(old, min, cloexec)        // dup, F_DUPFD
//	fd, closed, errno = tab.DupTo(old, new, cloexec) // dup2, dup3
//	closed, errno = tab.Close(fd)                    // close
//	if closed.Kind != fdtable.None { release(closed) } // the last reference went
//
// Trap context: all. A Table is fixed arrays: nothing here allocates,
// blocks, takes a lock, stores a pointer or calls through a function
// value, so system calls may use all of it with interrupts off; the
// tests check the allocation rule.
package fdtable
