// Fsprobe exercises the file system calls through package os and
// golang.org/x/sys/unix in a fresh directory under its first argument
// (the guest's /tmp, or a host temporary directory), with relative paths
// from there: creating, reading, writing, seeking, listing, renaming,
// linking, removing, stat, times, modes, the working directory and the
// errors Linux gives. Each line it prints is "fsprobe: what: result" and
// does not depend on where it runs, so the same program run natively on
// Linux prints the same lines.
//
// With "fill DIR" it writes into DIR until the file system is full,
// instead: ENOSPC, then room again once the files are removed.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func say(what string, v any) { fmt.Printf("fsprobe: %s: %v\n", what, v) }

// errno is err's errno name, or "ok".
func errno(err error) string {
	if err == nil {
		return "ok"
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return unix.ErrnoName(e)
	}
	return err.Error()
}

func must(err error) {
	if err != nil {
		fmt.Printf("fsprobe: FAIL: %v\n", err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "fill" {
		fill(os.Args[2])
		return
	}
	if len(os.Args) != 2 {
		fmt.Println("usage: fsprobe BASE | fill DIR")
		os.Exit(2)
	}
	unix.Umask(0o022)
	base, err := os.MkdirTemp(os.Args[1], "fsprobe")
	must(err)
	must(os.Chdir(base))
	wd, err := os.Getwd()
	say("getwd after chdir", fmt.Sprint(wd == base, " ", errno(err)))

	files()
	appendAndSeek()
	directories()
	renames()
	links()
	attributes()
	errnos()
	workingDir(base)
	walk()
	must(os.Chdir(os.Args[1]))
	say("RemoveAll", errno(os.RemoveAll(base)))
	_, err = os.Lstat(base)
	say("base after RemoveAll", errno(err))
	fmt.Println("fsprobe: done")
}

func files() {
	must(os.WriteFile("a.txt", []byte("hello, world\n"), 0o644))
	b, err := os.ReadFile("a.txt")
	say("ReadFile", fmt.Sprintf("%q %s", b, errno(err)))
	fi, err := os.Stat("a.txt")
	say("Stat a.txt", fmt.Sprint(fi.Size(), " ", fi.Mode(), " ", fi.IsDir(), " ", errno(err)))
	st := statT("a.txt")
	say("nlink, blocks", fmt.Sprint(st.Nlink, " ", st.Blocks))

	f, err := os.CreateTemp(".", "tmp*.dat")
	must(err)
	fi, _ = f.Stat()
	say("CreateTemp mode", fi.Mode())
	n, err := f.Write(bytes.Repeat([]byte("x"), 10000))
	say("write 10000", fmt.Sprint(n, " ", errno(err)))
	n, err = f.WriteAt([]byte("ABC"), 5000)
	say("pwrite at 5000", fmt.Sprint(n, " ", errno(err)))
	buf := make([]byte, 6)
	n, err = f.ReadAt(buf, 4998)
	say("pread at 4998", fmt.Sprintf("%d %q %s", n, buf[:n], errno(err)))
	n, err = f.ReadAt(buf, 9998)
	say("pread at 9998", fmt.Sprintf("%d %q %v", n, buf[:n], err))
	off, err := f.Seek(0, io.SeekCurrent)
	say("offset after write", fmt.Sprint(off, " ", errno(err)))
	off, err = f.Seek(-3, io.SeekEnd)
	say("seek end-3", fmt.Sprint(off, " ", errno(err)))
	n, err = f.Read(buf)
	say("read at end-3", fmt.Sprintf("%d %q %s", n, buf[:n], errno(err)))
	n, err = f.Read(buf)
	say("read at end", fmt.Sprint(n, " ", err))
	_, err = f.Seek(-1, io.SeekStart)
	say("seek before 0", errno(err))
	off, err = f.Seek(20000, io.SeekStart)
	say("seek past end", fmt.Sprint(off, " ", errno(err)))
	n, err = f.Write([]byte("Z"))
	say("write past end", fmt.Sprint(n, " ", errno(err)))
	fi, _ = f.Stat()
	say("size with a hole", fi.Size())
	n, err = f.ReadAt(buf[:4], 15000)
	say("read the hole", fmt.Sprintf("%d %q %s", n, buf[:n], errno(err)))
	must(f.Truncate(100))
	fi, _ = f.Stat()
	say("ftruncate 100", fi.Size())
	say("fsync", errno(f.Sync()))
	say("fdatasync", errno(unix.Fdatasync(int(f.Fd()))))
	must(f.Close())

	// Readv and writev.
	fd, err := unix.Open("v.txt", unix.O_RDWR|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o600)
	must(err)
	n, err = unix.Writev(fd, [][]byte{[]byte("one "), []byte("two "), []byte("three")})
	say("writev", fmt.Sprint(n, " ", errno(err)))
	a, b2 := make([]byte, 5), make([]byte, 20)
	unix.Seek(fd, 0, 0)
	n, err = unix.Readv(fd, [][]byte{a, b2})
	say("readv", fmt.Sprintf("%d %q %q %s", n, a, b2[:n-5], errno(err)))
	n, err = unix.Pwrite(fd, []byte("ONE"), 0)
	say("pwrite", fmt.Sprint(n, " ", errno(err)))
	n, err = unix.Pread(fd, b2, 0)
	say("pread", fmt.Sprintf("%d %q %s", n, b2[:n], errno(err)))
	var nread int
	nread, err = unix.IoctlGetInt(fd, 0x541B) // FIONREAD
	say("FIONREAD at 0", fmt.Sprint(nread, " ", errno(err)))
	flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	say("F_GETFL", fmt.Sprintf("%#x", flags))
	unix.Close(fd)

	// An O_RDONLY descriptor cannot write; an O_WRONLY one cannot read.
	fd, _ = unix.Open("v.txt", unix.O_RDONLY, 0)
	_, err = unix.Write(fd, []byte("x"))
	say("write on O_RDONLY", errno(err))
	say("ftruncate on O_RDONLY", errno(unix.Ftruncate(fd, 0)))
	unix.Close(fd)
	fd, _ = unix.Open("v.txt", unix.O_WRONLY, 0)
	_, err = unix.Read(fd, b2)
	say("read on O_WRONLY", errno(err))
	unix.Close(fd)
	fd, err = unix.Open("v.txt", unix.O_PATH, 0)
	say("open O_PATH", errno(err))
	_, err = unix.Read(fd, b2)
	say("read on O_PATH", errno(err))
	var st2 unix.Stat_t
	say("fstat on O_PATH", errno(unix.Fstat(fd, &st2)))
	say("fstat size", st2.Size)
	unix.Close(fd)

	// O_EXCL, O_TRUNC, O_CREAT with the umask.
	_, err = unix.Open("v.txt", unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o666)
	say("O_EXCL on an existing file", errno(err))
	fd, err = unix.Open("v.txt", unix.O_RDWR|unix.O_TRUNC, 0)
	must(err)
	unix.Fstat(fd, &st2)
	say("size after O_TRUNC", st2.Size)
	unix.Close(fd)
	fd, err = unix.Open("new.txt", unix.O_RDWR|unix.O_CREAT, 0o777)
	must(err)
	unix.Fstat(fd, &st2)
	say("mode of O_CREAT 0777 under umask 022", fmt.Sprintf("%o", st2.Mode))
	unix.Close(fd)
	old := unix.Umask(0o077)
	say("umask was", fmt.Sprintf("%o", old))
	fd, _ = unix.Open("new2.txt", unix.O_RDWR|unix.O_CREAT, 0o666)
	unix.Fstat(fd, &st2)
	say("mode under umask 077", fmt.Sprintf("%o", st2.Mode))
	unix.Close(fd)
	unix.Umask(0o022)

	// An unlinked file lives while open.
	fd, _ = unix.Open("gone.txt", unix.O_RDWR|unix.O_CREAT, 0o644)
	unix.Write(fd, []byte("still here"))
	say("unlink open file", errno(unix.Unlink("gone.txt")))
	unix.Fstat(fd, &st2)
	say("nlink after unlink", st2.Nlink)
	n, _ = unix.Pread(fd, b2, 0)
	say("read after unlink", fmt.Sprintf("%q", b2[:n]))
	unix.Close(fd)
	_, err = os.Stat("gone.txt")
	say("stat after unlink", errno(err))
}

func statT(path string) unix.Stat_t {
	var st unix.Stat_t
	must(unix.Lstat(path, &st))
	return st
}

func appendAndSeek() {
	must(os.WriteFile("log", []byte("1\n"), 0o644))
	f, err := os.OpenFile("log", os.O_WRONLY|os.O_APPEND, 0)
	must(err)
	f.Seek(0, io.SeekStart)
	f.WriteString("2\n")
	f.WriteString("3\n")
	off, _ := f.Seek(0, io.SeekCurrent)
	say("O_APPEND offset", off)
	f.Close()
	b, _ := os.ReadFile("log")
	say("O_APPEND contents", fmt.Sprintf("%q", b))
}

func directories() {
	must(os.Mkdir("d", 0o755))
	for _, n := range []string{"c", "a", "b"} {
		must(os.WriteFile("d/"+n, []byte(n), 0o644))
	}
	must(os.Mkdir("d/sub", 0o700))
	must(os.Symlink("a", "d/link"))
	ents, err := os.ReadDir("d")
	var names []string
	for _, e := range ents {
		names = append(names, fmt.Sprintf("%s:%v", e.Name(), e.Type()))
	}
	say("ReadDir d", fmt.Sprint(names, " ", errno(err)))
	fi, _ := os.Stat("d/sub")
	say("Stat d/sub", fmt.Sprint(fi.Mode(), " ", fi.IsDir()))
	st := statT("d")
	say("d nlink and size", fmt.Sprint(st.Nlink, " ", st.Size))

	// Raw getdents64: "." and ".." first, every name once, then removals
	// while reading and rewinding.
	fd, err := unix.Open("d", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(err)
	all := getdents(fd, 4096)
	say("getdents . and .. first", len(all) >= 2 && all[0] == "./4" && all[1] == "../4")
	slices.Sort(all)
	say("getdents names", all)
	unix.Seek(fd, 0, io.SeekStart)
	first := getdents(fd, 48) // room for a few
	say("getdents small buffer", len(first))
	must(os.Remove("d/c"))
	must(os.Remove("d/b"))
	rest := getdents(fd, 4096)
	seen := append(first, rest...)
	slices.Sort(seen)
	say("after removing c and b, nothing twice", !hasDup(seen))
	unix.Seek(fd, 0, io.SeekStart)
	again := getdents(fd, 4096)
	slices.Sort(again)
	say("after rewind", again)
	_, err = unix.Getdents(fd, make([]byte, 10))
	unix.Seek(fd, 0, io.SeekStart)
	_, err = unix.Getdents(fd, make([]byte, 10))
	say("getdents buffer too small", errno(err))
	unix.Close(fd)
	fd, _ = unix.Open("d/a", unix.O_RDONLY, 0)
	_, err = unix.Getdents(fd, make([]byte, 100))
	say("getdents on a file", errno(err))
	unix.Close(fd)

	// A removed directory lists as empty.
	must(os.Mkdir("gone", 0o755))
	fd, _ = unix.Open("gone", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(unix.Rmdir("gone"))
	say("getdents of a removed directory", getdents(fd, 4096))
	unix.Close(fd)

	// Directories cannot be written; a dirfd is a start for relative paths.
	_, err = unix.Open("d", unix.O_WRONLY, 0)
	say("open dir O_WRONLY", errno(err))
	_, err = unix.Open("d", unix.O_RDWR, 0)
	say("open dir O_RDWR", errno(err))
	_, err = unix.Open("d", unix.O_RDONLY|unix.O_CREAT, 0o644)
	say("open dir O_CREAT", errno(err))
	dfd, _ := unix.Open("d", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	_, err = unix.Read(dfd, make([]byte, 10))
	say("read a dir", errno(err))
	fd, err = unix.Openat(dfd, "a", unix.O_RDONLY, 0)
	b := make([]byte, 10)
	n, _ := unix.Read(fd, b)
	say("openat dirfd a", fmt.Sprintf("%q %s", b[:n], errno(err)))
	unix.Close(fd)
	say("mkdirat dirfd", errno(unix.Mkdirat(dfd, "sub2", 0o755)))
	var st2 unix.Stat_t
	say("fstatat dirfd sub2", errno(unix.Fstatat(dfd, "sub2", &st2, 0)))
	say("fstatat link nofollow is link", fmt.Sprint(errno(unix.Fstatat(dfd, "link", &st2, unix.AT_SYMLINK_NOFOLLOW)), " ", st2.Mode&unix.S_IFMT == unix.S_IFLNK, " ", st2.Size))
	say("fstatat link follows", fmt.Sprint(errno(unix.Fstatat(dfd, "link", &st2, 0)), " ", st2.Mode&unix.S_IFMT == unix.S_IFREG))
	say("fstatat AT_EMPTY_PATH", fmt.Sprint(errno(unix.Fstatat(dfd, "", &st2, unix.AT_EMPTY_PATH)), " ", st2.Mode&unix.S_IFMT == unix.S_IFDIR))
	say("fstatat empty path", errno(unix.Fstatat(dfd, "", &st2, 0)))
	say("unlinkat dir without AT_REMOVEDIR", errno(unix.Unlinkat(dfd, "sub2", 0)))
	say("unlinkat AT_REMOVEDIR", errno(unix.Unlinkat(dfd, "sub2", unix.AT_REMOVEDIR)))
	say("unlinkat AT_REMOVEDIR on a file", errno(unix.Unlinkat(dfd, "a", unix.AT_REMOVEDIR)))
	fd, _ = unix.Open("d/a", unix.O_RDONLY, 0)
	_, err = unix.Openat(fd, "x", unix.O_RDONLY, 0)
	say("openat with a file as dirfd", errno(err))
	unix.Close(fd)
	_, err = unix.Openat(999, "x", unix.O_RDONLY, 0)
	say("openat with a bad dirfd", errno(err))
	unix.Close(dfd)
}

func hasDup(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return true
		}
	}
	return false
}

// getdents reads a directory's names with buffers of size bytes.
func getdents(fd, size int) []string {
	var names []string
	buf := make([]byte, size)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil || n == 0 {
			return names
		}
		for b := buf[:n]; len(b) > 0; {
			reclen := int(b[16]) | int(b[17])<<8
			name := b[19:reclen]
			name = name[:bytes.IndexByte(name, 0)]
			names = append(names, fmt.Sprintf("%s/%d", name, b[18]))
			b = b[reclen:]
		}
		if size < 100 {
			return names // one call only
		}
	}
}

func renames() {
	must(os.WriteFile("r1", []byte("one"), 0o644))
	must(os.WriteFile("r2", []byte("two"), 0o644))
	say("Rename r1 r3", errno(os.Rename("r1", "r3")))
	say("Rename over r2", errno(os.Rename("r3", "r2")))
	b, _ := os.ReadFile("r2")
	say("r2 now", string(b))
	must(os.WriteFile("r4", []byte("four"), 0o644))
	say("RENAME_NOREPLACE", errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "r2", unix.RENAME_NOREPLACE)))
	say("RENAME_EXCHANGE", errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "r2", unix.RENAME_EXCHANGE)))
	b, _ = os.ReadFile("r2")
	b2, _ := os.ReadFile("r4")
	say("after exchange", string(b)+" "+string(b2))
	say("RENAME_EXCHANGE with a missing one", errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "nope", unix.RENAME_EXCHANGE)))
	say("both flags", errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "r2", unix.RENAME_EXCHANGE|unix.RENAME_NOREPLACE)))
	must(os.MkdirAll("rd/inner", 0o755))
	say("dir into itself", errno(os.Rename("rd", "rd/inner/x")))
	say("file over dir", errno(os.Rename("r2", "rd")))
	say("dir over file", errno(os.Rename("rd", "r2")))
	must(os.Mkdir("empty", 0o755))
	say("dir over empty dir", errno(os.Rename("rd/inner", "empty")))
	say("dir over non-empty dir", errno(os.Rename("empty", "rd")))
	say("rename missing", errno(os.Rename("nope", "x")))
	say("rename dot", errno(unix.Rename("rd/.", "x")))
	say("rename file with trailing slash", errno(unix.Rename("r2/", "x")))
	st := statT("rd")
	say("rd nlink", st.Nlink)
	must(os.Mkdir("moved", 0o755))
	say("move dir across", errno(os.Rename("empty", "moved/empty")))
	say("rd and moved nlink", fmt.Sprint(statT("rd").Nlink, " ", statT("moved").Nlink))
	var fs unix.Statfs_t
	say("statfs", fmt.Sprint(errno(unix.Statfs(".", &fs)), " ", fs.Namelen, " ", fs.Bsize))
}

func links() {
	must(os.WriteFile("orig", []byte("data"), 0o644))
	say("Link", errno(os.Link("orig", "hard")))
	say("nlink", statT("orig").Nlink)
	say("same inode", statT("orig").Ino == statT("hard").Ino)
	say("Link onto existing", errno(os.Link("orig", "hard")))
	must(os.Mkdir("ldir", 0o755))
	say("Link a dir", errno(os.Link("ldir", "ldir2")))
	say("Symlink", errno(os.Symlink("orig", "sym")))
	t, err := os.Readlink("sym")
	say("Readlink", t+" "+errno(err))
	_, err = os.Readlink("orig")
	say("Readlink a file", errno(err))
	b := make([]byte, 2)
	n, err := unix.Readlink("sym", b)
	say("readlink short buffer", fmt.Sprintf("%d %q %s", n, b[:n], errno(err)))
	say("linkat a symlink", errno(unix.Linkat(unix.AT_FDCWD, "sym", unix.AT_FDCWD, "symhard", 0)))
	say("symhard is a link", statT("symhard").Mode&unix.S_IFMT == unix.S_IFLNK)
	say("linkat AT_SYMLINK_FOLLOW", errno(unix.Linkat(unix.AT_FDCWD, "sym", unix.AT_FDCWD, "symfollow", unix.AT_SYMLINK_FOLLOW)))
	say("symfollow is the file", statT("symfollow").Ino == statT("orig").Ino)
	say("nlink now", statT("orig").Nlink)
	must(os.Symlink("dangling-target", "dangling"))
	_, err = os.Stat("dangling")
	say("Stat dangling", errno(err))
	_, err = os.Lstat("dangling")
	say("Lstat dangling", errno(err))
	must(os.Symlink("loop2", "loop1"))
	must(os.Symlink("loop1", "loop2"))
	_, err = os.Stat("loop1")
	say("Stat a loop", errno(err))
	_, err = unix.Open("sym", unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	say("O_NOFOLLOW on a link", errno(err))
	fd, err := unix.Open("sym", unix.O_PATH|unix.O_NOFOLLOW, 0)
	say("O_PATH|O_NOFOLLOW on a link", errno(err))
	var st unix.Stat_t
	unix.Fstat(fd, &st)
	say("that is the link", st.Mode&unix.S_IFMT == unix.S_IFLNK)
	unix.Close(fd)
	must(os.Symlink("ldir", "dirlink"))
	fd, err = unix.Open("dirlink/", unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	say("O_NOFOLLOW with a trailing slash follows", errno(err))
	unix.Close(fd)
	say("Symlink onto existing", errno(os.Symlink("x", "sym")))
	say("Symlink empty target", errno(unix.Symlink("", "emptysym")))
	say("Remove a symlink", errno(os.Remove("sym")))
	_, err = os.Stat("orig")
	say("target still there", errno(err))
}

func attributes() {
	must(os.WriteFile("m", []byte("x"), 0o644))
	say("Chmod", errno(os.Chmod("m", 0o600)))
	fi, _ := os.Stat("m")
	say("mode", fi.Mode())
	f, _ := os.Open("m")
	say("fchmod", errno(f.Chmod(0o751)))
	fi, _ = os.Stat("m")
	say("mode", fi.Mode())
	say("fchmodat sticky", errno(unix.Fchmodat(unix.AT_FDCWD, "m", 0o1755, 0)))
	fi, _ = os.Stat("m")
	say("mode", fi.Mode())
	f.Close()

	at := time.Date(2001, 2, 3, 4, 5, 6, 789, time.UTC)
	mt := time.Date(2002, 3, 4, 5, 6, 7, 890, time.UTC)
	say("Chtimes", errno(os.Chtimes("m", at, mt)))
	st := statT("m")
	say("atime", time.Unix(st.Atim.Unix()).UTC())
	say("mtime", time.Unix(st.Mtim.Unix()).UTC())
	say("Chtimes omit atime", errno(os.Chtimes("m", time.Time{}, at)))
	st = statT("m")
	say("atime kept, mtime set", fmt.Sprint(time.Unix(st.Atim.Unix()).UTC(), " ", time.Unix(st.Mtim.Unix()).UTC()))
	before := time.Now().Add(-time.Minute)
	say("utimensat now", errno(unix.UtimesNanoAt(unix.AT_FDCWD, "m", nil, 0)))
	st = statT("m")
	say("mtime is now", time.Unix(st.Mtim.Unix()).After(before))
	bad := []unix.Timespec{{Sec: 0, Nsec: 2e9}, {Sec: 0, Nsec: 0}}
	say("utimensat bad nsec", errno(unix.UtimesNanoAt(unix.AT_FDCWD, "m", bad, 0)))
	say("ctime recent", time.Unix(st.Ctim.Unix()).After(before))

	must(os.WriteFile("t", []byte("0123456789"), 0o644))
	say("Truncate", errno(os.Truncate("t", 4)))
	b, _ := os.ReadFile("t")
	say("after Truncate", string(b))
	say("Truncate grows", errno(os.Truncate("t", 6)))
	b, _ = os.ReadFile("t")
	say("after growing", fmt.Sprintf("%q", b))
	say("Truncate a dir", errno(os.Truncate(".", 0)))
	say("Truncate negative", errno(unix.Truncate("t", -1)))

	say("access F_OK", errno(unix.Access("t", unix.F_OK)))
	say("access R_OK|W_OK", errno(unix.Access("t", unix.R_OK|unix.W_OK)))
	say("access X_OK on 0644", errno(unix.Access("t", unix.X_OK)))
	say("access X_OK on 0751", errno(unix.Access("m", unix.X_OK)))
	say("access X_OK on a dir", errno(unix.Access(".", unix.X_OK)))
	say("access missing", errno(unix.Access("nope", unix.F_OK)))
	say("access bad mode", errno(unix.Faccessat(unix.AT_FDCWD, "t", 8, 0)))
	say("faccessat2 nofollow", errno(unix.Faccessat2(unix.AT_FDCWD, "t", unix.R_OK, unix.AT_SYMLINK_NOFOLLOW)))
}

func errnos() {
	_, err := os.Open("missing")
	say("open missing", errno(err))
	_, err = os.Open("missing/x")
	say("open under missing", errno(err))
	_, err = os.Open("t/x")
	say("open under a file", errno(err))
	_, err = unix.Open("t", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	say("O_DIRECTORY on a file", errno(err))
	_, err = unix.Open("t/", unix.O_RDONLY, 0)
	say("file with trailing slash", errno(err))
	_, err = unix.Open("newfile/", unix.O_RDWR|unix.O_CREAT, 0o644)
	say("O_CREAT with trailing slash", errno(err))
	say("Mkdir existing", errno(os.Mkdir("d", 0o755)))
	say("Mkdir under a file", errno(os.Mkdir("t/x", 0o755)))
	say("Mkdir dot", errno(unix.Mkdir(".", 0o755)))
	say("Mkdir with trailing slash", errno(unix.Mkdir("trail/", 0o755)))
	say("Remove non-empty dir", errno(unix.Rmdir("d")))
	say("Rmdir a file", errno(unix.Rmdir("t")))
	say("Rmdir dot", errno(unix.Rmdir(".")))
	say("Rmdir dotdot", errno(unix.Rmdir("trail/..")))
	say("Unlink a dir", errno(unix.Unlink("d")))
	say("Unlink file with slash", errno(unix.Unlink("t/")))
	say("Unlink dir with slash", errno(unix.Unlink("d/")))
	say("Unlink missing", errno(unix.Unlink("missing")))
	long := strings.Repeat("n", 256)
	_, err = os.Create(long)
	say("name of 256 bytes", errno(err))
	_, err = os.Create(strings.Repeat("n", 255))
	say("name of 255 bytes", errno(err))
	os.Remove(strings.Repeat("n", 255))
	path := strings.Repeat("a/", 2100)
	_, err = os.Stat(path)
	say("path of 4200 bytes", errno(err))
	say("unlinkat bad flag", errno(unix.Unlinkat(unix.AT_FDCWD, "t", 0x8000)))
	var st unix.Stat_t
	say("fstatat bad flag", errno(unix.Fstatat(unix.AT_FDCWD, "t", &st, 0x4)))
	say("readlink bad size", errno(readlinkZero("t")))
	say("lseek on a pipe", errno(seekPipe()))
	_, err = unix.Pread(-1, make([]byte, 1), 0)
	say("pread bad fd", errno(err))
	badInput()
}

// badInput hands the kernel what no careful program would: pointers to
// nothing, buffers that run off their mapping, descriptors past any
// table. Each must get Linux's errno, and the kernel must keep going.
func badInput() {
	raw := func(nr, a, b, c uintptr) string {
		_, _, e := unix.Syscall(nr, a, b, c)
		if e == 0 {
			return "ok"
		}
		return errno(e)
	}
	f, err := os.Create("bad")
	must(err)
	defer f.Close()
	defer os.Remove("bad")
	fd := f.Fd()
	say("write from address 16", raw(unix.SYS_WRITE, fd, 16, 8))
	_, err = f.WriteAt([]byte("data"), 0)
	must(err)
	// Linux looks at the buffer only when it copies: with nothing to
	// read it answers 0 (coracle checks first; the read note says so).
	_, _, e := unix.Syscall6(unix.SYS_PREAD64, fd, 16, 8, 0, 0, 0)
	say("read into address 16", errno(e))
	say("open of a path at address 16", raw(unix.SYS_OPEN, 16, unix.O_RDONLY, 0))
	say("stat into address 16", raw(unix.SYS_STAT, uintptr(unsafe.Pointer(unsafe.StringData("bad\x00"))), 16, 0))
	say("write past the end of the address space", raw(unix.SYS_WRITE, fd, 1<<47-4, 8))
	say("read to a descriptor past the table", raw(unix.SYS_READ, 1<<20, uintptr(unsafe.Pointer(&make([]byte, 8)[0])), 8))
	say("close of a descriptor past the table", raw(unix.SYS_CLOSE, 1<<20, 0, 0))
	say("negative descriptor", raw(unix.SYS_FSTAT, ^uintptr(0), uintptr(unsafe.Pointer(new(unix.Stat_t))), 0))
	buf := make([]byte, 64)
	say("unaligned write", raw(unix.SYS_PWRITE64, fd, uintptr(unsafe.Pointer(&buf[1])), 7))
	say("unaligned read", raw(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&buf[3])), 5))
	_, _, e = unix.Syscall6(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&buf[0])), 5, ^uintptr(0), 0, 0)
	say("negative offset", errno(e))
	say("mkdir of a name with no end", raw(unix.SYS_MKDIR, 16, 0o755, 0))
}

func readlinkZero(p string) error {
	_, err := unix.Readlink(p, nil)
	return err
}

func seekPipe() error {
	var p [2]int
	must(unix.Pipe(p[:]))
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	_, err := unix.Seek(p[0], 0, 0)
	return err
}

func workingDir(base string) {
	must(os.MkdirAll("w1/w2", 0o755))
	must(os.Chdir("w1/w2"))
	wd, _ := os.Getwd()
	say("Getwd", strings.TrimPrefix(wd, base))
	must(os.Chdir(".."))
	wd, _ = os.Getwd()
	say("Getwd after ..", strings.TrimPrefix(wd, base))
	fd, _ := unix.Open("w2", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	say("fchdir", errno(unix.Fchdir(fd)))
	wd, _ = os.Getwd()
	say("Getwd after fchdir", strings.TrimPrefix(wd, base))
	unix.Close(fd)
	fd, _ = unix.Open("/", unix.O_RDONLY, 0)
	must(os.Chdir(base))
	say("Chdir to a file", errno(os.Chdir("t")))
	say("Chdir missing", errno(os.Chdir("missing")))
	fd2, _ := unix.Open("t", unix.O_RDONLY, 0)
	say("fchdir to a file", errno(unix.Fchdir(fd2)))
	unix.Close(fd2)
	unix.Close(fd)
	must(os.Rename("w1", "w1renamed"))
	must(os.Chdir("w1renamed/w2"))
	wd, _ = os.Getwd()
	say("Getwd after rename", strings.TrimPrefix(wd, base))
	buf := make([]byte, 3)
	_, err := unix.Getcwd(buf)
	say("getcwd small buffer", errno(err))
	must(os.Chdir(".."))
	must(os.Mkdir("doomed", 0o755))
	must(os.Chdir("doomed"))
	must(os.Remove("../doomed"))
	_, err = unix.Getcwd(make([]byte, 4096))
	say("getcwd of a removed dir", errno(err))
	_, err = os.Create("x")
	say("create in a removed dir", errno(err))
	must(os.Chdir(base))
}

func walk() {
	must(os.MkdirAll("tree/a/b", 0o755))
	must(os.WriteFile("tree/a/b/f", nil, 0o644))
	must(os.WriteFile("tree/g", nil, 0o644))
	var seen []string
	filepath.WalkDir("tree", func(p string, d fs.DirEntry, err error) error {
		seen = append(seen, fmt.Sprintf("%s:%v", p, d.IsDir()))
		return err
	})
	say("WalkDir", seen)
	say("RemoveAll tree", errno(os.RemoveAll("tree")))
	_, err := os.Stat("tree")
	say("tree after RemoveAll", errno(err))
}

// fill writes 1 MiB files into dir until the file system is full, and
// checks that removing them makes room again.
func fill(dir string) {
	chunk := bytes.Repeat([]byte("f"), 1<<20)
	var names []string
	total := 0
	var werr error
	for i := 0; werr == nil && i < 100000; i++ {
		name := filepath.Join(dir, fmt.Sprintf("fill%d", i))
		f, err := os.Create(name)
		if err != nil {
			werr = err
			break
		}
		names = append(names, name)
		n, err := f.Write(chunk)
		total += n
		werr = err
		f.Close()
	}
	say("fill stopped with", errno(werr))
	say("wrote some MiB", total > 1<<20)
	var fs unix.Statfs_t
	unix.Statfs(dir, &fs)
	say("statfs free blocks when full", fs.Bfree < 64)
	for _, n := range names {
		must(os.Remove(n))
	}
	err := os.WriteFile(filepath.Join(dir, "again"), chunk, 0o644)
	say("write after removing", errno(err))
	must(os.Remove(filepath.Join(dir, "again")))
	fmt.Println("fsprobe: done")
}
