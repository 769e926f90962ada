package tmpfs

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/vfs"
	"golang.org/x/sys/unix"
)

// The same operations, on a tmpfs and on a directory of the host, must
// answer the same and leave the same tree: the host's kernel is the
// reference for every error and every effect.

// ours applies operations to a tmpfs the way the system calls will:
// resolve the path with a vfs.Walker, then call the file system.
type ours struct {
	fs  FS
	w   vfs.Walker
	now int64
}

func (o *ours) walk(path string, flags vfs.Flags) (vfs.Result, linux.Errno) {
	return o.w.Walk(&o.fs, o.fs.Root(), []byte(path), flags)
}

// parent resolves the directory and name an operation creates or
// removes; "." and ".." and "/" are refused with what Linux says for op.
func (o *ours) parent(path string, dotErr linux.Errno) (Ino, []byte, linux.Errno) {
	r, e := o.walk(path, vfs.Parent)
	if e != 0 {
		return 0, nil, e
	}
	if r.Last != vfs.LastName {
		return 0, nil, dotErr
	}
	return r.Node.Ino, append([]byte(nil), r.Name...), 0
}

func (o *ours) tick() int64 { o.now++; return o.now }

func errnoOf(err error) linux.Errno {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return linux.Errno(e)
	}
	panic(err)
}

// An op is one operation, run on both sides.
type op struct {
	kind   string
	a, b   string
	off, n int64
	flags  uint32
	data   []byte
}

func (p op) String() string {
	return fmt.Sprintf("%s(%q, %q, off %d, n %d, flags %d)", p.kind, p.a, p.b, p.off, p.n, p.flags)
}

// host runs p in the directory dirfd.
func host(dirfd int, p op) (linux.Errno, string) {
	switch p.kind {
	case "mkdir":
		return errnoOf(unix.Mkdirat(dirfd, p.a, 0o755)), ""
	case "create":
		fd, err := unix.Openat(dirfd, p.a, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		if err == nil {
			unix.Close(fd)
		}
		return errnoOf(err), ""
	case "unlink":
		return errnoOf(unix.Unlinkat(dirfd, p.a, 0)), ""
	case "rmdir":
		return errnoOf(unix.Unlinkat(dirfd, p.a, unix.AT_REMOVEDIR)), ""
	case "rename":
		return errnoOf(unix.Renameat2(dirfd, p.a, dirfd, p.b, uint(p.flags))), ""
	case "symlink":
		return errnoOf(unix.Symlinkat(p.b, dirfd, p.a)), ""
	case "link":
		return errnoOf(unix.Linkat(dirfd, p.a, dirfd, p.b, 0)), ""
	case "write", "truncate", "read":
		flags := unix.O_WRONLY
		if p.kind == "read" {
			flags = unix.O_RDONLY
		}
		fd, err := unix.Openat(dirfd, p.a, flags|unix.O_CLOEXEC, 0)
		if err != nil {
			return errnoOf(err), ""
		}
		defer unix.Close(fd)
		switch p.kind {
		case "write":
			_, err = unix.Pwrite(fd, p.data, p.off)
		case "truncate":
			err = unix.Ftruncate(fd, p.n)
		case "read":
			b := make([]byte, p.n)
			n, err := unix.Pread(fd, b, p.off)
			if err != nil {
				return errnoOf(err), ""
			}
			return 0, string(b[:n])
		}
		return errnoOf(err), ""
	}
	panic(p.kind)
}

// mine runs p on the tmpfs.
func (o *ours) run(p op) (linux.Errno, string) {
	now := o.tick()
	switch p.kind {
	case "mkdir":
		dir, name, e := o.parent(p.a, linux.EEXIST)
		if e != 0 {
			return e, ""
		}
		_, e = o.fs.Mkdir(dir, name, 0o755, now)
		return e, ""
	case "create":
		if r, e := o.walk(p.a, vfs.NoFollow); e == 0 {
			if r.Slash {
				return linux.EISDIR, ""
			}
			return linux.EEXIST, "" // O_EXCL: whatever is there
		}
		dir, name, e := o.parent(p.a, linux.EISDIR)
		if e != 0 {
			return e, ""
		}
		if r, _ := o.walk(p.a, vfs.Parent); r.Slash {
			return linux.EISDIR, ""
		}
		_, e = o.fs.Create(dir, name, 0o644, now)
		return e, ""
	case "unlink":
		r, e := o.walk(p.a, vfs.Parent)
		if e != 0 {
			return e, ""
		}
		if r.Last != vfs.LastName {
			return linux.EISDIR, ""
		}
		if r.Slash {
			if t, e := o.walk(p.a, vfs.NoFollow); e != 0 {
				return e, ""
			} else if o.fs.Kind(t.Node) == vfs.KindDir {
				return linux.EISDIR, ""
			}
			return linux.ENOTDIR, ""
		}
		return o.fs.Unlink(r.Node.Ino, r.Name, now), ""
	case "rmdir":
		r, e := o.walk(p.a, vfs.Parent)
		if e != 0 {
			return e, ""
		}
		switch r.Last {
		case vfs.LastDot:
			return linux.EINVAL, ""
		case vfs.LastDotDot:
			return linux.ENOTEMPTY, ""
		case vfs.LastRoot:
			return linux.EBUSY, ""
		}
		return o.fs.Rmdir(r.Node.Ino, r.Name, now), ""
	case "rename":
		ra, e := o.walk(p.a, vfs.Parent)
		if e != 0 {
			return e, ""
		}
		oname := append([]byte(nil), ra.Name...)
		rb, e := o.walk(p.b, vfs.Parent)
		if e != 0 {
			return e, ""
		}
		if ra.Last != vfs.LastName || rb.Last != vfs.LastName {
			return linux.EBUSY, ""
		}
		return o.fs.Rename(ra.Node.Ino, oname, rb.Node.Ino, rb.Name, p.flags, now), ""
	case "symlink":
		dir, name, e := o.parent(p.a, linux.EEXIST)
		if e != 0 {
			return e, ""
		}
		_, e = o.fs.Symlink(dir, name, []byte(p.b), now)
		return e, ""
	case "link":
		src, e := o.walk(p.a, vfs.NoFollow)
		if e != 0 {
			return e, ""
		}
		dir, name, e := o.parent(p.b, linux.EEXIST)
		if e != 0 {
			return e, ""
		}
		return o.fs.Link(src.Node.Ino, dir, name, now), ""
	case "write", "truncate", "read":
		r, e := o.walk(p.a, 0)
		if e != 0 {
			return e, ""
		}
		if o.fs.Kind(r.Node) == vfs.KindDir && p.kind != "read" {
			return linux.EISDIR, ""
		}
		switch p.kind {
		case "write":
			_, e = o.fs.Write(r.Node.Ino, p.off, p.data, now)
		case "truncate":
			e = o.fs.Truncate(r.Node.Ino, p.n, now)
		case "read":
			b := make([]byte, p.n)
			n, e := o.fs.Read(r.Node.Ino, p.off, b)
			return e, string(b[:n])
		}
		return e, ""
	}
	panic(p.kind)
}

// randomOp makes an operation on a small set of names, so that they
// collide often.
func randomOp(rng *rand.Rand) op {
	names := []string{"a", "b", "c", "d", "e", "d/a", "d/b", "d/e", "d/e/a", "d/e/b", "e/a", "e/d", "la", "ld", "d/ld", "x/y"}
	pick := func() string {
		s := names[rng.IntN(len(names))]
		if rng.IntN(8) == 0 {
			s = "d/../" + s
		}
		return s
	}
	kinds := []string{"mkdir", "mkdir", "create", "create", "unlink", "rmdir", "rename", "symlink", "link", "write", "write", "truncate", "read"}
	p := op{kind: kinds[rng.IntN(len(kinds))], a: pick(), b: pick()}
	switch p.kind {
	case "rename":
		p.flags = []uint32{0, 0, linux.RENAME_NOREPLACE, linux.RENAME_EXCHANGE}[rng.IntN(4)]
	case "symlink":
		p.b = []string{"a", "d", "d/e", "d/../a", "nothere", "la"}[rng.IntN(6)] // nothing leaves the root: the host has more above it
	case "write":
		p.off = []int64{0, 1, PageSize - 3, 5 * PageSize, fanout*PageSize - 2}[rng.IntN(5)]
		p.data = bytes.Repeat([]byte{byte('A' + rng.IntN(26))}, 1+rng.IntN(3*PageSize))
	case "truncate":
		p.n = []int64{0, 7, PageSize, 3*PageSize + 5, 2 * fanout * PageSize}[rng.IntN(5)]
	case "read":
		p.off = int64(rng.IntN(6 * PageSize))
		p.n = int64(rng.IntN(3 * PageSize))
	}
	return p
}

// snapshot lists a tree: every path with its type, size, links and
// content (data or link target).
func snapshot(t *testing.T, list func(dir string) []string, info func(path string) string, dir string) string {
	var lines []string
	var walk func(dir string)
	walk = func(dir string) {
		for _, name := range list(dir) {
			p := strings.TrimPrefix(dir+"/"+name, "/")
			s := info(p)
			lines = append(lines, p+" "+s)
			if strings.HasPrefix(s, "dir") {
				walk(p)
			}
		}
	}
	walk(dir)
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func hostSnapshot(t *testing.T, root string) string {
	return snapshot(t, func(dir string) []string {
		ents, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		return names
	}, func(p string) string {
		full := filepath.Join(root, p)
		var st unix.Stat_t
		if err := unix.Lstat(full, &st); err != nil {
			t.Fatal(err)
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			return fmt.Sprintf("dir nlink %d", st.Nlink)
		case unix.S_IFLNK:
			target, _ := os.Readlink(full)
			return "link " + target
		}
		data, err := os.ReadFile(full)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("file nlink %d size %d sum %x", st.Nlink, st.Size, digest(data))
	}, "")
}

func digest(b []byte) uint64 {
	var h uint64 = 14695981039346656037
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

func (o *ours) snapshot(t *testing.T) string {
	return snapshot(t, func(dir string) []string {
		path := dir
		if path == "" {
			path = "."
		}
		r, e := o.walk(path, vfs.NoFollow)
		if e != 0 {
			t.Fatalf("walk %q: %d", path, e)
		}
		var names []string
		o.fs.ReadDir(r.Node.Ino, 0, func(_ Ino, name []byte, _ uint32, _ uint64) bool {
			names = append(names, string(name))
			return true
		})
		return names
	}, func(p string) string {
		r, e := o.walk(p, vfs.NoFollow)
		if e != 0 {
			t.Fatalf("walk %q: %d", p, e)
		}
		a := o.fs.Getattr(r.Node.Ino)
		switch a.Mode & linux.S_IFMT {
		case linux.S_IFDIR:
			return fmt.Sprintf("dir nlink %d", a.Nlink)
		case linux.S_IFLNK:
			var b [vfs.PathMax]byte
			n, _ := o.fs.Readlink(r.Node, b[:])
			return "link " + string(b[:n])
		}
		data := make([]byte, a.Size)
		o.fs.Read(r.Node.Ino, 0, data)
		return fmt.Sprintf("file nlink %d size %d sum %x", a.Nlink, a.Size, digest(data))
	}, "")
}

// TestAgainstLinux runs random operations on both and compares every
// answer, and the whole tree after each step.
func TestAgainstLinux(t *testing.T) {
	seeds := 16
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		root := t.TempDir()
		dirfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		pages := newFakePages(t, 4096)
		var o ours
		if e := o.fs.Init(pages, 1, 0o755, 0); e != 0 {
			t.Fatal(e)
		}
		rng := rand.New(rand.NewPCG(seed, 99))
		start := []op{{kind: "mkdir", a: "d"}, {kind: "mkdir", a: "e"}, {kind: "mkdir", a: "d/e"},
			{kind: "create", a: "a"}, {kind: "create", a: "d/a"}, {kind: "symlink", a: "ld", b: "d"}}
		for step := range 300 {
			p := randomOp(rng)
			if step < len(start) {
				p = start[step]
			}
			wantErr, wantOut := host(dirfd, p)
			gotErr, gotOut := o.run(p)
			if gotErr != wantErr || gotOut != wantOut {
				t.Fatalf("seed %d step %d %v: errno %d (%d bytes), Linux %d (%d bytes)\nours:\n%s\nLinux:\n%s",
					seed, step, p, gotErr, len(gotOut), wantErr, len(wantOut), o.snapshot(t), hostSnapshot(t, root))
			}
			if got, want := o.snapshot(t), hostSnapshot(t, root); got != want {
				t.Fatalf("seed %d step %d %v: trees differ\nours:\n%s\nLinux:\n%s", seed, step, p, got, want)
			}
		}
		unix.Close(dirfd)
	}
}
