package filelock

import "github.com/coracle-os/coracle/kernel/abi/linux"

// Key names a locked file: the caller's identity of its inode.
type Key uint64

// Owner names who holds a lock (the caller's numbering).
type Owner int32

// Type is a lock's kind.
type Type uint8

const (
	Unlock Type = iota // no lock: what Set is given to release a range
	Read               // shared
	Write              // exclusive
)

// MaxOffset is the last byte a lock can reach (Linux's OFFSET_MAX): a
// lock that ends there covers the file however far it grows.
const MaxOffset = 1<<63 - 1

// A Lock is one owner's lock on the bytes Start to End (inclusive) of a
// file.
type Lock struct {
	Key        Key
	Owner      Owner
	Type       Type
	Start, End int64

	// seq orders the owners of a file's locks: Linux keeps a file's
	// record locks in one list, each owner's together and by start,
	// owners in the order they took their first lock, and F_GETLK
	// reports the first conflicting lock in that list.
	seq uint64
}

// conflicts reports whether a, held, keeps b from being taken: another
// owner's, on the same file, overlapping, and one of them a write lock.
// An unlock conflicts with nothing.
func conflicts(a, b *Lock) bool {
	return a.Type != Unlock && b.Type != Unlock && a.Key == b.Key && a.Owner != b.Owner &&
		(a.Type == Write || b.Type == Write) && a.Start <= b.End && b.Start <= a.End
}

// MaxRecords bounds the record locks held at once, all files and owners
// together (ENOLCK past it).
const MaxRecords = 256

// Records is the table of record locks. The zero Records holds none.
// One owner's locks on one file never overlap, and two of the same type
// never touch: Set merges them, so the table holds each owner's locks in
// the fewest ranges, as Linux does.
type Records struct {
	locks [MaxRecords]Lock // Type Unlock: a free slot
	// high bounds the slots ever used: loops stop there.
	high int
	// seq numbers the owners' groups (Lock.seq).
	seq uint64
}

// Test is F_GETLK: the lock that would keep l from being taken, and
// whether there is one. Of several it is the one Linux reports: the
// first in its list, where the owners are in the order they took their
// first lock on the file (still held), and each owner's locks by start.
func (r *Records) Test(l Lock) (Lock, bool) {
	found := -1
	for i := range r.locks[:r.high] {
		o := &r.locks[i]
		if conflicts(o, &l) && (found < 0 || before(o, &r.locks[found])) {
			found = i
		}
	}
	if found < 0 {
		return Lock{}, false
	}
	return r.locks[found], true
}

// before reports whether a comes before b in Linux's list.
func before(a, b *Lock) bool {
	return a.seq < b.seq || a.seq == b.seq && a.Start < b.Start
}

// Set is F_SETLK: l's owner takes a lock of l's type on l's range (or,
// with Unlock, gives up what it holds there). What the owner held of
// that range before is replaced: a lock it overlaps is cut back, or
// split in two when l lies inside it; locks of l's type that overlap or
// touch l merge with it. EAGAIN if another owner's lock conflicts,
// ENOLCK if the table could lack the room; either way nothing changes.
// l.Start must be at most l.End, both at least 0.
func (r *Records) Set(l Lock) linux.Errno {
	if _, busy := r.Test(l); busy {
		return linux.EAGAIN
	}
	need := 0
	if l.Type != Unlock {
		need++
	}
	l.seq = 0
	for i := range r.locks[:r.high] {
		o := &r.locks[i]
		if !r.mine(o, &l) {
			continue
		}
		l.seq = o.seq // the owner's group keeps its place
		if o.Type != l.Type && o.Start < l.Start && o.End > l.End {
			need++ // o is split in two
		}
	}
	if r.free() < need {
		return linux.ENOLCK
	}
	if l.Type != Unlock {
		for i := range r.locks[:r.high] {
			if o := &r.locks[i]; r.mine(o, &l) && o.Type == l.Type && touches(o, &l) {
				l.Start, l.End = min(l.Start, o.Start), max(l.End, o.End)
				*o = Lock{}
			}
		}
	}
	for i := range r.locks[:r.high] {
		o := &r.locks[i]
		if !r.mine(o, &l) || o.End < l.Start || o.Start > l.End {
			continue
		}
		switch {
		case o.Start < l.Start && o.End > l.End:
			right := *o
			right.Start = l.End + 1
			o.End = l.Start - 1
			r.insert(right)
		case o.Start < l.Start:
			o.End = l.Start - 1
		case o.End > l.End:
			o.Start = l.End + 1
		default:
			*o = Lock{}
		}
	}
	if l.Type != Unlock {
		if l.seq == 0 {
			r.seq++
			l.seq = r.seq
		}
		r.insert(l)
	}
	return 0
}

// Holds reports whether l's owner holds a lock on l's file that
// overlaps l's range: whether setting l may release something.
func (r *Records) Holds(l Lock) bool {
	for i := range r.locks[:r.high] {
		if o := &r.locks[i]; r.mine(o, &l) && o.Start <= l.End && l.Start <= o.End {
			return true
		}
	}
	return false
}

// mine reports whether held lock o belongs to l's owner on l's file.
func (r *Records) mine(o, l *Lock) bool {
	return o.Type != Unlock && o.Key == l.Key && o.Owner == l.Owner
}

// touches reports whether o and l overlap or are adjacent.
func touches(o, l *Lock) bool {
	return (l.End == MaxOffset || o.Start <= l.End+1) && (o.End == MaxOffset || l.Start <= o.End+1)
}

// free counts the free slots.
func (r *Records) free() int {
	n := MaxRecords - r.high
	for i := range r.locks[:r.high] {
		if r.locks[i].Type == Unlock {
			n++
		}
	}
	return n
}

// insert puts l in the first free slot (Set made sure there is one).
func (r *Records) insert(l Lock) {
	for i := range r.locks {
		if r.locks[i].Type == Unlock {
			r.locks[i] = l
			r.high = max(r.high, i+1)
			return
		}
	}
}

// DropKey removes owner's locks on file key (a POSIX lock's owner,
// the process, closing any descriptor of the file) and reports whether
// there were any.
func (r *Records) DropKey(key Key, owner Owner) bool { return r.drop(key, owner, false) }

// DropOwner removes every lock of owner (an open-file description
// released) and reports whether there were any.
func (r *Records) DropOwner(owner Owner) bool { return r.drop(0, owner, true) }

// drop removes owner's locks on key, or on every file with anyKey.
func (r *Records) drop(key Key, owner Owner, anyKey bool) bool {
	found := false
	for i := range r.locks[:r.high] {
		if o := &r.locks[i]; o.Type != Unlock && o.Owner == owner && (anyKey || o.Key == key) {
			*o = Lock{}
			found = true
		}
	}
	return found
}

// Each calls fn with every lock held, in table order.
func (r *Records) Each(fn func(Lock)) {
	for i := range r.locks[:r.high] {
		if r.locks[i].Type != Unlock {
			fn(r.locks[i])
		}
	}
}
