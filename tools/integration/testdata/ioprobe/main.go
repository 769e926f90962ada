// Ioprobe exercises the file I/O calls beyond read and write in a fresh
// directory under its first argument (the guest's /tmp, or the host's
// /dev/shm): statx, preadv, pwritev, preadv2, pwritev2, sendfile,
// copy_file_range, fallocate, openat2, O_TMPFILE with linkat, and
// RLIMIT_FSIZE, with the errors Linux gives for bad input. Each line it
// prints is "ioprobe: what: result" and does not depend on where it
// runs, so the same program run natively on Linux prints the same lines.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"time"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"golang.org/x/sys/unix"
)

// pr prints the lines, each behind the prefix "ioprobe:".
var pr = probe.P("ioprobe")

// badAddr is an address no program maps.
const badAddr = uintptr(8)

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: ioprobe BASE")
		os.Exit(2)
	}
	unix.Umask(0o022)
	base, err := os.MkdirTemp(os.Args[1], "ioprobe")
	pr.Check(err)
	pr.Check(os.Chdir(base))
	statx()
	vectored()
	sendfile()
	copyFileRange()
	fallocate()
	openat2(base)
	tmpfile()
	fsizeLimit()
	pr.Check(os.Chdir(os.Args[1]))
	pr.Check(os.RemoveAll(base))
	pr.Printf("done")
}

func create(name, data string) int {
	pr.Check(os.WriteFile(name, []byte(data), 0o644))
	fd, err := unix.Open(name, unix.O_RDWR, 0)
	pr.Check(err)
	return fd
}

func statx() {
	fd := create("s.txt", "hello, statx\n")
	defer unix.Close(fd)
	var sx unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, "s.txt", 0, unix.STATX_BASIC_STATS, &sx)
	var st unix.Stat_t
	pr.Check(unix.Stat("s.txt", &st))
	pr.Say("statx file", probe.Errno(err), fmt.Sprintf(" mask %#x mode %o nlink %d size %d blocks %d blksize %d attrs %#x attrmask %#x",
		sx.Mask&^unix.STATX_BTIME, sx.Mode, sx.Nlink, sx.Size, sx.Blocks, sx.Blksize, sx.Attributes, sx.Attributes_mask))
	pr.Say("statx agrees with stat", sx.Ino == st.Ino && unix.Mkdev(sx.Dev_major, sx.Dev_minor) == st.Dev &&
		sx.Mtime.Sec == st.Mtim.Sec && int64(sx.Mtime.Nsec) == st.Mtim.Nsec && int64(sx.Ctime.Nsec) == st.Ctim.Nsec &&
		int64(sx.Atime.Nsec) == st.Atim.Nsec)
	err = unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_STATX_DONT_SYNC, unix.STATX_ALL, &sx)
	pr.Say("statx fd AT_EMPTY_PATH", probe.Errno(err), fmt.Sprintf(" mask %#x size %d", sx.Mask&^unix.STATX_BTIME, sx.Size))
	_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(fd), 0, unix.AT_EMPTY_PATH, unix.STATX_SIZE, uintptr(unsafe.Pointer(&sx)), 0)
	pr.Say("statx NULL path AT_EMPTY_PATH", probe.Errno(probe.Err(e)), " size ", sx.Size)
	err = unix.Statx(unix.AT_FDCWD, ".", unix.AT_STATX_FORCE_SYNC, unix.STATX_TYPE, &sx)
	pr.Say("statx dir", probe.Errno(err), fmt.Sprintf(" mode %o attrs %#x", sx.Mode, sx.Attributes))
	pr.Check(os.Symlink("s.txt", "s.lnk"))
	err = unix.Statx(unix.AT_FDCWD, "s.lnk", unix.AT_SYMLINK_NOFOLLOW, unix.STATX_BASIC_STATS, &sx)
	pr.Say("statx link NOFOLLOW", probe.Errno(err), fmt.Sprintf(" mode %o size %d", sx.Mode, sx.Size))
	err = unix.Statx(unix.AT_FDCWD, "s.lnk", unix.AT_NO_AUTOMOUNT, unix.STATX_BASIC_STATS, &sx)
	pr.Say("statx link", probe.Errno(err), fmt.Sprintf(" mode %o size %d", sx.Mode, sx.Size))
	err = unix.Statx(unix.AT_FDCWD, "/dev/null", 0, unix.STATX_BASIC_STATS, &sx)
	pr.Say("statx /dev/null", probe.Errno(err), fmt.Sprintf(" mode %o rdev %d:%d", sx.Mode, sx.Rdev_major, sx.Rdev_minor))
	var p [2]int
	pr.Check(unix.Pipe(p[:]))
	err = unix.Statx(p[0], "", unix.AT_EMPTY_PATH, unix.STATX_BASIC_STATS, &sx)
	pr.Say("statx pipe", probe.Errno(err), fmt.Sprintf(" mask %#x mode %o", sx.Mask&^unix.STATX_BTIME, sx.Mode))
	unix.Close(p[0])
	unix.Close(p[1])
	for _, c := range []struct {
		what        string
		dirfd       int
		path        string
		flags, mask int
	}{
		{"STATX__RESERVED", unix.AT_FDCWD, "s.txt", 0, unix.STATX__RESERVED},
		{"both sync flags", unix.AT_FDCWD, "s.txt", unix.AT_STATX_FORCE_SYNC | unix.AT_STATX_DONT_SYNC, 0},
		{"unknown flag", unix.AT_FDCWD, "s.txt", 1, 0},
		{"AT_REMOVEDIR", unix.AT_FDCWD, "s.txt", unix.AT_REMOVEDIR, 0},
		{"empty path", unix.AT_FDCWD, "", 0, 0},
		{"missing", unix.AT_FDCWD, "nothere", 0, 0},
		{"closed fd", 999, "", unix.AT_EMPTY_PATH, 0},
		{"fd past the table", 100000, "", unix.AT_EMPTY_PATH, 0},
		{"relative to a file", fd, "x", 0, 0},
	} {
		pr.Say("statx "+c.what, probe.Errno(unix.Statx(c.dirfd, c.path, c.flags, c.mask, &sx)))
	}
	_, _, e = unix.Syscall6(unix.SYS_STATX, uintptr(uint32(cwdFD)), uintptr(unsafe.Pointer(&[]byte("s.txt\x00")[0])), 0, unix.STATX_BASIC_STATS, badAddr, 0)
	pr.Say("statx bad buffer", probe.Errno(probe.Err(e)))
	_, _, e = unix.Syscall6(unix.SYS_STATX, uintptr(uint32(cwdFD)), badAddr, 0, unix.STATX_BASIC_STATS, uintptr(unsafe.Pointer(&sx)), 0)
	pr.Say("statx bad path", probe.Errno(probe.Err(e)))
}

func vectored() {
	fd := create("v.txt", "")
	defer unix.Close(fd)
	n, err := unix.Pwritev(fd, [][]byte{[]byte("hello, "), []byte("world")}, 3)
	pr.Say("pwritev at 3", n, " ", probe.Errno(err))
	a, b := make([]byte, 4), make([]byte, 20)
	n, err = unix.Preadv(fd, [][]byte{a, b}, 1)
	pr.Say("preadv at 1", fmt.Sprintf("%d %q %q %s", n, a, b[:max(n-4, 0)], probe.Errno(err)))
	off, _ := unix.Seek(fd, 0, 1)
	pr.Say("offset after preadv", off)
	n, err = unix.Preadv2(fd, [][]byte{a}, -1, 0)
	off, _ = unix.Seek(fd, 0, 1)
	pr.Say("preadv2 at -1", fmt.Sprintf("%d %q offset %d %s", n, a, off, probe.Errno(err)))
	n, err = unix.Pwritev2(fd, [][]byte{[]byte("END")}, 0, unix.RWF_APPEND)
	st, _ := os.Stat("v.txt")
	pr.Say("pwritev2 RWF_APPEND", n, " ", probe.Errno(err), " size ", st.Size())
	n, err = unix.Pwritev2(fd, [][]byte{[]byte("!")}, -1, unix.RWF_DSYNC)
	off, _ = unix.Seek(fd, 0, 1)
	pr.Say("pwritev2 at -1 RWF_DSYNC", n, " ", probe.Errno(err), " offset ", off)
	for _, fl := range []int{unix.RWF_HIPRI, unix.RWF_SYNC, unix.RWF_NOWAIT, unix.RWF_NOAPPEND, 0x40, 0x80, 0x10000} {
		n, err = unix.Preadv2(fd, [][]byte{a}, 0, fl)
		n2, err2 := unix.Pwritev2(fd, [][]byte{[]byte("h")}, 0, fl)
		pr.Say(fmt.Sprintf("RWF %#x", fl), n, " ", probe.Errno(err), " ", n2, " ", probe.Errno(err2))
	}
	app, err := unix.Open("v.txt", unix.O_WRONLY|unix.O_APPEND, 0)
	pr.Check(err)
	n, err = unix.Pwritev2(app, [][]byte{[]byte("<")}, 0, unix.RWF_NOAPPEND)
	rd, _ := os.ReadFile("v.txt")
	pr.Say("RWF_NOAPPEND on O_APPEND", n, " ", probe.Errno(err), fmt.Sprintf(" %q", rd))
	n, err = unix.Pwritev(app, [][]byte{[]byte(">")}, 0)
	rd, _ = os.ReadFile("v.txt")
	pr.Say("pwritev on O_APPEND", n, " ", probe.Errno(err), fmt.Sprintf(" %q", rd))
	n, err = unix.Pwrite(app, []byte("+"), 0)
	rd, _ = os.ReadFile("v.txt")
	pr.Say("pwrite on O_APPEND", n, " ", probe.Errno(err), fmt.Sprintf(" %q", rd))
	_, err = unix.Preadv(app, [][]byte{a}, 0)
	pr.Say("preadv on O_WRONLY", probe.Errno(err))
	unix.Close(app)
	var p [2]int
	pr.Check(unix.Pipe(p[:]))
	_, err = unix.Preadv2(p[0], [][]byte{a}, -1, unix.RWF_NOWAIT)
	pr.Say("preadv2 empty pipe RWF_NOWAIT", probe.Errno(err))
	n, err = unix.Pwritev2(p[1], [][]byte{[]byte("pi"), []byte("pe")}, -1, 0)
	pr.Say("pwritev2 pipe at -1", n, " ", probe.Errno(err))
	n, err = unix.Preadv2(p[0], [][]byte{a}, -1, unix.RWF_NOWAIT)
	pr.Say("preadv2 pipe RWF_NOWAIT", fmt.Sprintf("%d %q %s", n, a[:n], probe.Errno(err)))
	_, err = unix.Preadv2(p[0], [][]byte{a}, 0, 0)
	pr.Say("preadv2 pipe at 0", probe.Errno(err))
	_, err = unix.Preadv(p[0], [][]byte{a}, 0)
	pr.Say("preadv pipe", probe.Errno(err))
	unix.Close(p[0])
	signal.Ignore(unix.SIGPIPE)
	_, err = unix.Pwritev2(p[1], [][]byte{[]byte("x")}, -1, 0x100)
	pr.Say("pwritev2 broken pipe RWF_NOSIGNAL", probe.Errno(err))
	unix.Close(p[1])
	_, err = unix.Preadv(fd, [][]byte{a}, -1)
	pr.Say("preadv at -1", probe.Errno(err))
	_, err = unix.Preadv2(fd, [][]byte{a}, -2, 0)
	pr.Say("preadv2 at -2", probe.Errno(err))
	_, err = unix.Preadv2(999, [][]byte{a}, -2, 0)
	pr.Say("preadv2 closed fd at -2", probe.Errno(err))
	_, err = unix.Preadv2(999, [][]byte{a}, 0, 0x40)
	pr.Say("preadv2 closed fd bad flag", probe.Errno(err))
	_, err = unix.Preadv(100000, [][]byte{a}, 0)
	pr.Say("preadv fd past the table", probe.Errno(err))
	_, _, e := unix.Syscall6(unix.SYS_PREADV, uintptr(fd), badAddr, 1, 0, 0, 0)
	pr.Say("preadv bad iovec array", probe.Errno(probe.Err(e)))
	iov := [][2]uint64{{uint64(badAddr), 4}} // struct iovec with a bad base
	_, _, e = unix.Syscall6(unix.SYS_PREADV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), 1, 0, 0, 0)
	pr.Say("preadv bad buffer", probe.Errno(probe.Err(e)))
	_, _, e = unix.Syscall6(unix.SYS_PWRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), 1, 0, 0, 0)
	pr.Say("pwritev bad buffer", probe.Errno(probe.Err(e)))
	_, _, e = unix.Syscall6(unix.SYS_PREADV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), 1025, 0, 0, 0)
	pr.Say("preadv 1025 iovecs", probe.Errno(probe.Err(e)))
	d, _ := unix.Open(".", unix.O_RDONLY, 0)
	_, err = unix.Preadv(d, [][]byte{a}, 0)
	pr.Say("preadv directory", probe.Errno(err))
	unix.Close(d)
}

func sendfile() {
	in := create("in.txt", "0123456789abcdefghij")
	defer unix.Close(in)
	out := create("out.txt", "")
	defer unix.Close(out)
	off := int64(5)
	n, err := unix.Sendfile(out, in, &off, 8)
	pos, _ := unix.Seek(in, 0, 1)
	opos, _ := unix.Seek(out, 0, 1)
	rd, _ := os.ReadFile("out.txt")
	pr.Say("sendfile with offset", fmt.Sprintf("%d %s offset %d in at %d out at %d %q", n, probe.Errno(err), off, pos, opos, rd))
	unix.Seek(in, 15, 0)
	n, err = unix.Sendfile(out, in, nil, 100)
	pos, _ = unix.Seek(in, 0, 1)
	rd, _ = os.ReadFile("out.txt")
	pr.Say("sendfile from the position", fmt.Sprintf("%d %s in at %d %q", n, probe.Errno(err), pos, rd))
	n, err = unix.Sendfile(out, in, nil, 100)
	pr.Say("sendfile at end of file", n, " ", probe.Errno(err))
	off = 0
	n, err = unix.Sendfile(out, in, &off, 0)
	pr.Say("sendfile count 0", n, " ", probe.Errno(err))
	var p [2]int
	pr.Check(unix.Pipe2(p[:], unix.O_NONBLOCK))
	off = 0
	n, err = unix.Sendfile(p[1], in, &off, 20)
	buf := make([]byte, 64)
	k, _ := unix.Read(p[0], buf)
	pr.Say("sendfile to a pipe", fmt.Sprintf("%d %s %q", n, probe.Errno(err), buf[:k]))
	big := create("big.bin", string(make([]byte, 100000)))
	off = 0
	n, err = unix.Sendfile(p[1], big, &off, 100000)
	pr.Say("sendfile more than a pipe holds", n, " ", probe.Errno(err), " offset ", off)
	_, err = unix.Sendfile(p[1], big, &off, 100000)
	pr.Say("sendfile to a full non-blocking pipe", probe.Errno(err))
	unix.Close(big)
	_, err = unix.Sendfile(out, p[0], nil, 10)
	pr.Say("sendfile from a pipe", probe.Errno(err))
	off = 0
	_, err = unix.Sendfile(out, p[0], &off, 10)
	pr.Say("sendfile from a pipe with offset", probe.Errno(err))
	_, err = unix.Sendfile(p[0], in, nil, 10)
	pr.Say("sendfile to a pipe's read end", probe.Errno(err))
	unix.Close(p[0])
	unix.Close(p[1])
	app, _ := unix.Open("out.txt", unix.O_WRONLY|unix.O_APPEND, 0)
	off = 0
	_, err = unix.Sendfile(app, in, &off, 5)
	pr.Say("sendfile to O_APPEND", probe.Errno(err))
	unix.Close(app)
	ro, _ := unix.Open("out.txt", unix.O_RDONLY, 0)
	off = 0
	_, err = unix.Sendfile(ro, in, &off, 5)
	pr.Say("sendfile to O_RDONLY", probe.Errno(err))
	unix.Close(ro)
	wo, _ := unix.Open("in.txt", unix.O_WRONLY, 0)
	_, err = unix.Sendfile(out, wo, &off, 5)
	pr.Say("sendfile from O_WRONLY", probe.Errno(err))
	unix.Close(wo)
	_, _, e := unix.Syscall6(unix.SYS_SENDFILE, uintptr(out), uintptr(in), badAddr, 5, 0, 0)
	pr.Say("sendfile bad offset pointer", probe.Errno(probe.Err(e)))
	off = -1
	_, err = unix.Sendfile(out, in, &off, 5)
	pr.Say("sendfile negative offset", probe.Errno(err))
	_, err = unix.Sendfile(999, in, nil, 5)
	pr.Say("sendfile closed out", probe.Errno(err))
	_, err = unix.Sendfile(out, 100000, nil, 5)
	pr.Say("sendfile in past the table", probe.Errno(err))
	msg := create("msg.txt", "ioprobe: sendfile to stdout: ok\n")
	off = 0
	n, err = unix.Sendfile(1, msg, &off, 100)
	pr.Say("sendfile to stdout", n, " ", probe.Errno(err))
	unix.Close(msg)
}

func copyFileRange() {
	in := create("c1.txt", "0123456789abcdefghij")
	defer unix.Close(in)
	out := create("c2.txt", "")
	defer unix.Close(out)
	offIn, offOut := int64(2), int64(4)
	n, err := unix.CopyFileRange(in, &offIn, out, &offOut, 6, 0)
	rd, _ := os.ReadFile("c2.txt")
	pos, _ := unix.Seek(in, 0, 1)
	pr.Say("copy_file_range with offsets", fmt.Sprintf("%d %s in %d out %d in at %d %q", n, probe.Errno(err), offIn, offOut, pos, rd))
	unix.Seek(in, 16, 0)
	n, err = unix.CopyFileRange(in, nil, out, nil, 100, 0)
	pos, _ = unix.Seek(in, 0, 1)
	opos, _ := unix.Seek(out, 0, 1)
	rd, _ = os.ReadFile("c2.txt")
	pr.Say("copy_file_range from the positions", fmt.Sprintf("%d %s in at %d out at %d %q", n, probe.Errno(err), pos, opos, rd))
	n, err = unix.CopyFileRange(in, nil, out, nil, 100, 0)
	pr.Say("copy_file_range at end of file", n, " ", probe.Errno(err))
	offIn, offOut = 0, 5
	_, err = unix.CopyFileRange(in, &offIn, in, &offOut, 10, 0)
	pr.Say("copy_file_range overlapping", probe.Errno(err))
	offIn, offOut = 0, 10
	n, err = unix.CopyFileRange(in, &offIn, in, &offOut, 10, 0)
	rd, _ = os.ReadFile("c1.txt")
	pr.Say("copy_file_range same file apart", fmt.Sprintf("%d %s %q", n, probe.Errno(err), rd))
	_, err = unix.CopyFileRange(in, nil, out, nil, 1, 1)
	pr.Say("copy_file_range flags 1", probe.Errno(err))
	d, _ := unix.Open(".", unix.O_RDONLY, 0)
	_, err = unix.CopyFileRange(d, nil, out, nil, 1, 0)
	pr.Say("copy_file_range from a directory", probe.Errno(err))
	unix.Close(d)
	var p [2]int
	pr.Check(unix.Pipe(p[:]))
	_, err = unix.CopyFileRange(in, nil, p[1], nil, 1, 0)
	pr.Say("copy_file_range to a pipe", probe.Errno(err))
	unix.Close(p[0])
	unix.Close(p[1])
	app, _ := unix.Open("c2.txt", unix.O_WRONLY|unix.O_APPEND, 0)
	_, err = unix.CopyFileRange(in, nil, app, nil, 1, 0)
	pr.Say("copy_file_range to O_APPEND", probe.Errno(err))
	unix.Close(app)
	ro, _ := unix.Open("c2.txt", unix.O_RDONLY, 0)
	_, err = unix.CopyFileRange(in, nil, ro, nil, 1, 0)
	pr.Say("copy_file_range to O_RDONLY", probe.Errno(err))
	unix.Close(ro)
	_, err = unix.CopyFileRange(999, nil, out, nil, 1, 0)
	pr.Say("copy_file_range closed in", probe.Errno(err))
	_, err = unix.CopyFileRange(in, nil, 100000, nil, 1, 0)
	pr.Say("copy_file_range out past the table", probe.Errno(err))
	_, _, e := unix.Syscall6(unix.SYS_COPY_FILE_RANGE, uintptr(in), badAddr, uintptr(out), 0, 1, 0)
	pr.Say("copy_file_range bad offset pointer", probe.Errno(probe.Err(e)))
	offIn = -1
	_, err = unix.CopyFileRange(in, &offIn, out, nil, 1, 0)
	pr.Say("copy_file_range negative offset", probe.Errno(err))
}

func fallocate() {
	fd := create("f.bin", "")
	defer unix.Close(fd)
	show := func(what string, err error) {
		var st unix.Stat_t
		unix.Fstat(fd, &st)
		pr.Say(what, probe.Errno(err), " size ", st.Size, " blocks ", st.Blocks)
	}
	show("fallocate 0 100+10000", unix.Fallocate(fd, 0, 100, 10000))
	show("fallocate KEEP_SIZE past the end", unix.Fallocate(fd, unix.FALLOC_FL_KEEP_SIZE, 20000, 8192))
	pr.Check(unix.Ftruncate(fd, 0))
	show("after ftruncate 0", nil)
	unix.Pwrite(fd, make([]byte, 5*4096), 0)
	for i := range 5 * 4096 / 8 {
		unix.Pwrite(fd, []byte("abcdefgh"), int64(i*8))
	}
	show("PUNCH_HOLE|KEEP_SIZE 4090+4200", unix.Fallocate(fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, 4090, 4200))
	b := make([]byte, 16)
	unix.Pread(fd, b, 4084)
	pr.Say("around the hole's start", fmt.Sprintf("%q", b))
	unix.Pread(fd, b, 8284)
	pr.Say("around the hole's end", fmt.Sprintf("%q", b))
	for _, c := range []struct {
		what      string
		mode      uint32
		off, size int64
	}{
		{"PUNCH_HOLE alone", unix.FALLOC_FL_PUNCH_HOLE, 0, 10},
		{"ZERO_RANGE", unix.FALLOC_FL_ZERO_RANGE, 0, 10},
		{"ZERO_RANGE|KEEP_SIZE", unix.FALLOC_FL_ZERO_RANGE | unix.FALLOC_FL_KEEP_SIZE, 0, 10},
		{"COLLAPSE_RANGE", unix.FALLOC_FL_COLLAPSE_RANGE, 0, 4096},
		{"INSERT_RANGE", unix.FALLOC_FL_INSERT_RANGE, 0, 4096},
		{"unknown mode", 0x100, 0, 10},
		{"length 0", 0, 0, 0},
		{"negative offset", 0, -1, 10},
		{"past the largest file", 0, 1<<63 - 2, 10},
	} {
		pr.Say("fallocate "+c.what, probe.Errno(unix.Fallocate(fd, c.mode, c.off, c.size)))
	}
	pr.Say("fallocate closed fd", probe.Errno(unix.Fallocate(999, 0, 0, 10)))
	pr.Say("fallocate fd past the table", probe.Errno(unix.Fallocate(100000, 0, 0, 10)))
	var p [2]int
	pr.Check(unix.Pipe(p[:]))
	pr.Say("fallocate pipe", probe.Errno(unix.Fallocate(p[1], 0, 0, 1)), " ", probe.Errno(unix.Fallocate(p[0], 0, 0, 1)))
	unix.Close(p[0])
	unix.Close(p[1])
	null, _ := unix.Open("/dev/null", unix.O_WRONLY, 0)
	pr.Say("fallocate /dev/null", probe.Errno(unix.Fallocate(null, 0, 0, 1)))
	unix.Close(null)
	ro, _ := unix.Open("f.bin", unix.O_RDONLY, 0)
	pr.Say("fallocate O_RDONLY", probe.Errno(unix.Fallocate(ro, 0, 0, 1)), " ", probe.Errno(unix.Fallocate(ro, unix.FALLOC_FL_ZERO_RANGE, 0, 1)))
	unix.Close(ro)
	d, _ := unix.Open(".", unix.O_RDONLY, 0)
	pr.Say("fallocate directory", probe.Errno(unix.Fallocate(d, 0, 0, 1)))
	unix.Close(d)
}

// openHow2 calls openat2 with a raw open_how of size bytes.
func openHow2(dirfd int, path string, how []byte) (int, error) {
	p, _ := unix.BytePtrFromString(path)
	var hp unsafe.Pointer
	if len(how) > 0 {
		hp = unsafe.Pointer(&how[0])
	}
	fd, _, e := unix.Syscall6(unix.SYS_OPENAT2, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(hp), uintptr(len(how)), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func openat2(base string) {
	pr.Check(os.Mkdir("o", 0o755))
	pr.Check(os.Mkdir("o/sub", 0o755))
	pr.Check(os.WriteFile("o/f", []byte("f"), 0o644))
	pr.Check(os.WriteFile("top", []byte("top"), 0o644))
	pr.Check(os.Symlink("f", "o/lf"))
	pr.Check(os.Symlink("/f", "o/labs"))
	pr.Check(os.Symlink("../top", "o/lup"))
	dir, err := unix.Open("o", unix.O_PATH|unix.O_DIRECTORY, 0)
	pr.Check(err)
	defer unix.Close(dir)
	try := func(what, path string, how unix.OpenHow) {
		fd, err := unix.Openat2(dir, path, &how)
		res := probe.Errno(err)
		if err == nil {
			var st unix.Stat_t
			unix.Fstat(fd, &st)
			fl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
			res += fmt.Sprintf(" size %d mode %o flags %#x", st.Size, st.Mode, fl)
			unix.Close(fd)
		}
		pr.Say("openat2 "+what, res)
	}
	try("plain", "f", unix.OpenHow{Flags: unix.O_RDONLY})
	try("create", "new", unix.OpenHow{Flags: unix.O_CREAT | unix.O_WRONLY, Mode: 0o640})
	try("mode without O_CREAT", "f", unix.OpenHow{Mode: 0o644})
	try("mode past 07777", "new2", unix.OpenHow{Flags: unix.O_CREAT, Mode: 0o10000})
	try("unknown flag", "f", unix.OpenHow{Flags: 1 << 40})
	try("unknown flag 0x4000000", "f", unix.OpenHow{Flags: 0x4000000})
	try("O_PATH|O_RDWR", "f", unix.OpenHow{Flags: unix.O_PATH | unix.O_RDWR})
	try("O_PATH|O_NOFOLLOW link", "lf", unix.OpenHow{Flags: unix.O_PATH | unix.O_NOFOLLOW})
	try("BENEATH|IN_ROOT", "f", unix.OpenHow{Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_IN_ROOT})
	try("unknown resolve", "f", unix.OpenHow{Resolve: 0x40})
	try("BENEATH ..", "../top", unix.OpenHow{Resolve: unix.RESOLVE_BENEATH})
	try("BENEATH sub/..", "sub/../f", unix.OpenHow{Resolve: unix.RESOLVE_BENEATH})
	try("BENEATH absolute", base+"/top", unix.OpenHow{Resolve: unix.RESOLVE_BENEATH})
	try("BENEATH absolute link", "labs", unix.OpenHow{Resolve: unix.RESOLVE_BENEATH})
	try("BENEATH link up", "lup", unix.OpenHow{Resolve: unix.RESOLVE_BENEATH})
	try("IN_ROOT absolute link", "labs", unix.OpenHow{Resolve: unix.RESOLVE_IN_ROOT})
	try("IN_ROOT /f", "/f", unix.OpenHow{Resolve: unix.RESOLVE_IN_ROOT})
	try("IN_ROOT ../../f", "../../f", unix.OpenHow{Resolve: unix.RESOLVE_IN_ROOT})
	try("IN_ROOT link up", "lup", unix.OpenHow{Resolve: unix.RESOLVE_IN_ROOT})
	try("NO_SYMLINKS link", "lf", unix.OpenHow{Resolve: unix.RESOLVE_NO_SYMLINKS})
	try("NO_SYMLINKS O_PATH|O_NOFOLLOW link", "lf", unix.OpenHow{Flags: unix.O_PATH | unix.O_NOFOLLOW, Resolve: unix.RESOLVE_NO_SYMLINKS})
	try("NO_SYMLINKS plain", "f", unix.OpenHow{Resolve: unix.RESOLVE_NO_SYMLINKS})
	try("NO_XDEV", "sub/../f", unix.OpenHow{Resolve: unix.RESOLVE_NO_XDEV})
	try("NO_MAGICLINKS", "lf", unix.OpenHow{Resolve: unix.RESOLVE_NO_MAGICLINKS})
	try("CACHED O_CREAT", "f", unix.OpenHow{Flags: unix.O_CREAT, Resolve: 0x20})
	try("CACHED O_TRUNC", "f", unix.OpenHow{Flags: unix.O_TRUNC | unix.O_WRONLY, Resolve: 0x20})
	how := make([]byte, 32)
	_, err = openHow2(dir, "f", how)
	pr.Say("openat2 size 32 zero tail", probe.Errno(err))
	how[30] = 1
	_, err = openHow2(dir, "f", how)
	pr.Say("openat2 size 32 nonzero tail", probe.Errno(err))
	_, err = openHow2(dir, "f", make([]byte, 16))
	pr.Say("openat2 size 16", probe.Errno(err))
	_, err = openHow2(dir, "f", make([]byte, 4097))
	pr.Say("openat2 size 4097", probe.Errno(err))
	p, _ := unix.BytePtrFromString("f")
	_, _, e := unix.Syscall6(unix.SYS_OPENAT2, uintptr(dir), uintptr(unsafe.Pointer(p)), badAddr, 24, 0, 0)
	pr.Say("openat2 bad open_how", probe.Errno(probe.Err(e)))
	_, err = unix.Openat2(999, "f", &unix.OpenHow{})
	pr.Say("openat2 closed dirfd", probe.Errno(err))
	_, err = unix.Openat2(100000, "f", &unix.OpenHow{})
	pr.Say("openat2 dirfd past the table", probe.Errno(err))
}

func tmpfile() {
	pr.Check(os.Mkdir("t", 0o755))
	fd, err := unix.Open("t", unix.O_TMPFILE|unix.O_RDWR, 0o640)
	pr.Say("O_TMPFILE", probe.Errno(err))
	if err != nil {
		return
	}
	unix.Write(fd, []byte("unnamed"))
	var st unix.Stat_t
	unix.Fstat(fd, &st)
	pr.Say("O_TMPFILE fstat", fmt.Sprintf("nlink %d mode %o size %d", st.Nlink, st.Mode, st.Size))
	ents, _ := os.ReadDir("t")
	pr.Say("O_TMPFILE directory entries", len(ents))
	err = unix.Linkat(fd, "", unix.AT_FDCWD, "t/named", unix.AT_EMPTY_PATH)
	b, _ := os.ReadFile("t/named")
	unix.Fstat(fd, &st)
	pr.Say("linkat AT_EMPTY_PATH", probe.Errno(err), fmt.Sprintf(" %q nlink %d", b, st.Nlink))
	pr.Check(os.Remove("t/named"))
	pr.Say("linkat again after unlink", probe.Errno(unix.Linkat(fd, "", unix.AT_FDCWD, "t/again", unix.AT_EMPTY_PATH)))
	unix.Close(fd)
	excl, err := unix.Open("t", unix.O_TMPFILE|unix.O_WRONLY|unix.O_EXCL, 0o600)
	pr.Say("O_TMPFILE|O_EXCL", probe.Errno(err))
	pr.Say("linkat O_EXCL file", probe.Errno(unix.Linkat(excl, "", unix.AT_FDCWD, "t/x", unix.AT_EMPTY_PATH)))
	unix.Close(excl)
	_, err = unix.Open("t", unix.O_TMPFILE|unix.O_RDONLY, 0o600)
	pr.Say("O_TMPFILE|O_RDONLY", probe.Errno(err))
	_, err = unix.Open("t", unix.O_TMPFILE|unix.O_RDWR|unix.O_CREAT, 0o600)
	pr.Say("O_TMPFILE|O_CREAT", probe.Errno(err))
	pr.Check(os.WriteFile("t/file", nil, 0o644))
	_, err = unix.Open("t/file", unix.O_TMPFILE|unix.O_RDWR, 0o600)
	pr.Say("O_TMPFILE on a file", probe.Errno(err))
	_, err = unix.Open("t/none", unix.O_TMPFILE|unix.O_RDWR, 0o600)
	pr.Say("O_TMPFILE missing", probe.Errno(err))
	fd, err = unix.Openat2(unix.AT_FDCWD, "t", &unix.OpenHow{Flags: unix.O_TMPFILE | unix.O_RDWR, Mode: 0o600})
	pr.Say("openat2 O_TMPFILE", probe.Errno(err))
	unix.Close(fd)
	f, _ := unix.Open("t/file", unix.O_RDONLY, 0)
	pr.Check(os.Remove("t/file"))
	pr.Say("linkat AT_EMPTY_PATH unlinked file", probe.Errno(unix.Linkat(f, "", unix.AT_FDCWD, "t/back", unix.AT_EMPTY_PATH)))
	unix.Close(f)
	d, _ := unix.Open("t", unix.O_RDONLY, 0)
	pr.Say("linkat AT_EMPTY_PATH directory", probe.Errno(unix.Linkat(d, "", unix.AT_FDCWD, "t/dir2", unix.AT_EMPTY_PATH)))
	unix.Close(d)
	pr.Say("linkat AT_EMPTY_PATH closed fd", probe.Errno(unix.Linkat(999, "", unix.AT_FDCWD, "t/y", unix.AT_EMPTY_PATH)))
	pr.Say("linkat empty path without the flag", probe.Errno(unix.Linkat(unix.AT_FDCWD, "", unix.AT_FDCWD, "t/y", 0)))
}

func fsizeLimit() {
	xfsz := make(chan os.Signal, 4)
	signal.Notify(xfsz, unix.SIGXFSZ)
	var old unix.Rlimit
	pr.Check(unix.Getrlimit(unix.RLIMIT_FSIZE, &old))
	pr.Say("RLIMIT_FSIZE at start", old.Cur == unix.RLIM_INFINITY, " ", old.Max == unix.RLIM_INFINITY)
	pr.Say("setrlimit cur > max", probe.Errno(unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 10, Max: 5})))
	pr.Check(unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 10000, Max: unix.RLIM_INFINITY}))
	var now unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_FSIZE, &now)
	pr.Say("RLIMIT_FSIZE set", now.Cur)
	fd := create("lim.bin", "")
	signals := func() int {
		n := 0
		for {
			select {
			case <-xfsz:
				n++
			case <-time.After(100 * time.Millisecond):
				return n
			}
		}
	}
	n, err := unix.Pwrite(fd, make([]byte, 20), 9990)
	pr.Say("pwrite across the limit", n, " ", probe.Errno(err), " signals ", signals())
	n, err = unix.Pwrite(fd, make([]byte, 20), 10000)
	pr.Say("pwrite at the limit", n, " ", probe.Errno(err), " signals ", signals())
	n, err = unix.Pwrite(fd, nil, 20000)
	pr.Say("empty pwrite past the limit", n, " ", probe.Errno(err), " signals ", signals())
	unix.Seek(fd, 10000, 0)
	n, err = unix.Write(fd, []byte("x"))
	pr.Say("write at the limit", n, " ", probe.Errno(err), " signals ", signals())
	pr.Say("ftruncate past the limit", probe.Errno(unix.Ftruncate(fd, 10001)), " signals ", signals())
	pr.Say("ftruncate to the limit", probe.Errno(unix.Ftruncate(fd, 10000)))
	pr.Say("truncate past the limit", probe.Errno(unix.Truncate("lim.bin", 20000)), " signals ", signals())
	pr.Say("fallocate past the limit", probe.Errno(unix.Fallocate(fd, 0, 9000, 2000)), " signals ", signals())
	pr.Say("fallocate KEEP_SIZE past the limit", probe.Errno(unix.Fallocate(fd, unix.FALLOC_FL_KEEP_SIZE, 9000, 2000)), " signals ", signals())
	src := create("src.bin", string(make([]byte, 100)))
	offOut := int64(9950)
	n, err = unix.CopyFileRange(src, nil, fd, &offOut, 100, 0)
	pr.Say("copy_file_range across the limit", n, " ", probe.Errno(err), " signals ", signals())
	offOut = 10000
	n, err = unix.CopyFileRange(src, nil, fd, &offOut, 100, 0)
	pr.Say("copy_file_range at the limit", n, " ", probe.Errno(err), " signals ", signals())
	unix.Seek(fd, 10000, 0)
	off := int64(0)
	n, err = unix.Sendfile(fd, src, &off, 10)
	pr.Say("sendfile at the limit", n, " ", probe.Errno(err), " signals ", signals())
	signal.Reset(unix.SIGXFSZ)
	n, err = unix.Pwrite(fd, []byte("x"), 10000)
	pr.Say("pwrite at the limit without a handler", n, " ", probe.Errno(err))
	pr.Check(unix.Setrlimit(unix.RLIMIT_FSIZE, &old))
	n, err = unix.Pwrite(fd, []byte("x"), 10000)
	pr.Say("pwrite after restoring", n, " ", probe.Errno(err))
	unix.Close(src)
	unix.Close(fd)
}

// cwdFD is AT_FDCWD as a raw system call takes it.
var cwdFD = int32(unix.AT_FDCWD)
