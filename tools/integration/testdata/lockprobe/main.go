// Lockprobe exercises file locks, owners and the small metadata calls
// through golang.org/x/sys/unix in a fresh directory under its argument
// (the guest's /tmp, or the host's /dev/shm): flock, fcntl's POSIX and
// open-file-description record locks (conflicts between descriptions,
// splitting and merging, what closing a descriptor drops, waiting for a
// lock another thread releases, bad input), chown, fchown, lchown and
// fchownat, and sync, syncfs, fstatfs, fchdir and fchmod. Each line it
// prints is "lockprobe: what: result" and does not depend on where it
// runs, so the same program run natively on Linux prints the same lines.
package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"golang.org/x/sys/unix"
)

// pr prints the lines, each behind the prefix "lockprobe:".
var pr = probe.P("lockprobe")

func open(name string, flags int) int {
	fd, err := unix.Open(name, flags|unix.O_CLOEXEC, 0o644)
	pr.Check(err)
	return fd
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: lockprobe BASE")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp(os.Args[1], "lockprobe")
	pr.Check(err)
	defer os.RemoveAll(dir)
	pr.Check(os.Chdir(dir))
	unix.Umask(0o022)
	pr.Check(os.WriteFile("f", make([]byte, 50), 0o644))

	flocks()
	flockWaits()
	recordRanges()
	ofdConflicts()
	recordInput()
	recordClose()
	recordWaits()
	owners()
	metadata()
	pr.Printf("done")
}

// flock(2): locks of the open file description.
func flocks() {
	a, b := open("f", unix.O_RDWR), open("f", unix.O_RDONLY)
	defer unix.Close(a)
	defer unix.Close(b)
	pr.Say("flock a LOCK_EX", probe.Errno(unix.Flock(a, unix.LOCK_EX)))
	pr.Say("flock a LOCK_EX again", probe.Errno(unix.Flock(a, unix.LOCK_EX|unix.LOCK_NB)))
	pr.Say("flock b LOCK_EX|LOCK_NB", probe.Errno(unix.Flock(b, unix.LOCK_EX|unix.LOCK_NB)))
	pr.Say("flock b LOCK_SH|LOCK_NB", probe.Errno(unix.Flock(b, unix.LOCK_SH|unix.LOCK_NB)))
	d, err := unix.Dup(a)
	pr.Check(err)
	pr.Say("flock dup of a LOCK_EX|LOCK_NB", probe.Errno(unix.Flock(d, unix.LOCK_EX|unix.LOCK_NB)))
	pr.Say("flock dup of a LOCK_SH (downgrade)", probe.Errno(unix.Flock(d, unix.LOCK_SH)))
	pr.Say("flock b LOCK_SH|LOCK_NB beside it", probe.Errno(unix.Flock(b, unix.LOCK_SH|unix.LOCK_NB)))
	pr.Say("flock a LOCK_EX|LOCK_NB (upgrade refused)", probe.Errno(unix.Flock(a, unix.LOCK_EX|unix.LOCK_NB)))
	pr.Say("flock b LOCK_EX|LOCK_NB once a lost its lock", probe.Errno(unix.Flock(b, unix.LOCK_EX|unix.LOCK_NB)))
	pr.Say("flock a LOCK_SH|LOCK_NB", probe.Errno(unix.Flock(a, unix.LOCK_SH|unix.LOCK_NB)))
	pr.Say("flock b LOCK_UN", probe.Errno(unix.Flock(b, unix.LOCK_UN)))
	pr.Say("flock b LOCK_UN again", probe.Errno(unix.Flock(b, unix.LOCK_UN)))
	pr.Say("flock a LOCK_EX|LOCK_NB", probe.Errno(unix.Flock(a, unix.LOCK_EX|unix.LOCK_NB)))
	unix.Close(d)
	pr.Say("flock b LOCK_SH|LOCK_NB after closing a dup of a", probe.Errno(unix.Flock(b, unix.LOCK_SH|unix.LOCK_NB)))
	c := open("f", unix.O_WRONLY)
	pr.Say("flock c LOCK_EX|LOCK_NB", probe.Errno(unix.Flock(c, unix.LOCK_EX|unix.LOCK_NB)))
	unix.Close(c)
	pr.Say("flock a LOCK_EX|LOCK_NB after closing another description", probe.Errno(unix.Flock(a, unix.LOCK_EX|unix.LOCK_NB)))
	pr.Say("flock b LOCK_EX|LOCK_NB, a still holds it", probe.Errno(unix.Flock(b, unix.LOCK_EX|unix.LOCK_NB)))

	// flock and fcntl locks do not see each other.
	lk := unix.Flock_t{Type: unix.F_RDLCK}
	pr.Say("OFD read lock on b beside a's flock", probe.Errno(unix.FcntlFlock(uintptr(b), unix.F_OFD_SETLK, &lk)))
	lk.Type = unix.F_UNLCK
	pr.Check(unix.FcntlFlock(uintptr(b), unix.F_OFD_SETLK, &lk))

	// Bad input.
	pr.Say("flock op 0", probe.Errno(unix.Flock(a, 0)))
	pr.Say("flock LOCK_SH|LOCK_EX", probe.Errno(unix.Flock(a, unix.LOCK_SH|unix.LOCK_EX)))
	pr.Say("flock LOCK_NB alone", probe.Errno(unix.Flock(a, unix.LOCK_NB)))
	pr.Say("flock closed descriptor", probe.Errno(unix.Flock(999, unix.LOCK_SH)))
	pr.Say("flock closed descriptor, bad op", probe.Errno(unix.Flock(999, 0)))
	p := open("f", unix.O_PATH)
	pr.Say("flock O_PATH", probe.Errno(unix.Flock(p, unix.LOCK_SH)))
	unix.Close(p)
	pr.Say("flock LOCK_MAND (ignored)", probe.Errno(unix.Flock(a, 32|unix.LOCK_SH)))
	var pfd [2]int
	pr.Check(unix.Pipe2(pfd[:], unix.O_CLOEXEC))
	pr.Say("flock pipe read end LOCK_EX", probe.Errno(unix.Flock(pfd[0], unix.LOCK_EX)))
	pr.Say("flock pipe write end LOCK_EX|LOCK_NB", probe.Errno(unix.Flock(pfd[1], unix.LOCK_EX|unix.LOCK_NB)))
	unix.Close(pfd[0])
	unix.Close(pfd[1])
}

// waitFor runs call on another thread while the lock it needs is held,
// says whether it was still waiting after a while, then runs release and
// says whether the call then finished and how.
func waitFor(what string, call func() error, release func()) {
	var done atomic.Bool
	res := make(chan error, 1)
	go func() {
		err := call()
		done.Store(true)
		res <- err
	}()
	time.Sleep(300 * time.Millisecond)
	pr.Say(what+": waiting while held", !done.Load())
	release()
	select {
	case err := <-res:
		pr.Say(what+": after the release", probe.Errno(err))
	case <-time.After(20 * time.Second):
		pr.Say(what+": after the release", "still waiting")
	}
}

func flockWaits() {
	a, b := open("f", unix.O_RDWR), open("f", unix.O_RDWR)
	defer unix.Close(b)
	pr.Check(unix.Flock(a, unix.LOCK_SH))
	waitFor("flock LOCK_EX behind a shared lock", func() error { return unix.Flock(b, unix.LOCK_EX) },
		func() { pr.Check(unix.Flock(a, unix.LOCK_UN)) })
	waitFor("flock LOCK_SH behind an exclusive lock", func() error { return unix.Flock(a, unix.LOCK_SH) },
		func() { pr.Check(unix.Close(b)) })
	unix.Close(a)
}

// lockMap describes, byte by byte from 0 to n-1, the lock that a write
// lock on that byte through description fd would meet: "-" for none,
// else the record F_OFD_GETLK reports (type, start, length, 0 to the
// end, and "pid" if it is the process's, "ofd" if a description's).
func lockMap(fd, n int) string {
	var out []string
	last := ""
	for i := range n {
		lk := unix.Flock_t{Type: unix.F_WRLCK, Start: int64(i), Len: 1}
		if err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_GETLK, &lk); err != nil {
			return probe.Errno(err)
		}
		s := "-"
		if lk.Type != unix.F_UNLCK {
			owner := "ofd"
			if lk.Pid == int32(os.Getpid()) {
				owner = "pid"
			} else if lk.Pid != -1 {
				owner = fmt.Sprint("pid ", lk.Pid)
			}
			s = fmt.Sprintf("%s%d+%d/%s", "RW"[lk.Type:lk.Type+1], lk.Start, lk.Len, owner)
			if lk.Whence != unix.SEEK_SET {
				s += "/whence"
			}
		}
		if s != last {
			out = append(out, fmt.Sprintf("%d:%s", i, s))
			last = s
		}
	}
	return strings.Join(out, " ")
}

func setlk(fd, cmd int, typ int16, whence int16, start, length int64) error {
	lk := unix.Flock_t{Type: typ, Whence: whence, Start: start, Len: length}
	return unix.FcntlFlock(uintptr(fd), cmd, &lk)
}

// POSIX locks of the one process: replaced, split and merged, seen from
// another description with F_OFD_GETLK.
func recordRanges() {
	a, b, viewer := open("f", unix.O_RDWR), open("f", unix.O_RDWR), open("f", unix.O_RDONLY)
	defer unix.Close(viewer)
	step := func(what string, fd int, typ int16, start, length int64) {
		err := setlk(fd, unix.F_SETLK, typ, unix.SEEK_SET, start, length)
		pr.Say("posix "+what, probe.Errno(err)+" "+lockMap(viewer, 32))
	}
	step("write 0-19", a, unix.F_WRLCK, 0, 20)
	step("read 5-9 splits it", a, unix.F_RDLCK, 5, 5)
	step("unlock 15-16", a, unix.F_UNLCK, 15, 2)
	step("write 5-9 through another description merges", b, unix.F_WRLCK, 5, 5)
	step("read 25 to the end", a, unix.F_RDLCK, 25, 0)
	step("read 20-24 joins the reads", a, unix.F_RDLCK, 20, 5)
	step("unlock 12 to the end", b, unix.F_UNLCK, 12, 0)
	step("read 10-11 touching a write", a, unix.F_RDLCK, 10, 2)
	step("write 3-4 inside a write", a, unix.F_WRLCK, 3, 2)
	lk := unix.Flock_t{Type: unix.F_WRLCK, Len: 0}
	pr.Check(unix.FcntlFlock(uintptr(b), unix.F_GETLK, &lk))
	pr.Say("posix F_GETLK sees its own locks as", fmt.Sprint(lk.Type == unix.F_UNLCK, lk.Start, lk.Len))
	lk = unix.Flock_t{Type: unix.F_WRLCK, Start: 7, Len: 3}
	pr.Check(unix.FcntlFlock(uintptr(b), unix.F_SETLK, &lk))
	pr.Say("posix write over its own locks", lockMap(viewer, 16))
	unix.Close(a)
	pr.Say("posix locks after closing one descriptor of the file", lockMap(viewer, 16))
	unix.Close(b)
}

// OFD locks: owned by the description, conflicting between descriptions
// and with the process's POSIX locks.
func ofdConflicts() {
	a, b, c, viewer := open("f", unix.O_RDWR), open("f", unix.O_RDWR), open("f", unix.O_RDWR), open("f", unix.O_RDONLY)
	defer unix.Close(viewer)
	pr.Say("ofd a write 0-9", probe.Errno(setlk(a, unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 10)))
	pr.Say("ofd b read 5", probe.Errno(setlk(b, unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 5, 1)))
	pr.Say("ofd b read 10-19", probe.Errno(setlk(b, unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 10, 10)))
	pr.Say("ofd c read 12-13 beside b's read", probe.Errno(setlk(c, unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 12, 2)))
	d, err := unix.Dup(a)
	pr.Check(err)
	pr.Say("ofd dup of a write 0-19 meets b", probe.Errno(setlk(d, unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 20)))
	pr.Say("ofd dup of a read 3-4 in its own write", probe.Errno(setlk(d, unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 3, 2)))
	pr.Say("ofd map", lockMap(viewer, 24))
	pr.Say("posix write 5 meets a's OFD lock", probe.Errno(setlk(c, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 5, 1)))
	pr.Say("posix write 30-39", probe.Errno(setlk(c, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 30, 10)))
	pr.Say("ofd b read 35 meets the POSIX lock", probe.Errno(setlk(b, unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 35, 1)))
	lk := unix.Flock_t{Type: unix.F_RDLCK, Start: 0, Len: 0}
	pr.Check(unix.FcntlFlock(uintptr(c), unix.F_GETLK, &lk))
	pr.Say("posix F_GETLK read from 0 sees", fmt.Sprint(lk.Type, lk.Whence, lk.Start, lk.Len, lk.Pid))
	lk = unix.Flock_t{Type: unix.F_WRLCK, Start: 30, Len: 1}
	pr.Check(unix.FcntlFlock(uintptr(b), unix.F_OFD_GETLK, &lk))
	pr.Say("ofd F_OFD_GETLK at 30 sees the process", fmt.Sprint(lk.Type, lk.Start, lk.Len, lk.Pid == int32(os.Getpid())))
	lk = unix.Flock_t{Type: unix.F_WRLCK, Whence: unix.SEEK_CUR, Start: 45, Len: 3}
	pr.Check(unix.FcntlFlock(uintptr(b), unix.F_OFD_GETLK, &lk))
	pr.Say("ofd F_OFD_GETLK where nothing is locked", fmt.Sprint(lk.Type, lk.Whence, lk.Start, lk.Len, lk.Pid))
	pr.Say("ofd with l_pid set", probe.Errno(unix.FcntlFlock(uintptr(b), unix.F_OFD_SETLK, &unix.Flock_t{Type: unix.F_RDLCK, Start: 40, Len: 1, Pid: 1})))
	pr.Say("ofd F_OFD_GETLK with l_pid set", probe.Errno(unix.FcntlFlock(uintptr(b), unix.F_OFD_GETLK, &unix.Flock_t{Type: unix.F_RDLCK, Pid: 1})))
	unix.Close(a)
	pr.Say("ofd after closing a (its dup keeps the lock)", lockMap(viewer, 12))
	unix.Close(d)
	pr.Say("ofd after closing the dup too", lockMap(viewer, 12))
	unix.Close(b)
	unix.Close(c)
	pr.Say("all gone", lockMap(viewer, 48))
}

// Ranges from l_whence, negative lengths and Linux's errors.
func recordInput() {
	a, viewer := open("f", unix.O_RDWR), open("f", unix.O_RDONLY)
	defer unix.Close(viewer)
	defer unix.Close(a)
	try := func(what string, fd, cmd int, typ, whence int16, start, length int64) {
		err := setlk(fd, cmd, typ, whence, start, length)
		m := ""
		if err == nil && cmd != unix.F_GETLK {
			m = " " + lockMap(viewer, 60)
			pr.Check(setlk(fd, unix.F_SETLK, unix.F_UNLCK, unix.SEEK_SET, 0, 0))
			pr.Check(setlk(fd, unix.F_OFD_SETLK, unix.F_UNLCK, unix.SEEK_SET, 0, 0))
		}
		pr.Say(what, probe.Errno(err)+m)
	}
	try("negative length", a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 10, -5)
	try("negative length to before 0", a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 3, -5)
	try("negative start", a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, -1, 5)
	_, err := unix.Seek(a, 20, unix.SEEK_SET)
	pr.Check(err)
	try("SEEK_CUR -5", a, unix.F_SETLK, unix.F_RDLCK, unix.SEEK_CUR, -5, 3)
	try("SEEK_CUR -21", a, unix.F_SETLK, unix.F_RDLCK, unix.SEEK_CUR, -21, 3)
	try("SEEK_END -10 to the end", a, unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_END, -10, 0)
	try("SEEK_END -3 length -4", a, unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_END, -3, -4)
	try("whence 3", a, unix.F_SETLK, unix.F_WRLCK, 3, 0, 1)
	try("type 3", a, unix.F_SETLK, 3, unix.SEEK_SET, 0, 1)
	try("type 3, whence 3", a, unix.F_SETLK, 3, 3, 0, 1)
	try("start past the largest offset", a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_CUR, math.MaxInt64, 1)
	try("length past the largest offset", a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 10, math.MaxInt64)
	try("length to the largest offset", a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 10, math.MaxInt64-10)
	try("F_GETLK of F_UNLCK", a, unix.F_GETLK, unix.F_UNLCK, unix.SEEK_SET, 0, 1)
	try("F_OFD_GETLK of type 7", a, unix.F_OFD_GETLK, 7, unix.SEEK_SET, 0, 1)
	r, w := open("f", unix.O_RDONLY), open("f", unix.O_WRONLY)
	try("write lock on O_RDONLY", r, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 1)
	try("ofd write lock on O_RDONLY", r, unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 1)
	try("read lock on O_WRONLY", w, unix.F_SETLK, unix.F_RDLCK, unix.SEEK_SET, 0, 1)
	try("unlock on O_RDONLY", r, unix.F_SETLK, unix.F_UNLCK, unix.SEEK_SET, 0, 1)
	try("whence 3 on O_RDONLY write lock", r, unix.F_SETLK, unix.F_WRLCK, 3, 0, 1)
	try("F_GETLK write on O_RDONLY", r, unix.F_GETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 1)
	unix.Close(r)
	unix.Close(w)
	p := open("f", unix.O_PATH)
	try("O_PATH", p, unix.F_SETLK, unix.F_RDLCK, unix.SEEK_SET, 0, 1)
	try("O_PATH F_GETLK", p, unix.F_GETLK, unix.F_RDLCK, unix.SEEK_SET, 0, 1)
	unix.Close(p)
	try("closed descriptor", 999, unix.F_SETLK, unix.F_RDLCK, unix.SEEK_SET, 0, 1)
	_, _, e := unix.Syscall(unix.SYS_FCNTL, uintptr(a), unix.F_SETLK, 8)
	pr.Say("struct flock at a bad address", probe.Errno(probe.Err(e)))
	_, _, e = unix.Syscall(unix.SYS_FCNTL, uintptr(a), unix.F_GETLK, 8)
	pr.Say("F_GETLK at a bad address", probe.Errno(probe.Err(e)))
	var pfd [2]int
	pr.Check(unix.Pipe2(pfd[:], unix.O_CLOEXEC))
	pr.Say("ofd write lock on a pipe's write end", probe.Errno(setlk(pfd[1], unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 0)))
	pr.Say("ofd read lock on its read end", probe.Errno(setlk(pfd[0], unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 0, 0)))
	pr.Say("ofd write lock on its read end", probe.Errno(setlk(pfd[0], unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 0)))
	unix.Close(pfd[0])
	unix.Close(pfd[1])
}

// What closing descriptors drops.
func recordClose() {
	a, viewer := open("f", unix.O_RDWR), open("f", unix.O_RDONLY)
	defer unix.Close(viewer)
	pr.Check(setlk(a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 4))
	pr.Check(setlk(a, unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 8, 4))
	pr.Check(os.WriteFile("g", nil, 0o644))
	g := open("g", unix.O_RDWR)
	unix.Close(g)
	pr.Say("close a descriptor of another file", lockMap(viewer, 12))
	x := open("f", unix.O_RDONLY)
	unix.Close(x)
	pr.Say("close another description of the file", lockMap(viewer, 12))
	pr.Check(setlk(a, unix.F_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 4))
	d, err := unix.Dup(a)
	pr.Check(err)
	pr.Check(unix.Dup2(viewer, d)) // dup2 over a descriptor of the file closes it
	pr.Say("dup2 over a descriptor of the file", lockMap(viewer, 12))
	unix.Close(d)
	pr.Say("after closing the dup of probe", lockMap(viewer, 12))
	unix.Close(a)
	pr.Say("after closing a", lockMap(viewer, 12))
}

// Blocking record locks wait for another thread's release.
func recordWaits() {
	a, b, c := open("f", unix.O_RDWR), open("f", unix.O_RDWR), open("f", unix.O_RDWR)
	pr.Check(setlk(a, unix.F_OFD_SETLK, unix.F_WRLCK, unix.SEEK_SET, 0, 10))
	waitFor("F_OFD_SETLKW behind a write lock", func() error {
		return setlk(b, unix.F_OFD_SETLKW, unix.F_RDLCK, unix.SEEK_SET, 5, 10)
	}, func() { pr.Check(setlk(a, unix.F_OFD_SETLK, unix.F_RDLCK, unix.SEEK_SET, 0, 10)) })
	waitFor("F_SETLKW behind an OFD read lock", func() error {
		return setlk(c, unix.F_SETLKW, unix.F_WRLCK, unix.SEEK_SET, 8, 1)
	}, func() {
		pr.Check(unix.Close(a))
		time.Sleep(100 * time.Millisecond)
		pr.Check(setlk(b, unix.F_OFD_SETLK, unix.F_UNLCK, unix.SEEK_SET, 0, 0))
	})
	pr.Say("F_SETLKW with nothing in the way", probe.Errno(setlk(c, unix.F_SETLKW, unix.F_RDLCK, unix.SEEK_SET, 0, 0)))
	unix.Close(b)
	unix.Close(c)
}

func ids(name string) string {
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return probe.Errno(err)
	}
	return fmt.Sprintf("%d:%d %#o", st.Uid, st.Gid, st.Mode&0o7777)
}

func rawChown(nr uintptr, path string, uid, gid int) error {
	p, err := unix.BytePtrFromString(path)
	pr.Check(err)
	_, _, e := unix.Syscall(nr, uintptr(unsafe.Pointer(p)), uintptr(uid), uintptr(gid))
	return probe.Err(e)
}

func owners() {
	pr.Check(os.WriteFile("o", nil, 0o644))
	pr.Check(os.Symlink("o", "l"))
	pr.Check(os.Mkdir("d", 0o755))
	pr.Say("new file", ids("o"))
	pr.Say("chown 1000:2000", probe.Errno(rawChown(unix.SYS_CHOWN, "o", 1000, 2000))+" "+ids("o"))
	pr.Say("chown -1:3000", probe.Errno(rawChown(unix.SYS_CHOWN, "o", -1, 3000))+" "+ids("o"))
	pr.Say("chown 4000:-1 through the link", probe.Errno(rawChown(unix.SYS_CHOWN, "l", 4000, -1))+" "+ids("o")+" link "+ids("l"))
	pr.Say("lchown 5:6", probe.Errno(rawChown(unix.SYS_LCHOWN, "l", 5, 6))+" "+ids("o")+" link "+ids("l"))
	pr.Say("chown missing", probe.Errno(rawChown(unix.SYS_CHOWN, "nope", 1, 1)))
	pr.Say("chown through a file", probe.Errno(rawChown(unix.SYS_CHOWN, "o/x", 1, 1)))
	pr.Say("chown large IDs", probe.Errno(rawChown(unix.SYS_CHOWN, "o", 1<<31, 0xfffffffe))+" "+ids("o"))
	for _, mode := range []uint32{0o4755, 0o2755, 0o2745, 0o6777, 0o1755} {
		pr.Check(os.Chmod("o", os.FileMode(mode&0o777)|modeBits(mode)))
		before := ids("o")
		pr.Say(fmt.Sprintf("chown -1:-1 of mode %#o", mode), probe.Errno(rawChown(unix.SYS_CHOWN, "o", -1, -1))+" "+before+" -> "+ids("o"))
	}
	pr.Check(unix.Chmod("d", 0o6755))
	pr.Say("chown directory with set-ID bits", probe.Errno(rawChown(unix.SYS_CHOWN, "d", 7, 8))+" "+ids("d"))

	fd := open("o", unix.O_RDWR)
	pr.Check(unix.Fchmod(fd, 0o4711))
	pr.Say("fchown 9:10", probe.Errno(unix.Fchown(fd, 9, 10))+" "+ids("o"))
	p := open("o", unix.O_PATH)
	pr.Say("fchown O_PATH", probe.Errno(unix.Fchown(p, 1, 1)))
	pr.Say("fchownat AT_EMPTY_PATH on O_PATH", probe.Errno(unix.Fchownat(p, "", 11, 12, unix.AT_EMPTY_PATH))+" "+ids("o"))
	pr.Say("fchownat empty path without AT_EMPTY_PATH", probe.Errno(unix.Fchownat(p, "", 1, 1, 0)))
	unix.Close(p)
	unix.Close(fd)
	pr.Say("fchown closed descriptor", probe.Errno(unix.Fchown(999, 1, 1)))
	dfd := open("d", unix.O_RDONLY|unix.O_DIRECTORY)
	pr.Say("fchownat from a directory", probe.Errno(unix.Fchownat(dfd, "../o", 13, 14, 0))+" "+ids("o"))
	pr.Say("fchownat AT_SYMLINK_NOFOLLOW", probe.Errno(unix.Fchownat(dfd, "../l", 15, 16, unix.AT_SYMLINK_NOFOLLOW))+" link "+ids("l")+" file "+ids("o"))
	pr.Say("fchownat bad flags", probe.Errno(unix.Fchownat(dfd, "../o", 1, 1, 0x2)))
	pr.Say("fchownat closed dirfd", probe.Errno(unix.Fchownat(999, "o", 1, 1, 0)))
	pr.Say("fchownat closed dirfd, empty path", probe.Errno(unix.Fchownat(999, "", 1, 1, 0)))
	pr.Say("fchownat closed dirfd, AT_EMPTY_PATH", probe.Errno(unix.Fchownat(999, "", 1, 1, unix.AT_EMPTY_PATH)))
	unix.Close(dfd)
	pr.Say("fchownat AT_FDCWD empty path", probe.Errno(unix.Fchownat(unix.AT_FDCWD, "", 17, 18, unix.AT_EMPTY_PATH))+" "+ids("."))
	var pfd [2]int
	pr.Check(unix.Pipe2(pfd[:], unix.O_CLOEXEC))
	pr.Say("fchown pipe", probe.Errno(unix.Fchown(pfd[0], -1, -1)))
	unix.Close(pfd[0])
	unix.Close(pfd[1])
}

// modeBits turns the set-ID and sticky bits of mode into os.FileMode's.
func modeBits(mode uint32) os.FileMode {
	var m os.FileMode
	if mode&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if mode&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if mode&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}

func metadata() {
	unix.Sync()
	pr.Say("sync", "ok")
	fd := open("f", unix.O_RDONLY)
	pr.Say("syncfs", probe.Errno(unix.Syncfs(fd)))
	pr.Say("syncfs closed descriptor", probe.Errno(unix.Syncfs(999)))
	p := open("f", unix.O_PATH)
	pr.Say("syncfs O_PATH", probe.Errno(unix.Syncfs(p)))
	var pfd [2]int
	pr.Check(unix.Pipe2(pfd[:], unix.O_CLOEXEC))
	pr.Say("syncfs pipe", probe.Errno(unix.Syncfs(pfd[0])))

	var fs unix.Statfs_t
	err := unix.Fstatfs(fd, &fs)
	pr.Say("fstatfs file", fmt.Sprintln(probe.Errno(err), fs.Type == unix.TMPFS_MAGIC, fs.Bsize, fs.Namelen))
	err = unix.Fstatfs(p, &fs)
	pr.Say("fstatfs O_PATH", fmt.Sprintln(probe.Errno(err), fs.Type == unix.TMPFS_MAGIC))
	fs = unix.Statfs_t{}
	err = unix.Fstatfs(pfd[0], &fs)
	pr.Say("fstatfs pipe", fmt.Sprintln(probe.Errno(err), fs.Type == unix.PIPEFS_MAGIC))
	pr.Say("fstatfs closed descriptor", probe.Errno(unix.Fstatfs(999, &fs)))
	unix.Close(pfd[0])
	unix.Close(pfd[1])

	pr.Say("fchmod 0604", probe.Errno(unix.Fchmod(fd, 0o604))+" "+ids("f"))
	pr.Say("fchmod with set-ID and file-type bits", probe.Errno(unix.Fchmod(fd, 0o176755))+" "+ids("f"))
	pr.Say("fchmod O_PATH", probe.Errno(unix.Fchmod(p, 0o600)))
	pr.Say("fchmod closed descriptor", probe.Errno(unix.Fchmod(999, 0o600)))

	pr.Check(os.MkdirAll("d/e", 0o755))
	here, err := os.Getwd()
	pr.Check(err)
	dfd := open("d/e", unix.O_RDONLY|unix.O_DIRECTORY)
	pr.Say("fchdir", probe.Errno(unix.Fchdir(dfd)))
	wd, err := os.Getwd()
	pr.Check(err)
	pr.Say("cwd after fchdir", strings.TrimPrefix(wd, filepath.Dir(here)+"/")[len(filepath.Base(here)):])
	unix.Close(dfd)
	pd := open("..", unix.O_PATH|unix.O_DIRECTORY)
	pr.Say("fchdir O_PATH directory", probe.Errno(unix.Fchdir(pd)))
	unix.Close(pd)
	wd, err = os.Getwd()
	pr.Check(err)
	pr.Say("cwd after that", wd == filepath.Join(here, "d"))
	pr.Say("fchdir file", probe.Errno(unix.Fchdir(fd)))
	pr.Say("fchdir closed descriptor", probe.Errno(unix.Fchdir(999)))
	pr.Check(os.Chdir(here))
	unix.Close(p)
	unix.Close(fd)
}
