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
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"golang.org/x/sys/unix"
)

// pr prints the lines, each behind the prefix "fsprobe:".
var pr = probe.P("fsprobe")

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
	pr.Check(err)
	pr.Check(os.Chdir(base))
	wd, err := os.Getwd()
	pr.Say("getwd after chdir", fmt.Sprint(wd == base, " ", probe.Errno(err)))

	files()
	appendAndSeek()
	directories()
	renames()
	links()
	attributes()
	errnos()
	workingDir(base)
	walk()
	pr.Check(os.Chdir(os.Args[1]))
	pr.Say("RemoveAll", probe.Errno(os.RemoveAll(base)))
	_, err = os.Lstat(base)
	pr.Say("base after RemoveAll", probe.Errno(err))
	pr.Printf("done")
}

func files() {
	pr.Check(os.WriteFile("a.txt", []byte("hello, world\n"), 0o644))
	b, err := os.ReadFile("a.txt")
	pr.Say("ReadFile", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	fi, err := os.Stat("a.txt")
	pr.Say("Stat a.txt", fmt.Sprint(fi.Size(), " ", fi.Mode(), " ", fi.IsDir(), " ", probe.Errno(err)))
	st := statT("a.txt")
	pr.Say("nlink, blocks", fmt.Sprint(st.Nlink, " ", st.Blocks))

	f, err := os.CreateTemp(".", "tmp*.dat")
	pr.Check(err)
	fi, _ = f.Stat()
	pr.Say("CreateTemp mode", fi.Mode())
	n, err := f.Write(bytes.Repeat([]byte("x"), 10000))
	pr.Say("write 10000", fmt.Sprint(n, " ", probe.Errno(err)))
	n, err = f.WriteAt([]byte("ABC"), 5000)
	pr.Say("pwrite at 5000", fmt.Sprint(n, " ", probe.Errno(err)))
	buf := make([]byte, 6)
	n, err = f.ReadAt(buf, 4998)
	pr.Say("pread at 4998", fmt.Sprintf("%d %q %s", n, buf[:n], probe.Errno(err)))
	n, err = f.ReadAt(buf, 9998)
	pr.Say("pread at 9998", fmt.Sprintf("%d %q %v", n, buf[:n], err))
	off, err := f.Seek(0, io.SeekCurrent)
	pr.Say("offset after write", fmt.Sprint(off, " ", probe.Errno(err)))
	off, err = f.Seek(-3, io.SeekEnd)
	pr.Say("seek end-3", fmt.Sprint(off, " ", probe.Errno(err)))
	n, err = f.Read(buf)
	pr.Say("read at end-3", fmt.Sprintf("%d %q %s", n, buf[:n], probe.Errno(err)))
	n, err = f.Read(buf)
	pr.Say("read at end", fmt.Sprint(n, " ", err))
	_, err = f.Seek(-1, io.SeekStart)
	pr.Say("seek before 0", probe.Errno(err))
	off, err = f.Seek(20000, io.SeekStart)
	pr.Say("seek past end", fmt.Sprint(off, " ", probe.Errno(err)))
	n, err = f.Write([]byte("Z"))
	pr.Say("write past end", fmt.Sprint(n, " ", probe.Errno(err)))
	fi, _ = f.Stat()
	pr.Say("size with a hole", fi.Size())
	n, err = f.ReadAt(buf[:4], 15000)
	pr.Say("read the hole", fmt.Sprintf("%d %q %s", n, buf[:n], probe.Errno(err)))
	pr.Check(f.Truncate(100))
	fi, _ = f.Stat()
	pr.Say("ftruncate 100", fi.Size())
	pr.Say("fsync", probe.Errno(f.Sync()))
	pr.Say("fdatasync", probe.Errno(unix.Fdatasync(int(f.Fd()))))
	pr.Check(f.Close())

	// Readv and writev.
	fd, err := unix.Open("v.txt", unix.O_RDWR|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o600)
	pr.Check(err)
	n, err = unix.Writev(fd, [][]byte{[]byte("one "), []byte("two "), []byte("three")})
	pr.Say("writev", fmt.Sprint(n, " ", probe.Errno(err)))
	a, b2 := make([]byte, 5), make([]byte, 20)
	unix.Seek(fd, 0, 0)
	n, err = unix.Readv(fd, [][]byte{a, b2})
	pr.Say("readv", fmt.Sprintf("%d %q %q %s", n, a, b2[:n-5], probe.Errno(err)))
	n, err = unix.Pwrite(fd, []byte("ONE"), 0)
	pr.Say("pwrite", fmt.Sprint(n, " ", probe.Errno(err)))
	n, err = unix.Pread(fd, b2, 0)
	pr.Say("pread", fmt.Sprintf("%d %q %s", n, b2[:n], probe.Errno(err)))
	var nread int
	nread, err = unix.IoctlGetInt(fd, 0x541B) // FIONREAD
	pr.Say("FIONREAD at 0", fmt.Sprint(nread, " ", probe.Errno(err)))
	flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	pr.Say("F_GETFL", fmt.Sprintf("%#x", flags))
	unix.Close(fd)

	// An O_RDONLY descriptor cannot write; an O_WRONLY one cannot read.
	fd, _ = unix.Open("v.txt", unix.O_RDONLY, 0)
	_, err = unix.Write(fd, []byte("x"))
	pr.Say("write on O_RDONLY", probe.Errno(err))
	pr.Say("ftruncate on O_RDONLY", probe.Errno(unix.Ftruncate(fd, 0)))
	unix.Close(fd)
	fd, _ = unix.Open("v.txt", unix.O_WRONLY, 0)
	_, err = unix.Read(fd, b2)
	pr.Say("read on O_WRONLY", probe.Errno(err))
	unix.Close(fd)
	fd, err = unix.Open("v.txt", unix.O_PATH, 0)
	pr.Say("open O_PATH", probe.Errno(err))
	_, err = unix.Read(fd, b2)
	pr.Say("read on O_PATH", probe.Errno(err))
	var st2 unix.Stat_t
	pr.Say("fstat on O_PATH", probe.Errno(unix.Fstat(fd, &st2)))
	pr.Say("fstat size", st2.Size)
	unix.Close(fd)

	// O_EXCL, O_TRUNC, O_CREAT with the umask.
	_, err = unix.Open("v.txt", unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o666)
	pr.Say("O_EXCL on an existing file", probe.Errno(err))
	fd, err = unix.Open("v.txt", unix.O_RDWR|unix.O_TRUNC, 0)
	pr.Check(err)
	unix.Fstat(fd, &st2)
	pr.Say("size after O_TRUNC", st2.Size)
	unix.Close(fd)
	fd, err = unix.Open("new.txt", unix.O_RDWR|unix.O_CREAT, 0o777)
	pr.Check(err)
	unix.Fstat(fd, &st2)
	pr.Say("mode of O_CREAT 0777 under umask 022", fmt.Sprintf("%o", st2.Mode))
	unix.Close(fd)
	old := unix.Umask(0o077)
	pr.Say("umask was", fmt.Sprintf("%o", old))
	fd, _ = unix.Open("new2.txt", unix.O_RDWR|unix.O_CREAT, 0o666)
	unix.Fstat(fd, &st2)
	pr.Say("mode under umask 077", fmt.Sprintf("%o", st2.Mode))
	unix.Close(fd)
	unix.Umask(0o022)

	// An unlinked file lives while open.
	fd, _ = unix.Open("gone.txt", unix.O_RDWR|unix.O_CREAT, 0o644)
	unix.Write(fd, []byte("still here"))
	pr.Say("unlink open file", probe.Errno(unix.Unlink("gone.txt")))
	unix.Fstat(fd, &st2)
	pr.Say("nlink after unlink", st2.Nlink)
	n, _ = unix.Pread(fd, b2, 0)
	pr.Say("read after unlink", fmt.Sprintf("%q", b2[:n]))
	unix.Close(fd)
	_, err = os.Stat("gone.txt")
	pr.Say("stat after unlink", probe.Errno(err))
}

func statT(path string) unix.Stat_t {
	var st unix.Stat_t
	pr.Check(unix.Lstat(path, &st))
	return st
}

func appendAndSeek() {
	pr.Check(os.WriteFile("log", []byte("1\n"), 0o644))
	f, err := os.OpenFile("log", os.O_WRONLY|os.O_APPEND, 0)
	pr.Check(err)
	f.Seek(0, io.SeekStart)
	f.WriteString("2\n")
	f.WriteString("3\n")
	off, _ := f.Seek(0, io.SeekCurrent)
	pr.Say("O_APPEND offset", off)
	f.Close()
	b, _ := os.ReadFile("log")
	pr.Say("O_APPEND contents", fmt.Sprintf("%q", b))
}

func directories() {
	pr.Check(os.Mkdir("d", 0o755))
	for _, n := range []string{"c", "a", "b"} {
		pr.Check(os.WriteFile("d/"+n, []byte(n), 0o644))
	}
	pr.Check(os.Mkdir("d/sub", 0o700))
	pr.Check(os.Symlink("a", "d/link"))
	ents, err := os.ReadDir("d")
	var names []string
	for _, e := range ents {
		names = append(names, fmt.Sprintf("%s:%v", e.Name(), e.Type()))
	}
	pr.Say("ReadDir d", fmt.Sprint(names, " ", probe.Errno(err)))
	fi, _ := os.Stat("d/sub")
	pr.Say("Stat d/sub", fmt.Sprint(fi.Mode(), " ", fi.IsDir()))
	st := statT("d")
	pr.Say("d nlink and size", fmt.Sprint(st.Nlink, " ", st.Size))

	// Raw getdents64: "." and ".." first, every name once, then removals
	// while reading and rewinding.
	fd, err := unix.Open("d", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	pr.Check(err)
	all := getdents(fd, 4096)
	pr.Say("getdents . and .. first", len(all) >= 2 && all[0] == "./4" && all[1] == "../4")
	slices.Sort(all)
	pr.Say("getdents names", all)
	unix.Seek(fd, 0, io.SeekStart)
	first := getdents(fd, 48) // room for a few
	pr.Say("getdents small buffer", len(first))
	pr.Check(os.Remove("d/c"))
	pr.Check(os.Remove("d/b"))
	rest := getdents(fd, 4096)
	seen := append(first, rest...)
	slices.Sort(seen)
	pr.Say("after removing c and b, nothing twice", !hasDup(seen))
	unix.Seek(fd, 0, io.SeekStart)
	again := getdents(fd, 4096)
	slices.Sort(again)
	pr.Say("after rewind", again)
	_, err = unix.Getdents(fd, make([]byte, 10))
	unix.Seek(fd, 0, io.SeekStart)
	_, err = unix.Getdents(fd, make([]byte, 10))
	pr.Say("getdents buffer too small", probe.Errno(err))
	unix.Close(fd)
	fd, _ = unix.Open("d/a", unix.O_RDONLY, 0)
	_, err = unix.Getdents(fd, make([]byte, 100))
	pr.Say("getdents on a file", probe.Errno(err))
	unix.Close(fd)

	// A removed directory lists as empty.
	pr.Check(os.Mkdir("gone", 0o755))
	fd, _ = unix.Open("gone", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	pr.Check(unix.Rmdir("gone"))
	pr.Say("getdents of a removed directory", getdents(fd, 4096))
	unix.Close(fd)

	// Directories cannot be written; a dirfd is a start for relative paths.
	_, err = unix.Open("d", unix.O_WRONLY, 0)
	pr.Say("open dir O_WRONLY", probe.Errno(err))
	_, err = unix.Open("d", unix.O_RDWR, 0)
	pr.Say("open dir O_RDWR", probe.Errno(err))
	_, err = unix.Open("d", unix.O_RDONLY|unix.O_CREAT, 0o644)
	pr.Say("open dir O_CREAT", probe.Errno(err))
	dfd, _ := unix.Open("d", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	_, err = unix.Read(dfd, make([]byte, 10))
	pr.Say("read a dir", probe.Errno(err))
	fd, err = unix.Openat(dfd, "a", unix.O_RDONLY, 0)
	b := make([]byte, 10)
	n, _ := unix.Read(fd, b)
	pr.Say("openat dirfd a", fmt.Sprintf("%q %s", b[:n], probe.Errno(err)))
	unix.Close(fd)
	pr.Say("mkdirat dirfd", probe.Errno(unix.Mkdirat(dfd, "sub2", 0o755)))
	var st2 unix.Stat_t
	pr.Say("fstatat dirfd sub2", probe.Errno(unix.Fstatat(dfd, "sub2", &st2, 0)))
	pr.Say("fstatat link nofollow is link", fmt.Sprint(probe.Errno(unix.Fstatat(dfd, "link", &st2, unix.AT_SYMLINK_NOFOLLOW)), " ", st2.Mode&unix.S_IFMT == unix.S_IFLNK, " ", st2.Size))
	pr.Say("fstatat link follows", fmt.Sprint(probe.Errno(unix.Fstatat(dfd, "link", &st2, 0)), " ", st2.Mode&unix.S_IFMT == unix.S_IFREG))
	pr.Say("fstatat AT_EMPTY_PATH", fmt.Sprint(probe.Errno(unix.Fstatat(dfd, "", &st2, unix.AT_EMPTY_PATH)), " ", st2.Mode&unix.S_IFMT == unix.S_IFDIR))
	pr.Say("fstatat empty path", probe.Errno(unix.Fstatat(dfd, "", &st2, 0)))
	pr.Say("unlinkat dir without AT_REMOVEDIR", probe.Errno(unix.Unlinkat(dfd, "sub2", 0)))
	pr.Say("unlinkat AT_REMOVEDIR", probe.Errno(unix.Unlinkat(dfd, "sub2", unix.AT_REMOVEDIR)))
	pr.Say("unlinkat AT_REMOVEDIR on a file", probe.Errno(unix.Unlinkat(dfd, "a", unix.AT_REMOVEDIR)))
	fd, _ = unix.Open("d/a", unix.O_RDONLY, 0)
	_, err = unix.Openat(fd, "x", unix.O_RDONLY, 0)
	pr.Say("openat with a file as dirfd", probe.Errno(err))
	unix.Close(fd)
	_, err = unix.Openat(999, "x", unix.O_RDONLY, 0)
	pr.Say("openat with a bad dirfd", probe.Errno(err))
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
	pr.Check(os.WriteFile("r1", []byte("one"), 0o644))
	pr.Check(os.WriteFile("r2", []byte("two"), 0o644))
	pr.Say("Rename r1 r3", probe.Errno(os.Rename("r1", "r3")))
	pr.Say("Rename over r2", probe.Errno(os.Rename("r3", "r2")))
	b, _ := os.ReadFile("r2")
	pr.Say("r2 now", string(b))
	pr.Check(os.WriteFile("r4", []byte("four"), 0o644))
	pr.Say("RENAME_NOREPLACE", probe.Errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "r2", unix.RENAME_NOREPLACE)))
	pr.Say("RENAME_EXCHANGE", probe.Errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "r2", unix.RENAME_EXCHANGE)))
	b, _ = os.ReadFile("r2")
	b2, _ := os.ReadFile("r4")
	pr.Say("after exchange", string(b)+" "+string(b2))
	pr.Say("RENAME_EXCHANGE with a missing one", probe.Errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "nope", unix.RENAME_EXCHANGE)))
	pr.Say("both flags", probe.Errno(unix.Renameat2(unix.AT_FDCWD, "r4", unix.AT_FDCWD, "r2", unix.RENAME_EXCHANGE|unix.RENAME_NOREPLACE)))
	pr.Check(os.MkdirAll("rd/inner", 0o755))
	pr.Say("dir into itself", probe.Errno(os.Rename("rd", "rd/inner/x")))
	pr.Say("file over dir", probe.Errno(os.Rename("r2", "rd")))
	pr.Say("dir over file", probe.Errno(os.Rename("rd", "r2")))
	pr.Check(os.Mkdir("empty", 0o755))
	pr.Say("dir over empty dir", probe.Errno(os.Rename("rd/inner", "empty")))
	pr.Say("dir over non-empty dir", probe.Errno(os.Rename("empty", "rd")))
	pr.Say("rename missing", probe.Errno(os.Rename("nope", "x")))
	pr.Say("rename dot", probe.Errno(unix.Rename("rd/.", "x")))
	pr.Say("rename file with trailing slash", probe.Errno(unix.Rename("r2/", "x")))
	st := statT("rd")
	pr.Say("rd nlink", st.Nlink)
	pr.Check(os.Mkdir("moved", 0o755))
	pr.Say("move dir across", probe.Errno(os.Rename("empty", "moved/empty")))
	pr.Say("rd and moved nlink", fmt.Sprint(statT("rd").Nlink, " ", statT("moved").Nlink))
	var fs unix.Statfs_t
	pr.Say("statfs", fmt.Sprint(probe.Errno(unix.Statfs(".", &fs)), " ", fs.Namelen, " ", fs.Bsize))
}

func links() {
	pr.Check(os.WriteFile("orig", []byte("data"), 0o644))
	pr.Say("Link", probe.Errno(os.Link("orig", "hard")))
	pr.Say("nlink", statT("orig").Nlink)
	pr.Say("same inode", statT("orig").Ino == statT("hard").Ino)
	pr.Say("Link onto existing", probe.Errno(os.Link("orig", "hard")))
	pr.Check(os.Mkdir("ldir", 0o755))
	pr.Say("Link a dir", probe.Errno(os.Link("ldir", "ldir2")))
	pr.Say("Symlink", probe.Errno(os.Symlink("orig", "sym")))
	t, err := os.Readlink("sym")
	pr.Say("Readlink", t+" "+probe.Errno(err))
	_, err = os.Readlink("orig")
	pr.Say("Readlink a file", probe.Errno(err))
	b := make([]byte, 2)
	n, err := unix.Readlink("sym", b)
	pr.Say("readlink short buffer", fmt.Sprintf("%d %q %s", n, b[:n], probe.Errno(err)))
	pr.Say("linkat a symlink", probe.Errno(unix.Linkat(unix.AT_FDCWD, "sym", unix.AT_FDCWD, "symhard", 0)))
	pr.Say("symhard is a link", statT("symhard").Mode&unix.S_IFMT == unix.S_IFLNK)
	pr.Say("linkat AT_SYMLINK_FOLLOW", probe.Errno(unix.Linkat(unix.AT_FDCWD, "sym", unix.AT_FDCWD, "symfollow", unix.AT_SYMLINK_FOLLOW)))
	pr.Say("symfollow is the file", statT("symfollow").Ino == statT("orig").Ino)
	pr.Say("nlink now", statT("orig").Nlink)
	pr.Check(os.Symlink("dangling-target", "dangling"))
	_, err = os.Stat("dangling")
	pr.Say("Stat dangling", probe.Errno(err))
	_, err = os.Lstat("dangling")
	pr.Say("Lstat dangling", probe.Errno(err))
	pr.Check(os.Symlink("loop2", "loop1"))
	pr.Check(os.Symlink("loop1", "loop2"))
	_, err = os.Stat("loop1")
	pr.Say("Stat a loop", probe.Errno(err))
	_, err = unix.Open("sym", unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	pr.Say("O_NOFOLLOW on a link", probe.Errno(err))
	fd, err := unix.Open("sym", unix.O_PATH|unix.O_NOFOLLOW, 0)
	pr.Say("O_PATH|O_NOFOLLOW on a link", probe.Errno(err))
	var st unix.Stat_t
	unix.Fstat(fd, &st)
	pr.Say("that is the link", st.Mode&unix.S_IFMT == unix.S_IFLNK)
	unix.Close(fd)
	pr.Check(os.Symlink("ldir", "dirlink"))
	fd, err = unix.Open("dirlink/", unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	pr.Say("O_NOFOLLOW with a trailing slash follows", probe.Errno(err))
	unix.Close(fd)
	pr.Say("Symlink onto existing", probe.Errno(os.Symlink("x", "sym")))
	pr.Say("Symlink empty target", probe.Errno(unix.Symlink("", "emptysym")))
	pr.Say("Remove a symlink", probe.Errno(os.Remove("sym")))
	_, err = os.Stat("orig")
	pr.Say("target still there", probe.Errno(err))
}

func attributes() {
	pr.Check(os.WriteFile("m", []byte("x"), 0o644))
	pr.Say("Chmod", probe.Errno(os.Chmod("m", 0o600)))
	fi, _ := os.Stat("m")
	pr.Say("mode", fi.Mode())
	f, _ := os.Open("m")
	pr.Say("fchmod", probe.Errno(f.Chmod(0o751)))
	fi, _ = os.Stat("m")
	pr.Say("mode", fi.Mode())
	pr.Say("fchmodat sticky", probe.Errno(unix.Fchmodat(unix.AT_FDCWD, "m", 0o1755, 0)))
	fi, _ = os.Stat("m")
	pr.Say("mode", fi.Mode())
	f.Close()

	at := time.Date(2001, 2, 3, 4, 5, 6, 789, time.UTC)
	mt := time.Date(2002, 3, 4, 5, 6, 7, 890, time.UTC)
	pr.Say("Chtimes", probe.Errno(os.Chtimes("m", at, mt)))
	st := statT("m")
	pr.Say("atime", time.Unix(st.Atim.Unix()).UTC())
	pr.Say("mtime", time.Unix(st.Mtim.Unix()).UTC())
	pr.Say("Chtimes omit atime", probe.Errno(os.Chtimes("m", time.Time{}, at)))
	st = statT("m")
	pr.Say("atime kept, mtime set", fmt.Sprint(time.Unix(st.Atim.Unix()).UTC(), " ", time.Unix(st.Mtim.Unix()).UTC()))
	before := time.Now().Add(-time.Minute)
	pr.Say("utimensat now", probe.Errno(unix.UtimesNanoAt(unix.AT_FDCWD, "m", nil, 0)))
	st = statT("m")
	pr.Say("mtime is now", time.Unix(st.Mtim.Unix()).After(before))
	bad := []unix.Timespec{{Sec: 0, Nsec: 2e9}, {Sec: 0, Nsec: 0}}
	pr.Say("utimensat bad nsec", probe.Errno(unix.UtimesNanoAt(unix.AT_FDCWD, "m", bad, 0)))
	pr.Say("ctime recent", time.Unix(st.Ctim.Unix()).After(before))

	pr.Check(os.WriteFile("t", []byte("0123456789"), 0o644))
	pr.Say("Truncate", probe.Errno(os.Truncate("t", 4)))
	b, _ := os.ReadFile("t")
	pr.Say("after Truncate", string(b))
	pr.Say("Truncate grows", probe.Errno(os.Truncate("t", 6)))
	b, _ = os.ReadFile("t")
	pr.Say("after growing", fmt.Sprintf("%q", b))
	pr.Say("Truncate a dir", probe.Errno(os.Truncate(".", 0)))
	pr.Say("Truncate negative", probe.Errno(unix.Truncate("t", -1)))

	pr.Say("access F_OK", probe.Errno(unix.Access("t", unix.F_OK)))
	pr.Say("access R_OK|W_OK", probe.Errno(unix.Access("t", unix.R_OK|unix.W_OK)))
	pr.Say("access X_OK on 0644", probe.Errno(unix.Access("t", unix.X_OK)))
	pr.Say("access X_OK on 0751", probe.Errno(unix.Access("m", unix.X_OK)))
	pr.Say("access X_OK on a dir", probe.Errno(unix.Access(".", unix.X_OK)))
	pr.Say("access missing", probe.Errno(unix.Access("nope", unix.F_OK)))
	pr.Say("access bad mode", probe.Errno(unix.Faccessat(unix.AT_FDCWD, "t", 8, 0)))
	pr.Say("faccessat2 nofollow", probe.Errno(unix.Faccessat2(unix.AT_FDCWD, "t", unix.R_OK, unix.AT_SYMLINK_NOFOLLOW)))
}

func errnos() {
	_, err := os.Open("missing")
	pr.Say("open missing", probe.Errno(err))
	_, err = os.Open("missing/x")
	pr.Say("open under missing", probe.Errno(err))
	_, err = os.Open("t/x")
	pr.Say("open under a file", probe.Errno(err))
	_, err = unix.Open("t", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	pr.Say("O_DIRECTORY on a file", probe.Errno(err))
	_, err = unix.Open("t/", unix.O_RDONLY, 0)
	pr.Say("file with trailing slash", probe.Errno(err))
	_, err = unix.Open("newfile/", unix.O_RDWR|unix.O_CREAT, 0o644)
	pr.Say("O_CREAT with trailing slash", probe.Errno(err))
	pr.Say("Mkdir existing", probe.Errno(os.Mkdir("d", 0o755)))
	pr.Say("Mkdir under a file", probe.Errno(os.Mkdir("t/x", 0o755)))
	pr.Say("Mkdir dot", probe.Errno(unix.Mkdir(".", 0o755)))
	pr.Say("Mkdir with trailing slash", probe.Errno(unix.Mkdir("trail/", 0o755)))
	pr.Say("Remove non-empty dir", probe.Errno(unix.Rmdir("d")))
	pr.Say("Rmdir a file", probe.Errno(unix.Rmdir("t")))
	pr.Say("Rmdir dot", probe.Errno(unix.Rmdir(".")))
	pr.Say("Rmdir dotdot", probe.Errno(unix.Rmdir("trail/..")))
	pr.Say("Unlink a dir", probe.Errno(unix.Unlink("d")))
	pr.Say("Unlink file with slash", probe.Errno(unix.Unlink("t/")))
	pr.Say("Unlink dir with slash", probe.Errno(unix.Unlink("d/")))
	pr.Say("Unlink missing", probe.Errno(unix.Unlink("missing")))
	long := strings.Repeat("n", 256)
	_, err = os.Create(long)
	pr.Say("name of 256 bytes", probe.Errno(err))
	_, err = os.Create(strings.Repeat("n", 255))
	pr.Say("name of 255 bytes", probe.Errno(err))
	os.Remove(strings.Repeat("n", 255))
	path := strings.Repeat("a/", 2100)
	_, err = os.Stat(path)
	pr.Say("path of 4200 bytes", probe.Errno(err))
	pr.Say("unlinkat bad flag", probe.Errno(unix.Unlinkat(unix.AT_FDCWD, "t", 0x8000)))
	var st unix.Stat_t
	pr.Say("fstatat bad flag", probe.Errno(unix.Fstatat(unix.AT_FDCWD, "t", &st, 0x4)))
	pr.Say("readlink bad size", probe.Errno(readlinkZero("t")))
	pr.Say("lseek on a pipe", probe.Errno(seekPipe()))
	_, err = unix.Pread(-1, make([]byte, 1), 0)
	pr.Say("pread bad fd", probe.Errno(err))
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
		return probe.Errno(e)
	}
	f, err := os.Create("bad")
	pr.Check(err)
	defer f.Close()
	defer os.Remove("bad")
	fd := f.Fd()
	pr.Say("write from address 16", raw(unix.SYS_WRITE, fd, 16, 8))
	_, err = f.WriteAt([]byte("data"), 0)
	pr.Check(err)
	// Linux looks at the buffer only when it copies: with nothing to
	// read it answers 0 (coracle checks first; the read note says so).
	_, _, e := unix.Syscall6(unix.SYS_PREAD64, fd, 16, 8, 0, 0, 0)
	pr.Say("read into address 16", probe.Errno(e))
	pr.Say("open of a path at address 16", raw(unix.SYS_OPEN, 16, unix.O_RDONLY, 0))
	pr.Say("stat into address 16", raw(unix.SYS_STAT, uintptr(unsafe.Pointer(unsafe.StringData("bad\x00"))), 16, 0))
	pr.Say("write past the end of the address space", raw(unix.SYS_WRITE, fd, 1<<47-4, 8))
	pr.Say("read to a descriptor past the table", raw(unix.SYS_READ, 1<<20, uintptr(unsafe.Pointer(&make([]byte, 8)[0])), 8))
	pr.Say("close of a descriptor past the table", raw(unix.SYS_CLOSE, 1<<20, 0, 0))
	pr.Say("negative descriptor", raw(unix.SYS_FSTAT, ^uintptr(0), uintptr(unsafe.Pointer(new(unix.Stat_t))), 0))
	buf := make([]byte, 64)
	pr.Say("unaligned write", raw(unix.SYS_PWRITE64, fd, uintptr(unsafe.Pointer(&buf[1])), 7))
	pr.Say("unaligned read", raw(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&buf[3])), 5))
	_, _, e = unix.Syscall6(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&buf[0])), 5, ^uintptr(0), 0, 0)
	pr.Say("negative offset", probe.Errno(e))
	pr.Say("mkdir of a name with no end", raw(unix.SYS_MKDIR, 16, 0o755, 0))
}

func readlinkZero(p string) error {
	_, err := unix.Readlink(p, nil)
	return err
}

func seekPipe() error {
	var p [2]int
	pr.Check(unix.Pipe(p[:]))
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	_, err := unix.Seek(p[0], 0, 0)
	return err
}

func workingDir(base string) {
	pr.Check(os.MkdirAll("w1/w2", 0o755))
	pr.Check(os.Chdir("w1/w2"))
	wd, _ := os.Getwd()
	pr.Say("Getwd", strings.TrimPrefix(wd, base))
	pr.Check(os.Chdir(".."))
	wd, _ = os.Getwd()
	pr.Say("Getwd after ..", strings.TrimPrefix(wd, base))
	fd, _ := unix.Open("w2", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	pr.Say("fchdir", probe.Errno(unix.Fchdir(fd)))
	wd, _ = os.Getwd()
	pr.Say("Getwd after fchdir", strings.TrimPrefix(wd, base))
	unix.Close(fd)
	fd, _ = unix.Open("/", unix.O_RDONLY, 0)
	pr.Check(os.Chdir(base))
	pr.Say("Chdir to a file", probe.Errno(os.Chdir("t")))
	pr.Say("Chdir missing", probe.Errno(os.Chdir("missing")))
	fd2, _ := unix.Open("t", unix.O_RDONLY, 0)
	pr.Say("fchdir to a file", probe.Errno(unix.Fchdir(fd2)))
	unix.Close(fd2)
	unix.Close(fd)
	pr.Check(os.Rename("w1", "w1renamed"))
	pr.Check(os.Chdir("w1renamed/w2"))
	wd, _ = os.Getwd()
	pr.Say("Getwd after rename", strings.TrimPrefix(wd, base))
	buf := make([]byte, 3)
	_, err := unix.Getcwd(buf)
	pr.Say("getcwd small buffer", probe.Errno(err))
	pr.Check(os.Chdir(".."))
	pr.Check(os.Mkdir("doomed", 0o755))
	pr.Check(os.Chdir("doomed"))
	pr.Check(os.Remove("../doomed"))
	_, err = unix.Getcwd(make([]byte, 4096))
	pr.Say("getcwd of a removed dir", probe.Errno(err))
	_, err = os.Create("x")
	pr.Say("create in a removed dir", probe.Errno(err))
	pr.Check(os.Chdir(base))
}

func walk() {
	pr.Check(os.MkdirAll("tree/a/b", 0o755))
	pr.Check(os.WriteFile("tree/a/b/f", nil, 0o644))
	pr.Check(os.WriteFile("tree/g", nil, 0o644))
	var seen []string
	filepath.WalkDir("tree", func(p string, d fs.DirEntry, err error) error {
		seen = append(seen, fmt.Sprintf("%s:%v", p, d.IsDir()))
		return err
	})
	pr.Say("WalkDir", seen)
	pr.Say("RemoveAll tree", probe.Errno(os.RemoveAll("tree")))
	_, err := os.Stat("tree")
	pr.Say("tree after RemoveAll", probe.Errno(err))
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
	pr.Say("fill stopped with", probe.Errno(werr))
	pr.Say("wrote some MiB", total > 1<<20)
	var fs unix.Statfs_t
	unix.Statfs(dir, &fs)
	pr.Say("statfs free blocks when full", fs.Bfree < 64)
	// Files leave room for one heap growth of the runtime (the kernel's
	// fileReserve, a little over 5 MiB); the program has touched a few
	// of its own pages since.
	pr.Say("memory free when full is at least 4 MiB", memFreeKiB() >= 4<<10)
	for _, n := range names {
		pr.Check(os.Remove(n))
	}
	err := os.WriteFile(filepath.Join(dir, "again"), chunk, 0o644)
	pr.Say("write after removing", probe.Errno(err))
	pr.Check(os.Remove(filepath.Join(dir, "again")))
	pr.Printf("done")
}

// memFreeKiB returns /proc/meminfo's MemFree, or -1 if it cannot be read.
func memFreeKiB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kib int
		if n, _ := fmt.Sscanf(line, "MemFree: %d kB", &kib); n == 1 {
			return kib
		}
	}
	return -1
}
