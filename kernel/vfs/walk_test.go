package vfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"golang.org/x/sys/unix"
)

// hostTree is a Tree over a directory of the host, read once: every
// answer comes from what the host's file system holds, so Walk can be
// compared with the host kernel's own resolution of the same paths.
type hostTree struct {
	root    Node
	kind    map[Node]Kind
	entries map[Node]map[string]Node
	parent  map[Node]Node
	target  map[Node]string
	// jump makes links magic: following one goes to the node, or
	// fails with the errno.
	jump map[Node]jumpTo
}

type jumpTo struct {
	n Node
	e linux.Errno
}

func loadHostTree(t testing.TB, dir string) *hostTree {
	t.Helper()
	h := &hostTree{kind: map[Node]Kind{}, entries: map[Node]map[string]Node{}, parent: map[Node]Node{}, target: map[Node]string{}}
	var load func(path string, parent Node) Node
	load = func(path string, parent Node) Node {
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			t.Fatal(err)
		}
		n := Node{Ino: uint32(st.Ino)}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			h.kind[n] = KindDir
			h.parent[n] = parent
			if _, seen := h.entries[n]; seen {
				return n
			}
			h.entries[n] = map[string]Node{}
			ents, err := os.ReadDir(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				h.entries[n][e.Name()] = load(filepath.Join(path, e.Name()), n)
			}
		case unix.S_IFLNK:
			h.kind[n] = KindSymlink
			target, err := os.Readlink(path)
			if err != nil {
				t.Fatal(err)
			}
			h.target[n] = target
		default:
			h.kind[n] = KindOther
		}
		return n
	}
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	h.root = Node{Ino: uint32(st.Ino)}
	load(dir, h.root)
	return h
}

func (h *hostTree) Root() Node           { return h.root }
func (h *hostTree) Kind(n Node) Kind     { return h.kind[n] }
func (h *hostTree) Parent(dir Node) Node { return h.parent[dir] }
func (h *hostTree) Lookup(dir Node, name []byte) (Node, linux.Errno) {
	n, ok := h.entries[dir][string(name)]
	if !ok {
		return Node{}, linux.ENOENT
	}
	return n, 0
}
func (h *hostTree) Readlink(n Node, buf []byte) (int, linux.Errno) {
	s := h.target[n]
	if len(s) > len(buf) {
		return 0, linux.ENAMETOOLONG
	}
	return copy(buf, s), 0
}

func (h *hostTree) Jump(n Node) (Node, bool, linux.Errno) {
	j, ok := h.jump[n]
	return j.n, ok, j.e
}

// makeTree builds the tree the tests resolve paths in.
func makeTree(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"d", "d/sub", "d/sub/deep", "e"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"f", "d/g", "d/sub/h", strings.Repeat("n", NameMax)} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"lf":       "f",
		"ld":       "d",
		"labs":     "/d/sub",
		"labsf":    "/f",
		"lup":      "../../../d",
		"lself":    ".",
		"ldot":     "./d/./sub/..",
		"lloop1":   "lloop2",
		"lloop2":   "lloop1",
		"ldang":    "nothere",
		"ldangabs": "/d/made",
		"ldangdir": "nodir/x",
		"ldangsl":  "nothere2/",
		"d/ldang2": "../e/made2",
		"lldang":   "d/ldang2",
		"lslash":   "d/",
		"lfslash":  "f/",
		"lroot":    "/",
		"d/lback":  "..",
		"d/lsib":   "../e",
		"d/sub/lr": "../../lf",
	}
	// A chain of MaxSymlinks links that resolves, and one longer.
	for i := range MaxSymlinks + 1 {
		links["c"+strconv.Itoa(i)] = "c" + strconv.Itoa(i+1)
	}
	links["c"+strconv.Itoa(MaxSymlinks+1)] = "f"
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// hostResolve resolves path as the host kernel does with root as "/":
// the inode it reaches, or the errno.
func hostResolve(t testing.TB, rootfd int, path string, flags Flags) (uint32, linux.Errno) {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT}
	if flags&NoFollow != 0 {
		how.Flags |= unix.O_NOFOLLOW
	}
	fd, err := unix.Openat2(rootfd, path, &how)
	if err != nil {
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			t.Fatalf("openat2 %q: %v", path, err)
		}
		return 0, linux.Errno(errno)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return uint32(st.Ino), 0
}

// compare resolves path with Walk and on the host and reports any
// difference.
func compare(t *testing.T, w *Walker, h *hostTree, rootfd int, path string, flags Flags) {
	t.Helper()
	want, wantErr := hostResolve(t, rootfd, path, flags)
	got, err := w.Walk(h, h.Root(), []byte(path), flags)
	switch {
	case err != wantErr:
		t.Errorf("Walk(%q, %d): errno %d, the host says %d", path, flags, err, wantErr)
	case err == 0 && got.Node.Ino != want:
		t.Errorf("Walk(%q, %d): inode %d, the host says %d", path, flags, got.Node.Ino, want)
	}
}

func openRoot(t testing.TB, dir string) int {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

// TestWalkAgreesWithLinux resolves paths that exercise each rule, with
// and without NoFollow, and compares with the host kernel.
func TestWalkAgreesWithLinux(t *testing.T) {
	dir := makeTree(t)
	h := loadHostTree(t, dir)
	rootfd := openRoot(t, dir)
	defer unix.Close(rootfd)
	var w Walker
	long := strings.Repeat("n", NameMax)
	paths := []string{
		"/", "//", ".", "..", "/..", "../..", "d", "d/", "d//sub///h", "/d/sub/h", "d/./sub/../g",
		"f", "f/", "f/.", "f/..", "f/x", "nothere", "nothere/x", "d/nothere/",
		"lf", "lf/", "ld", "ld/", "ld/g", "ld/sub/../g", "labs", "labs/h", "labsf", "labsf/",
		"lup", "lup/sub", "lself", "lself/lself/d", "ldot", "ldot/sub",
		"lloop1", "lloop1/x", "ldang", "ldang/", "lslash", "lslash/g", "lfslash", "lroot", "lroot/d",
		"d/lback", "d/lback/f", "d/lsib", "d/lsib/", "d/sub/lr", "d/sub/lr/",
		"c0", "c1", "c0/", "c1/",
		long, long + "/", long + "n", "d/" + long + "n" + "/x",
		strings.Repeat("d/../", 800) + "f",
		strings.Repeat("./", PathMax/2-1) + "f",
		strings.Repeat("./", PathMax/2) + "f",
		strings.Repeat("/", PathMax-1),
		"",
	}
	for _, p := range paths {
		for _, flags := range []Flags{0, NoFollow} {
			compare(t, &w, h, rootfd, p, flags)
		}
	}
}

// TestWalkParent checks the Parent mode: the directory and the last name.
func TestWalkParent(t *testing.T) {
	dir := makeTree(t)
	h := loadHostTree(t, dir)
	rootfd := openRoot(t, dir)
	defer unix.Close(rootfd)
	var w Walker
	for _, c := range []struct {
		path, dir, name string
		last            Last
		slash           bool
	}{
		{"new", ".", "new", LastName, false},
		{"d/new/", "d", "new", LastName, true},
		{"ld/sub/new", "d/sub", "new", LastName, false},
		{"lf", ".", "lf", LastName, false}, // the link itself: unlink and rename act on it
		{"d/sub/.", "d/sub", ".", LastDot, false},
		{"d/..", "d", "..", LastDotDot, false},
		{"/", ".", "", LastRoot, true},
		{"labs/new", "d/sub", "new", LastName, false},
	} {
		got, err := w.Walk(h, h.Root(), []byte(c.path), Parent)
		if err != 0 {
			t.Errorf("Walk(%q, Parent): errno %d", c.path, err)
			continue
		}
		want, _ := hostResolve(t, rootfd, c.dir, 0)
		if got.Node.Ino != want || string(got.Name) != c.name || got.Last != c.last || got.Slash != c.slash {
			t.Errorf("Walk(%q, Parent) = inode %d %q last %d slash %v; want inode %d (%s) %q last %d slash %v",
				c.path, got.Node.Ino, got.Name, got.Last, got.Slash, want, c.dir, c.name, c.last, c.slash)
		}
	}
	for path, want := range map[string]linux.Errno{
		"f/new":       linux.ENOTDIR,
		"nothere/new": linux.ENOENT,
		"lloop1/new":  linux.ELOOP,
		"":            linux.ENOENT,
	} {
		if _, err := w.Walk(h, h.Root(), []byte(path), Parent); err != want {
			t.Errorf("Walk(%q, Parent): errno %d, want %d", path, err, want)
		}
	}
}

// TestWalkFollowLast checks Parent|FollowLast, what open(O_CREAT)
// without O_EXCL resolves, against the host: in a fresh tree each time,
// the host's openat2(O_CREAT, RESOLVE_IN_ROOT) makes or opens a file,
// and Walk must name the directory entry that file is now at, or fail
// as the host did (a trailing slash is EISDIR for the caller to give).
func TestWalkFollowLast(t *testing.T) {
	var w Walker
	for _, path := range []string{
		"new", "ldang", "ldangabs", "ldangdir", "ldangsl", "d/ldang2", "lldang", "ldang/",
		"lf", "d/sub/lr", "labsf", "lloop1", "c0", "ld/new", "d/sub/new",
	} {
		dir := makeTree(t)
		h := loadHostTree(t, dir)
		rootfd := openRoot(t, dir)
		how := unix.OpenHow{Flags: unix.O_CREAT | unix.O_WRONLY | unix.O_CLOEXEC, Mode: 0o644, Resolve: unix.RESOLVE_IN_ROOT}
		wantErr := linux.Errno(0)
		var st unix.Stat_t
		fd, err := unix.Openat2(rootfd, path, &how)
		if err != nil {
			wantErr = linux.Errno(err.(syscall.Errno))
		} else {
			if err := unix.Fstat(fd, &st); err != nil {
				t.Fatal(err)
			}
			unix.Close(fd)
		}
		unix.Close(rootfd)
		got, gotErr := w.Walk(h, h.Root(), []byte(path), Parent|FollowLast)
		if gotErr == 0 && got.Slash {
			gotErr = linux.EISDIR
		}
		if gotErr != wantErr {
			t.Errorf("Walk(%q, Parent|FollowLast): errno %d, the host says %d", path, gotErr, wantErr)
			continue
		}
		if gotErr != 0 {
			continue
		}
		after := loadHostTree(t, dir) // the tree with what the host made
		if n := after.entries[got.Node][string(got.Name)]; n.Ino != uint32(st.Ino) {
			t.Errorf("Walk(%q, Parent|FollowLast) = inode %d name %q; the host opened inode %d, not there", path, got.Node.Ino, got.Name, st.Ino)
		}
	}
	// NoFollow keeps the link itself, as Parent alone does.
	h := loadHostTree(t, makeTree(t))
	got, err := w.Walk(h, h.Root(), []byte("ldang"), Parent|FollowLast|NoFollow)
	if err != 0 || string(got.Name) != "ldang" || got.Node != h.Root() {
		t.Errorf("Walk(ldang, Parent|FollowLast|NoFollow) = %+v, %d; want the root and ldang", got, err)
	}
}

// TestWalkMagicLinks: a link the Tree says is magic leads to its node
// itself, as /proc/PID/fd/N does on Linux, whatever its text says;
// NoFollow and Parent leave it alone like any link.
func TestWalkMagicLinks(t *testing.T) {
	h := loadHostTree(t, makeTree(t))
	var w Walker
	node := func(path string) Node {
		t.Helper()
		r, e := w.Walk(h, h.Root(), []byte(path), NoFollow)
		if e != 0 {
			t.Fatalf("Walk(%q): errno %d", path, e)
		}
		return r.Node
	}
	ldang, lloop1, lslash := node("ldang"), node("lloop1"), node("lslash")
	h.jump = map[Node]jumpTo{
		ldang:  {n: node("d/sub")},
		lloop1: {n: node("f")},
		lslash: {e: linux.ENXIO},
	}
	for _, c := range []struct {
		path  string
		flags Flags
		want  string // a path without magic links, or "" for errno
		errno linux.Errno
	}{
		{"ldang", 0, "d/sub", 0},
		{"ldang/", 0, "d/sub", 0},
		{"ldang/deep", 0, "d/sub/deep", 0},
		{"ldang/..", 0, "d", 0},
		{"d/lsib/../ldang/h", 0, "d/sub/h", 0},
		{"ldang/deep", NoFollow, "d/sub/deep", 0},
		{"lloop1", 0, "f", 0},
		{"lloop1/", 0, "", linux.ENOTDIR},
		{"lloop1/x", 0, "", linux.ENOTDIR},
		{"lslash", 0, "", linux.ENXIO},
		{"lslash/g", 0, "", linux.ENXIO},
	} {
		got, e := w.Walk(h, h.Root(), []byte(c.path), c.flags)
		if e != c.errno {
			t.Errorf("Walk(%q, %d): errno %d, want %d", c.path, c.flags, e, c.errno)
			continue
		}
		if e == 0 && got.Node != node(c.want) {
			t.Errorf("Walk(%q, %d) = %v, want %s (%v)", c.path, c.flags, got.Node, c.want, node(c.want))
		}
	}
	for _, l := range []string{"ldang", "lloop1", "lslash"} {
		got, e := w.Walk(h, h.Root(), []byte(l), NoFollow)
		if e != 0 || h.Kind(got.Node) != KindSymlink {
			t.Errorf("Walk(%q, NoFollow) = %v, %d: want the link itself", l, got.Node, e)
		}
		got, e = w.Walk(h, h.Root(), []byte(l), Parent)
		if e != 0 || got.Node != h.Root() || string(got.Name) != l {
			t.Errorf("Walk(%q, Parent) = %v %q, %d: want the root and the link's name", l, got.Node, got.Name, e)
		}
	}
}

// TestWalkDoesNotAllocate: trap context cannot allocate.
func TestWalkDoesNotAllocate(t *testing.T) {
	h := loadHostTree(t, makeTree(t))
	var w Walker
	path := []byte("ld/sub/../../lself/d/sub/lr")
	if n := testing.AllocsPerRun(100, func() {
		if _, err := w.Walk(h, h.Root(), path, 0); err != 0 {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Walk allocates %v times per call", n)
	}
}

// FuzzWalk builds paths from the tree's names, dots, slashes and links,
// and compares every resolution with the host kernel's.
func FuzzWalk(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, false)
	f.Add([]byte{5, 9, 14, 3, 200}, true)
	f.Add([]byte{12, 12, 1, 7, 0, 255}, false)
	dir := makeTree(f)
	h := loadHostTree(f, dir)
	rootfd := openRoot(f, dir)
	words := []string{"d", "f", "sub", "g", "h", "deep", "e", ".", "..", "", "x",
		"lf", "ld", "labs", "labsf", "lup", "lself", "ldot", "lloop1", "ldang",
		"lslash", "lfslash", "lroot", "lback", "lsib", "lr", "c0", "c30"}
	var w Walker
	f.Fuzz(func(t *testing.T, choice []byte, noFollow bool) {
		var b bytes.Buffer
		for i, c := range choice {
			if i > 0 || c&0x80 != 0 {
				b.WriteByte('/')
			}
			if c&0x40 != 0 {
				b.WriteByte('/')
			}
			b.WriteString(words[int(c&0x3f)%len(words)])
		}
		flags := Flags(0)
		if noFollow {
			flags = NoFollow
		}
		compare(t, &w, h, rootfd, b.String(), flags)
	})
}

// mountTree is a hostTree whose directory d/sub is a mount point.
type mountTree struct {
	*hostTree
	mount Node
}

func (m mountTree) MountPoint(n Node) bool { return n == m.mount }

// TestWalkStopsAtMountPoint: a walk that reaches a mount point by name,
// directly or through links, stops there and leaves the rest; one that
// only names it as the last component with Parent does not.
func TestWalkStopsAtMountPoint(t *testing.T) {
	dir := makeTree(t)
	h := loadHostTree(t, dir)
	rootfd := openRoot(t, dir)
	defer unix.Close(rootfd)
	sub, _ := hostResolve(t, rootfd, "d/sub", 0)
	m := mountTree{h, Node{Ino: uint32(sub)}}
	var w Walker
	for _, c := range []struct {
		path  string
		flags Flags
		rest  string
		slash bool
	}{
		{"d/sub", 0, "", false},
		{"d/sub/", 0, "/", true},
		{"d/sub/h", 0, "/h", true},
		{"/d/sub//x/../y", NoFollow, "//x/../y", true},
		{"d/sub/new", Parent, "/new", true},
		{"ld/sub/h", 0, "/h", true},
		{"labs/anything", 0, "/anything", true}, // labs points at /d/sub
		{"d/./sub/.", 0, "/.", true},
	} {
		got, err := w.WalkMounts(m, m, m.Root(), []byte(c.path), c.flags)
		if err != 0 || got.Last != LastMount || got.Node != m.mount || string(got.Rest) != c.rest || got.Slash != c.slash {
			t.Errorf("Walk(%q, %d) = node %v last %d rest %q slash %v errno %d; want the mount point, rest %q slash %v",
				c.path, c.flags, got.Node, got.Last, got.Rest, got.Slash, err, c.rest, c.slash)
		}
	}
	if got, err := w.WalkMounts(m, m, m.Root(), []byte("d/sub"), Parent); err != 0 || got.Last != LastName || string(got.Name) != "sub" {
		t.Errorf("Walk(d/sub, Parent) = last %d name %q errno %d; want the name in d", got.Last, got.Name, err)
	}
	if got, err := w.WalkMounts(m, m, m.Root(), []byte("d/g"), 0); err != 0 || got.Last == LastMount {
		t.Errorf("Walk(d/g) = last %d errno %d; want an ordinary result", got.Last, err)
	}
	// ".." right after the mount point is the mount point's parent, as
	// from a mounted file system's root on Linux: the walk goes on.
	g, _ := hostResolve(t, rootfd, "d/g", 0)
	for _, p := range []string{"d/sub/../g", "d/sub/./../g", "d/sub//..//g", "ld/sub/../g"} {
		if got, err := w.WalkMounts(m, m, m.Root(), []byte(p), 0); err != 0 || got.Last == LastMount || got.Node.Ino != uint32(g) {
			t.Errorf("Walk(%q) = node %v last %d errno %d; want d/g", p, got.Node, got.Last, err)
		}
	}
}

// hostResolveHow is hostResolve from dirfd with openat2's resolve flags
// for flags' Beneath, InRoot, NoSymlinks and NoXDev.
func hostResolveHow(t testing.TB, dirfd int, path string, flags Flags) (uint32, linux.Errno) {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC}
	for f, r := range map[Flags]uint64{Beneath: unix.RESOLVE_BENEATH, InRoot: unix.RESOLVE_IN_ROOT,
		NoSymlinks: unix.RESOLVE_NO_SYMLINKS, NoXDev: unix.RESOLVE_NO_XDEV} {
		if flags&f != 0 {
			how.Resolve |= r
		}
	}
	if flags&NoFollow != 0 {
		how.Flags |= unix.O_NOFOLLOW
	}
	fd, err := unix.Openat2(dirfd, path, &how)
	if err != nil {
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			t.Fatalf("openat2 %q: %v", path, err)
		}
		return 0, linux.Errno(errno)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return uint32(st.Ino), 0
}

// TestWalkResolveFlags resolves paths from the tree's root and from a
// directory inside it with openat2's scoping flags and compares with the
// host kernel.
func TestWalkResolveFlags(t *testing.T) {
	dir := makeTree(t)
	h := loadHostTree(t, dir)
	var w Walker
	paths := []string{
		"f", "/f", "..", "../f", "d/..", "d/../..", "lf", "ld/g", "labs", "labs/h", "lup", "lself",
		"ldot", "lroot", "d/lback", "d/lsib", "sub/lr", "g", "sub/../g", "/", ".", "lloop1", "ldang", "c0",
	}
	for _, from := range []string{".", "d"} {
		fd := openRoot(t, filepath.Join(dir, from))
		start := h.root
		if from != "." {
			start = h.entries[h.root][from]
		}
		for _, scope := range []Flags{Beneath, InRoot} {
			for _, extra := range []Flags{0, NoSymlinks, NoXDev, NoFollow, NoSymlinks | NoFollow} {
				flags := scope | extra
				for _, p := range paths {
					want, wantErr := hostResolveHow(t, fd, p, flags)
					got, err := w.Walk(h, start, []byte(p), flags)
					switch {
					case err != wantErr:
						t.Errorf("from %s Walk(%q, %#x): errno %d, the host says %d", from, p, flags, err, wantErr)
					case err == 0 && got.Node.Ino != want:
						t.Errorf("from %s Walk(%q, %#x): inode %d, the host says %d", from, p, flags, got.Node.Ino, want)
					}
				}
			}
		}
		unix.Close(fd)
	}
}
