package filelock

import "github.com/coracle-os/coracle/kernel/abi/linux"

// MaxWhole bounds the flock locks held at once (ENOLCK past it).
const MaxWhole = 256

// wholeLock is one owner's flock lock on a file.
type wholeLock struct {
	key   Key
	owner Owner
	typ   Type // Unlock: a free slot
}

// Whole is the table of whole-file locks (flock). The zero Whole holds
// none. An owner holds at most one lock on a file.
type Whole struct {
	locks [MaxWhole]wholeLock
	high  int
}

// Set is flock: owner takes a lock of typ on file key, or with Unlock
// gives up the one it holds. As Linux does, a lock of another type that
// owner holds is given up first, so a conversion that finds a conflict
// leaves owner with no lock at all; a lock of the same type is kept and
// Set answers 0. EAGAIN (EWOULDBLOCK) if another owner holds a write
// lock, or typ is Write and another owner holds any lock; ENOLCK if the
// table is full.
func (w *Whole) Set(key Key, owner Owner, typ Type) linux.Errno {
	for i := range w.locks[:w.high] {
		if o := &w.locks[i]; o.typ != Unlock && o.key == key && o.owner == owner {
			if o.typ == typ {
				return 0
			}
			*o = wholeLock{}
			break
		}
	}
	if typ == Unlock {
		return 0
	}
	free := -1
	for i := range w.locks {
		o := &w.locks[i]
		if o.typ == Unlock {
			if free < 0 {
				free = i
			}
			if i >= w.high {
				break
			}
			continue
		}
		if o.key == key && (o.typ == Write || typ == Write) {
			return linux.EAGAIN
		}
	}
	if free < 0 {
		return linux.ENOLCK
	}
	w.locks[free] = wholeLock{key, owner, typ}
	w.high = max(w.high, free+1)
	return 0
}

// Held returns the type of lock owner holds on key (Unlock: none).
func (w *Whole) Held(key Key, owner Owner) Type {
	for i := range w.locks[:w.high] {
		if o := &w.locks[i]; o.typ != Unlock && o.key == key && o.owner == owner {
			return o.typ
		}
	}
	return Unlock
}

// DropOwner removes owner's locks (an open-file description released)
// and reports whether there were any.
func (w *Whole) DropOwner(owner Owner) bool {
	found := false
	for i := range w.locks[:w.high] {
		if o := &w.locks[i]; o.typ != Unlock && o.owner == owner {
			*o = wholeLock{}
			found = true
		}
	}
	return found
}
