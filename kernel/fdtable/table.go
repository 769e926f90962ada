package fdtable

import "github.com/coracle-os/coracle/kernel/abi/linux"

const (
	// MaxFDs is the size of the descriptor table: the highest
	// RLIMIT_NOFILE a Table allows.
	MaxFDs = 1024

	// MaxFiles is the size of the description table. Every
	// description has at least one descriptor or a hold (Hold), and
	// at most MaxHeld holds exist, so it never fills before the
	// descriptor table does (no ENFILE).
	MaxFiles = MaxFDs + MaxHeld

	// setFLMask are the status flags F_SETFL changes (fcntl(2): of
	// O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME and O_NONBLOCK, the ones
	// coracle has); the others in its argument are ignored, as Linux
	// ignores the access mode and creation flags.
	setFLMask = linux.O_APPEND | linux.O_NONBLOCK
)

// Kind says what an open file is. None marks a free description; the
// other values are the caller's.
type Kind uint8

// None is the Kind of a free description.
const None Kind = 0

// A File is an open-file description.
type File struct {
	Kind Kind
	// Obj names the kind's object (an index into the caller's table
	// of sockets, eventfds, ...).
	Obj int32
	// Flags are the access mode and status flags, as F_GETFL reports
	// them.
	Flags uint32
	// Off is the file offset, shared by every descriptor of the File.
	Off int64
	// Ident names the file itself when Obj names only this opening of
	// it (a file of a disk: its inode), for the lock tables; 0 if
	// nothing does.
	Ident uint64

	refs int32 // descriptors that point here, and holds (Hold)
}

// Refs is how many descriptors point at f, and holds on it.
func (f *File) Refs() int { return int(f.refs) }

// slot is one descriptor: the description it points at, plus one (0:
// the descriptor is free), and its close-on-exec bit.
type slot struct {
	file    int16
	cloexec bool
}

// A Table is one process's descriptors and descriptions. The zero Table
// is empty, with both RLIMIT_NOFILE limits MaxFDs.
type Table struct {
	fds   [MaxFDs]slot
	files [MaxFiles]File
	// high bounds the descriptors ever used: loops over the table stop
	// there.
	high int
	// softCut and hardCut are how far RLIMIT_NOFILE's soft and hard
	// limits are below MaxFDs (so that the zero Table has both at
	// MaxFDs).
	softCut, hardCut int
	// held counts the holds (Hold) on descriptions.
	held int
}

// Limit is the RLIMIT_NOFILE in force: descriptors are below it.
func (t *Table) Limit() int { return MaxFDs - t.softCut }

// HardLimit is RLIMIT_NOFILE's hard limit.
func (t *Table) HardLimit() int { return MaxFDs - t.hardCut }

// SetLimit sets RLIMIT_NOFILE (setrlimit(2)): EINVAL if cur is above
// max, EPERM if max is above MaxFDs (Linux's answer for a limit above
// fs.nr_open, which MaxFDs stands for; the one user is root, so the
// hard limit may go up as well as down). Descriptors already at or above
// cur stay open, as on Linux; new ones are made below it.
func (t *Table) SetLimit(cur, max uint64) linux.Errno {
	if cur > max {
		return linux.EINVAL
	}
	if max > MaxFDs {
		return linux.EPERM
	}
	t.softCut, t.hardCut = MaxFDs-int(cur), MaxFDs-int(max)
	return 0
}

// High bounds the descriptors ever used: every open descriptor is below
// it.
func (t *Table) High() int { return t.high }

// Get returns the description of descriptor fd, or nil if fd is not
// open.
func (t *Table) Get(fd uint64) *File {
	if fd >= MaxFDs || t.fds[fd].file == 0 {
		return nil
	}
	return &t.files[t.fds[fd].file-1]
}

// FileIndex returns the index of descriptor fd's description (File
// names it by this index), or -1 if fd is not open.
func (t *Table) FileIndex(fd uint64) int {
	if fd >= MaxFDs {
		return -1
	}
	return int(t.fds[fd].file) - 1
}

// File returns description i (FileIndex).
func (t *Table) File(i int) *File { return &t.files[i] }

// Refers reports whether descriptor fd points at description i.
func (t *Table) Refers(fd int, i int) bool {
	return fd >= 0 && fd < MaxFDs && int(t.fds[fd].file) == i+1
}

// Next returns the lowest open descriptor at or above fd, or -1.
func (t *Table) Next(fd int) int {
	for ; fd < t.high; fd++ {
		if fd >= 0 && t.fds[fd].file != 0 {
			return fd
		}
	}
	return -1
}

// Open makes a description of kind and obj with flags, and the lowest
// free descriptor for it: EMFILE when none is free below the limit.
func (t *Table) Open(kind Kind, obj int32, flags uint32, cloexec bool) (int, linux.Errno) {
	fd := t.free(0)
	if fd < 0 {
		return -1, linux.EMFILE
	}
	i := t.freeFile()
	if i < 0 {
		return -1, linux.ENFILE // cannot happen: see MaxFiles
	}
	t.files[i] = File{Kind: kind, Obj: obj, Flags: flags}
	t.attach(fd, i, cloexec)
	return fd, 0
}

// DupMin is dup (min 0) and fcntl F_DUPFD/F_DUPFD_CLOEXEC: a new
// descriptor, the lowest free at or above min, for old's description.
// EBADF if old is not open, EINVAL if min is at or above the limit,
// EMFILE when nothing is free.
func (t *Table) DupMin(old, min uint64, cloexec bool) (int, linux.Errno) {
	i := t.FileIndex(old)
	if i < 0 {
		return -1, linux.EBADF
	}
	if min >= uint64(t.Limit()) {
		return -1, linux.EINVAL
	}
	fd := t.free(int(min))
	if fd < 0 {
		return -1, linux.EMFILE
	}
	t.attach(fd, i, cloexec)
	return fd, 0
}

// DupTo is dup2 and dup3: descriptor new becomes a copy of old, closing
// what new held; closed is that description if new was its last
// descriptor (for the caller to release; Kind None otherwise). EBADF if
// old is not open or new is at or above the limit. With old == new it
// changes nothing (dup2's rule; dup3 answers EINVAL before calling).
func (t *Table) DupTo(old, new uint64, cloexec bool) (fd int, closed File, e linux.Errno) {
	i := t.FileIndex(old)
	if i < 0 || new >= uint64(t.Limit()) {
		return -1, File{}, linux.EBADF
	}
	if old == new {
		return int(new), File{}, 0
	}
	if t.fds[new].file != 0 {
		closed, _ = t.Close(new)
	}
	t.attach(int(new), i, cloexec)
	return int(new), closed, 0
}

// Close frees descriptor fd. If it was the description's last
// descriptor the description is freed too and returned (for the caller
// to release); otherwise closed.Kind is None. EBADF if fd is not open.
func (t *Table) Close(fd uint64) (closed File, e linux.Errno) {
	i := t.FileIndex(fd)
	if i < 0 {
		return File{}, linux.EBADF
	}
	t.fds[fd] = slot{}
	f := &t.files[i]
	f.refs--
	if f.refs > 0 {
		return File{}, 0
	}
	closed = *f
	*f = File{}
	return closed, 0
}

// CloseOnExec reports descriptor fd's FD_CLOEXEC bit (false if fd is
// not open).
func (t *Table) CloseOnExec(fd uint64) bool {
	return fd < MaxFDs && t.fds[fd].cloexec
}

// SetCloseOnExec sets descriptor fd's FD_CLOEXEC bit; EBADF if fd is not
// open.
func (t *Table) SetCloseOnExec(fd uint64, on bool) linux.Errno {
	if t.FileIndex(fd) < 0 {
		return linux.EBADF
	}
	t.fds[fd].cloexec = on
	return 0
}

// SetFL is fcntl F_SETFL on description f: O_APPEND and O_NONBLOCK take
// arg's values, every other flag stays.
func SetFL(f *File, arg uint32) {
	f.Flags = f.Flags&^setFLMask | arg&setFLMask
}

// RangeCloseOnExec sets FD_CLOEXEC on every open descriptor from first
// to last (close_range with CLOSE_RANGE_CLOEXEC).
func (t *Table) RangeCloseOnExec(first, last uint64) {
	for fd := t.Next(clampFD(first)); fd >= 0 && uint64(fd) <= last; fd = t.Next(fd + 1) {
		t.fds[fd].cloexec = true
	}
}

// clampFD turns a user descriptor number into a loop start.
func clampFD(fd uint64) int {
	return int(min(fd, MaxFDs))
}

// free returns the lowest free descriptor at or above min and below the
// limit, or -1.
func (t *Table) free(min int) int {
	for fd, n := min, t.Limit(); fd < n; fd++ {
		if t.fds[fd].file == 0 {
			return fd
		}
	}
	return -1
}

// freeFile returns a free description, or -1; there always is one
// while a descriptor is free (MaxFiles == MaxFDs + MaxHeld).
func (t *Table) freeFile() int {
	for i := range t.files {
		if t.files[i].refs == 0 {
			return i
		}
	}
	return -1
}

func (t *Table) attach(fd, i int, cloexec bool) {
	t.fds[fd] = slot{file: int16(i + 1), cloexec: cloexec}
	t.files[i].refs++
	t.high = max(t.high, fd+1)
}
