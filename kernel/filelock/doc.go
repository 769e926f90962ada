// Package filelock keeps the advisory file locks of Linux: record locks
// (fcntl(2) F_SETLK and its kin, on byte ranges) and whole-file locks
// (flock(2)), with Linux's rules for who conflicts with whom, and the
// splitting, merging and replacing of one owner's ranges.
//
// The caller names files and owners. A Key is a file (an inode); an
// Owner is whoever holds a lock: for record locks the process (POSIX
// locks, fcntl F_SETLK) or an open-file description (OFD locks,
// F_OFD_SETLK), which share one table and conflict with each other as on
// Linux; for flock locks the description. Locks of one owner never
// conflict with each other: a new lock replaces what the owner held on
// its range. Locks of two owners conflict when they overlap and either
// is a write lock. Records and Whole are separate tables: flock and
// fcntl locks do not see each other, as on Linux.
//
// Nothing here waits: Set answers EAGAIN on a conflict and the caller
// decides whether to block and try again, after a lock is released.
//
// Specifications: fcntl(2) ("Advisory record locking", "Open file
// description locks"), flock(2), and Linux's fs/locks.c for what the
// man pages leave open (ranges of the same owner and type that touch
// merge; converting a flock lock gives up the old one first).
//
// Trap context: all. The tables are fixed arrays of plain values:
// nothing allocates, blocks, takes a lock or stores a pointer; the tests
// check the allocation rule.
package filelock
