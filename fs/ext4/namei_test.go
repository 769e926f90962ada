package ext4

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// nsModel is what the name space of a file system should be: every
// directory's entries, the parent of each directory, each inode's kind,
// link count (non-directories) and symlink target.
type nsModel struct {
	dirs   map[uint32]map[string]uint32
	parent map[uint32]uint32
	kind   map[uint32]byte // 'f' file, 'd' directory, 'l' symlink
	links  map[uint32]int
	target map[uint32]string
}

func (m *nsModel) clone() *nsModel {
	c := &nsModel{dirs: map[uint32]map[string]uint32{}, parent: maps.Clone(m.parent),
		kind: maps.Clone(m.kind), links: maps.Clone(m.links), target: maps.Clone(m.target)}
	for d, ents := range m.dirs {
		c.dirs[d] = maps.Clone(ents)
	}
	return c
}

// loadModel reads the name space of f (through the read side) into a
// model.
func loadModel(t *testing.T, f *FS) *nsModel {
	t.Helper()
	m := &nsModel{dirs: map[uint32]map[string]uint32{}, parent: map[uint32]uint32{RootIno: RootIno},
		kind: map[uint32]byte{RootIno: 'd'}, links: map[uint32]int{}, target: map[uint32]string{}}
	var walk func(d uint32)
	walk = func(d uint32) {
		ents, err := f.ReadDir(d, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		m.dirs[d] = map[string]uint32{}
		for _, e := range ents {
			if e.Name == "." || e.Name == ".." || d == RootIno && e.Name == "lost+found" {
				continue
			}
			m.dirs[d][e.Name] = e.Ino
			st, err := f.Stat(e.Ino)
			if err != nil {
				t.Fatal(err)
			}
			switch st.Mode & sIFMT {
			case sIFDIR:
				m.kind[e.Ino] = 'd'
				m.parent[e.Ino] = d
				walk(e.Ino)
			case sIFLNK:
				m.kind[e.Ino] = 'l'
				m.links[e.Ino] = int(st.Nlink)
				if m.target[e.Ino], err = f.Readlink(e.Ino); err != nil {
					t.Fatal(err)
				}
			default:
				m.kind[e.Ino] = 'f'
				m.links[e.Ino] = int(st.Nlink)
			}
		}
	}
	walk(RootIno)
	return m
}

// below reports whether directory d is x or lies below it.
func (m *nsModel) below(d, x uint32) bool {
	for {
		if d == x {
			return true
		}
		if d == RootIno {
			return false
		}
		d = m.parent[d]
	}
}

func (m *nsModel) subdirs(d uint32) int {
	n := 0
	for _, ino := range m.dirs[d] {
		if m.kind[ino] == 'd' {
			n++
		}
	}
	return n
}

// nlink is what stat should say.
func (m *nsModel) nlink(ino uint32) int {
	if m.kind[ino] == 'd' {
		n := 2 + m.subdirs(ino)
		if ino == RootIno {
			n++ // lost+found
		}
		return n
	}
	return m.links[ino]
}

// drop removes one link of ino (a name is gone).
func (m *nsModel) drop(ino uint32) {
	if m.kind[ino] == 'd' {
		delete(m.dirs, ino)
		delete(m.parent, ino)
		delete(m.kind, ino)
		return
	}
	if m.links[ino]--; m.links[ino] == 0 {
		delete(m.links, ino)
		delete(m.kind, ino)
		delete(m.target, ino)
	}
}

// path is the path of directory d from the root.
func (m *nsModel) path(d uint32) string {
	if d == RootIno {
		return "/"
	}
	p := m.parent[d]
	for name, ino := range m.dirs[p] {
		if ino == d {
			return strings.TrimSuffix(m.path(p), "/") + "/" + name
		}
	}
	panic(fmt.Sprint("no name for directory ", d))
}

// nameOf is the i-th name of the pool the random operations use: of
// several lengths, so that directories outgrow a block.
func nameOf(i int) string {
	return fmt.Sprintf("n%02d-%s", i, strings.Repeat("x", (i*7)%60))
}

// fsOps applies random changes to f and to m alike, comparing outcomes.
type fsOps struct {
	t   *testing.T
	f   *FS
	m   *nsModel
	rng *rand.Rand
}

// dir picks a directory: half of the time the root, so that one
// directory grows through its first blocks (into an htree).
func (o *fsOps) dir() uint32 {
	if o.rng.IntN(2) == 0 {
		return RootIno
	}
	ds := slices.Sorted(maps.Keys(o.m.dirs))
	return ds[o.rng.IntN(len(ds))]
}

func (o *fsOps) name() string { return nameOf(o.rng.IntN(70)) }

// expect compares the error of an operation with the errno the model
// predicts (0: success).
func (o *fsOps) expect(what string, err error, want linux.Errno) bool {
	o.t.Helper()
	if got := ErrnoOf(err); got != want {
		o.t.Fatalf("%s: error %v (errno %d), want errno %d", what, err, got, want)
	}
	return want == 0
}

func (o *fsOps) step() {
	m := o.m
	d, name := o.dir(), o.name()
	existing, exists := m.dirs[d][name]
	want := func(ok bool, errno linux.Errno) linux.Errno {
		if ok {
			return 0
		}
		return errno
	}
	switch op := o.rng.IntN(100); {
	case op < 25:
		ino, err := o.f.Create(d, name, 0o644, 1000, 1000)
		if o.expect(fmt.Sprintf("create %d/%s", d, name), err, want(!exists, linux.EEXIST)) {
			m.dirs[d][name], m.kind[ino], m.links[ino] = ino, 'f', 1
		}
	case op < 37:
		ino, err := o.f.Mkdir(d, name, 0o755, 0, 0)
		if o.expect(fmt.Sprintf("mkdir %d/%s", d, name), err, want(!exists, linux.EEXIST)) {
			m.dirs[d][name], m.kind[ino], m.parent[ino], m.dirs[ino] = ino, 'd', d, map[string]uint32{}
		}
	case op < 45:
		target := strings.Repeat("t", []int{1, 30, 59, 60, 200, 900}[o.rng.IntN(6)])
		ino, err := o.f.Symlink(d, name, target, 0, 0)
		if o.expect(fmt.Sprintf("symlink %d/%s", d, name), err, want(!exists, linux.EEXIST)) {
			m.dirs[d][name], m.kind[ino], m.links[ino], m.target[ino] = ino, 'l', 1, target
		}
	case op < 55:
		var files []uint32
		for _, ino := range slices.Sorted(maps.Keys(m.kind)) {
			if m.kind[ino] != 'd' {
				files = append(files, ino)
			}
		}
		if len(files) == 0 {
			return
		}
		ino := files[o.rng.IntN(len(files))]
		err := o.f.Link(ino, d, name)
		if o.expect(fmt.Sprintf("link %d to %d/%s", ino, d, name), err, want(!exists, linux.EEXIST)) {
			m.dirs[d][name] = ino
			m.links[ino]++
		}
	case op < 70:
		err := o.f.Unlink(d, name)
		errno := linux.Errno(0)
		switch {
		case !exists:
			errno = linux.ENOENT
		case m.kind[existing] == 'd':
			errno = linux.EISDIR
		}
		if o.expect(fmt.Sprintf("unlink %d/%s", d, name), err, errno) {
			delete(m.dirs[d], name)
			m.drop(existing)
		}
	case op < 78:
		err := o.f.Rmdir(d, name)
		errno := linux.Errno(0)
		switch {
		case !exists:
			errno = linux.ENOENT
		case m.kind[existing] != 'd':
			errno = linux.ENOTDIR
		case len(m.dirs[existing]) > 0:
			errno = linux.ENOTEMPTY
		}
		if o.expect(fmt.Sprintf("rmdir %d/%s", d, name), err, errno) {
			delete(m.dirs[d], name)
			m.drop(existing)
		}
	default:
		o.rename(d, name)
	}
}

func (o *fsOps) rename(od uint32, oname string) {
	m := o.m
	nd, nname := o.dir(), o.name()
	var flags uint32
	switch o.rng.IntN(6) {
	case 0:
		flags = linux.RENAME_NOREPLACE
	case 1:
		flags = linux.RENAME_EXCHANGE
	}
	err := o.f.Rename(od, oname, nd, nname, flags)
	what := fmt.Sprintf("rename %d/%s to %d/%s flags %d", od, oname, nd, nname, flags)
	src, sok := m.dirs[od][oname]
	dst, dok := m.dirs[nd][nname]
	isDir := func(ino uint32) bool { return m.kind[ino] == 'd' }
	var errno linux.Errno
	switch {
	case !sok:
		errno = linux.ENOENT
	case dok && flags == linux.RENAME_NOREPLACE:
		errno = linux.EEXIST
	case !dok && flags == linux.RENAME_EXCHANGE:
		errno = linux.ENOENT
	case dok && dst == src:
	case flags == linux.RENAME_EXCHANGE:
		if od != nd && (isDir(src) && m.below(nd, src) || isDir(dst) && m.below(od, dst)) {
			errno = linux.EINVAL
		}
	case isDir(src) && m.below(nd, src):
		errno = linux.EINVAL
	case dok && isDir(src) && !isDir(dst):
		errno = linux.ENOTDIR
	case dok && !isDir(src) && isDir(dst):
		errno = linux.EISDIR
	case dok && isDir(dst) && len(m.dirs[dst]) > 0:
		errno = linux.ENOTEMPTY
	}
	if !o.expect(what, err, errno) || dok && dst == src {
		return
	}
	if flags == linux.RENAME_EXCHANGE {
		m.dirs[od][oname], m.dirs[nd][nname] = dst, src
		if isDir(src) {
			m.parent[src] = nd
		}
		if isDir(dst) {
			m.parent[dst] = od
		}
		return
	}
	delete(m.dirs[od], oname)
	if dok {
		m.drop(dst)
	}
	m.dirs[nd][nname] = src
	if isDir(src) {
		m.parent[src] = nd
	}
}

// checkModel compares the name space of f with m: entries with their
// types, "." and "..", link counts, symlink targets.
func checkModel(t *testing.T, f *FS, m *nsModel) {
	t.Helper()
	if err := modelDiff(f, m); err != nil {
		t.Fatal(err)
	}
}

// modelDiff is checkModel's comparison: the first difference, or nil.
func modelDiff(f *FS, m *nsModel) error {
	types := map[byte]uint8{'f': linux.DT_REG, 'd': linux.DT_DIR, 'l': linux.DT_LNK}
	for d, want := range m.dirs {
		ents, err := f.ReadDir(d, 0, 0)
		if err != nil {
			return fmt.Errorf("readdir %d: %v", d, err)
		}
		got := map[string]uint32{}
		for _, e := range ents {
			switch {
			case e.Name == ".":
				if e.Ino != d {
					return fmt.Errorf("dir %d: . is %d", d, e.Ino)
				}
			case e.Name == "..":
				if e.Ino != m.parent[d] {
					return fmt.Errorf("dir %d: .. is %d, want %d", d, e.Ino, m.parent[d])
				}
			case d == RootIno && e.Name == "lost+found":
			default:
				got[e.Name] = e.Ino
				if e.Type != types[m.kind[e.Ino]] && (e.Type != linux.DT_UNKNOWN || f.sb.features.Incompat&incompatFiletype != 0) {
					return fmt.Errorf("dir %d: %q has type %d, want %c", d, e.Name, e.Type, m.kind[e.Ino])
				}
			}
		}
		if diff := mapDiff(got, want); diff != "" {
			return fmt.Errorf("dir %d (%s): %s", d, m.path(d), diff)
		}
		for name, ino := range want {
			if l, err := f.Lookup(d, name); err != nil || l != ino {
				return fmt.Errorf("lookup %d/%q = %d, %v; want %d", d, name, l, err, ino)
			}
		}
	}
	for ino, k := range m.kind {
		st, err := f.Stat(ino)
		if err != nil {
			return fmt.Errorf("stat %d: %v", ino, err)
		}
		if int(st.Nlink) != m.nlink(ino) {
			return fmt.Errorf("inode %d (%c): %d links, want %d", ino, k, st.Nlink, m.nlink(ino))
		}
		if k == 'l' {
			if s, err := f.Readlink(ino); err != nil || s != m.target[ino] {
				return fmt.Errorf("readlink %d = %.80q, %v; want %.80q", ino, s, err, m.target[ino])
			}
		}
	}
	return nil
}

// mapDiff describes how directory listing got differs from want ("" if
// not at all), briefly.
func mapDiff(got, want map[string]uint32) string {
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(got)) {
		if w, ok := want[n]; !ok || w != got[n] {
			fmt.Fprintf(&b, " %q->%d (want %d)", n, got[n], w)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[n]; !ok {
			fmt.Fprintf(&b, " %q->%d missing", n, want[n])
		}
	}
	if b.Len() > 1000 {
		return b.String()[:1000] + "..."
	}
	return b.String()
}

var debugfsLsLine = regexp.MustCompile(`^/(\d+)/(\d+)/\d+/\d+/([^/]*)/`)

// checkDebugfs compares every directory of m with `debugfs -R 'ls -p'`.
func checkDebugfs(t *testing.T, img string, m *nsModel) {
	t.Helper()
	var req strings.Builder
	var order []uint32
	for _, d := range slices.Sorted(maps.Keys(m.dirs)) {
		fmt.Fprintf(&req, "ls -p %s\n", m.path(d))
		order = append(order, d)
	}
	out := run(t, nil, "debugfs", nil, "-f", writeTemp(t, req.String()), img)
	sections := strings.Split(out, "debugfs: ls -p ")[1:]
	if len(sections) != len(order) {
		t.Fatalf("debugfs gave %d listings for %d directories:\n%.2000s", len(sections), len(order), out)
	}
	for i, sec := range sections {
		d := order[i]
		got := map[string]uint32{}
		for _, line := range strings.Split(sec, "\n")[1:] {
			mm := debugfsLsLine.FindStringSubmatch(line)
			if mm == nil || mm[3] == "." || mm[3] == ".." || d == RootIno && mm[3] == "lost+found" {
				continue
			}
			ino, _ := strconv.ParseUint(mm[1], 10, 32)
			if ino != 0 { // debugfs lists unused records too
				got[mm[3]] = uint32(ino)
			}
		}
		if diff := mapDiff(got, m.dirs[d]); diff != "" {
			t.Fatalf("debugfs ls %s: %s", m.path(d), diff)
		}
	}
}

// nameImage is a small image for the name tests: the small tree with a
// directory of 400 names, linear as mkfs.ext4 -d makes it, or an htree
// after e2fsck -fyD.
func nameImage(t *testing.T, bs int, htree bool, mkfsArgs ...string) string {
	t.Helper()
	tree := smallTree(t)
	for i := range 400 {
		if err := writeFile(filepath.Join(tree, "sub", fmt.Sprintf("entry-%03d-%s", i, strings.Repeat("e", i%40))), ""); err != nil {
			t.Fatal(err)
		}
	}
	img := mkfsImage(t, tree, "64M", append([]string{"-b", strconv.Itoa(bs), "-d", tree}, mkfsArgs...)...)
	if htree {
		run(t, nil, "e2fsck", []int{1}, "-fyD", img)
	}
	return img
}

// TestNamesRandom runs random creates, mkdirs, symlinks, links, unlinks,
// rmdirs and renames against a model, then unmounts and checks the image
// with e2fsck -fn, our reads and debugfs.
func TestNamesRandom(t *testing.T) {
	tool(t, "e2fsck")
	for _, c := range []struct {
		bs       int
		htree    bool
		features string // mkfs.ext4 -O
	}{{1024, false, ""}, {4096, true, ""}, {1024, true, ""}, {1024, false, "^filetype,^dir_index"}} {
		t.Run(fmt.Sprintf("%d-htree=%v%s", c.bs, c.htree, c.features), func(t *testing.T) {
			var args []string
			if c.features != "" {
				args = []string{"-O", c.features}
			}
			img := nameImage(t, c.bs, c.htree, args...)
			f := mountImage(t, img)
			o := &fsOps{t: t, f: f, m: loadModel(t, f), rng: rand.New(rand.NewPCG(uint64(c.bs), 1))}
			for i := range 1500 {
				o.step()
				if i%500 == 499 {
					checkModel(t, f, o.m)
				}
			}
			if err := f.Unmount(); err != nil {
				t.Fatal(err)
			}
			run(t, nil, "e2fsck", nil, "-fn", img)
			checkModel(t, openImage(t, img), o.m)
			checkDebugfs(t, img, o.m)
			root, err := openImage(t, img).inode(RootIno)
			if err != nil {
				t.Fatal(err)
			}
			if index := c.features == ""; c.bs == 1024 && index != (root.flags&flagIndex != 0) {
				t.Errorf("root directory indexed: %v, want %v", !index, index)
			}
			t.Logf("%d directories, %d inodes at the end; root %d bytes", len(o.m.dirs), len(o.m.kind), root.size)
		})
	}
}

// TestNamesCrash syncs after random changes and drops the file system
// without unmounting: a copy of the image, its journal replayed by
// e2fsck, is clean and holds what was synced. Then our own Mount replays
// it.
func TestNamesCrash(t *testing.T) {
	tool(t, "e2fsck")
	img := nameImage(t, 1024, false)
	f := mountImage(t, img)
	o := &fsOps{t: t, f: f, m: loadModel(t, f), rng: rand.New(rand.NewPCG(9, 9))}
	for range 400 {
		o.step()
	}
	if err := f.SyncFS(); err != nil {
		t.Fatal(err)
	}
	crashed := copyImage(t, img)
	ours := copyImage(t, crashed)
	synced := o.m.clone()
	for range 50 { // not synced: may or may not survive
		o.step()
	}
	run(t, nil, "e2fsck", []int{1}, "-E", "journal_only", "-y", crashed)
	run(t, nil, "e2fsck", nil, "-fn", crashed)
	checkModel(t, openImage(t, crashed), synced)
	checkDebugfs(t, crashed, synced)

	g := mountImage(t, ours)
	checkModel(t, g, synced)
	if err := g.Unmount(); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "e2fsck", nil, "-fn", ours)
}

// TestNamesManyInOneDir puts 10,000 names in one directory (an htree
// with index nodes at 1 KiB blocks), removes half and adds them back.
func TestNamesManyInOneDir(t *testing.T) {
	tool(t, "e2fsck")
	img := mkfsImage(t, smallTree(t), "96M", "-b", "1024", "-N", "12000", "-d", smallTree(t))
	f := mountImage(t, img)
	m := loadModel(t, f)
	d, err := f.Mkdir(RootIno, "big", 0o755, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	m.dirs[RootIno]["big"], m.kind[d], m.parent[d], m.dirs[d] = d, 'd', RootIno, map[string]uint32{}
	const n = 10000
	name := func(i int) string { return fmt.Sprintf("file-%05d-%s", i, strings.Repeat("z", i%30)) }
	for i := range n {
		ino, err := f.Create(d, name(i), 0o600, 0, 0)
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		m.dirs[d][name(i)], m.kind[ino], m.links[ino] = ino, 'f', 1
	}
	for i := 0; i < n; i += 2 {
		if err := f.Unlink(d, name(i)); err != nil {
			t.Fatal(err)
		}
		m.drop(m.dirs[d][name(i)])
		delete(m.dirs[d], name(i))
	}
	if err := f.SyncFS(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 2 {
		ino, err := f.Create(d, name(i), 0o600, 0, 0)
		if err != nil {
			t.Fatalf("create %d again: %v", i, err)
		}
		m.dirs[d][name(i)], m.kind[ino], m.links[ino] = ino, 'f', 1
	}
	checkModel(t, f, m)
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "e2fsck", nil, "-fn", img)
	out := debugfsReq(t, img, "htree /big")
	if !strings.Contains(out, "Indirect levels: 1") {
		t.Errorf("debugfs htree /big: want one indirect level:\n%.500s", out)
	}
	checkModel(t, openImage(t, img), m)
	checkDebugfs(t, img, m)
}

// TestDirLinkCounts follows a directory's link count past the limit:
// an htree goes to 1 ("many") and stays there; a count of 2 or 1 does
// not drop.
func TestDirLinkCounts(t *testing.T) {
	f := fakeFS(1024, true)
	in := &inode{links: linkMax - 1, flags: flagIndex}
	incDirLinks(in)
	if in.links != linkMax {
		t.Fatalf("links %d, want %d", in.links, linkMax)
	}
	if err := f.canAddSubdir(in); ErrnoOf(err) != linux.EMLINK {
		t.Fatalf("at the limit without dir_nlink: %v, want EMLINK", err)
	}
	f.sb.features.ROCompat |= roDirNlink
	if err := f.canAddSubdir(in); err != nil {
		t.Fatalf("htree at the limit with dir_nlink: %v", err)
	}
	incDirLinks(in)
	if in.links != 1 {
		t.Fatalf("links %d past the limit, want 1", in.links)
	}
	incDirLinks(in)
	decDirLinks(in)
	if in.links != 1 {
		t.Fatalf("links %d after many, want 1", in.links)
	}
	linear := &inode{links: linkMax}
	if err := f.canAddSubdir(linear); ErrnoOf(err) != linux.EMLINK {
		t.Fatalf("linear directory at the limit: %v, want EMLINK", err)
	}
	two := &inode{links: 2}
	decDirLinks(two)
	if two.links != 2 {
		t.Fatalf("links %d, want 2", two.links)
	}
}

// TestUnlinkHeld unlinks a file that is held open: it stays readable
// until its last Release, which frees it. A crash while it is held
// leaves it on the orphan list, which our next Mount empties.
func TestUnlinkHeld(t *testing.T) {
	tool(t, "e2fsck")
	img := nameImage(t, 1024, false)
	f := mountImage(t, img)
	data := []byte(strings.Repeat("held open ", 500))
	mk := func(name string) uint32 {
		ino, err := f.Create(RootIno, name, 0o644, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(ino, data, 0); err != nil {
			t.Fatal(err)
		}
		f.Hold(ino)
		if err := f.Unlink(RootIno, name); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Lookup(RootIno, name); ErrnoOf(err) != linux.ENOENT {
			t.Fatalf("lookup after unlink: %v", err)
		}
		buf := make([]byte, len(data))
		if n, err := f.ReadAt(ino, buf, 0); n != len(data) || string(buf) != string(data) {
			t.Fatalf("reading the unlinked, held file: %d bytes, %v", n, err)
		}
		return ino
	}
	ino := mk("a")
	if err := f.Release(ino); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Stat(ino); ErrnoOf(err) != linux.ESTALE {
		t.Fatalf("stat after the last release: %v, want ESTALE", err)
	}
	d, err := f.Mkdir(RootIno, "d", 0o755, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Hold(d)
	if err := f.Rmdir(RootIno, "d"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Create(d, "x", 0o644, 0, 0); ErrnoOf(err) != linux.ENOENT {
		t.Fatalf("create in a removed directory: %v, want ENOENT", err)
	}
	if err := f.Release(d); err != nil {
		t.Fatal(err)
	}
	mk("b")
	if err := f.SyncFS(); err != nil {
		t.Fatal(err)
	}
	crashed := copyImage(t, img)
	byFsck := copyImage(t, crashed)
	g := mountImage(t, crashed)
	if err := g.Unmount(); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "e2fsck", nil, "-fn", crashed)
	// e2fsck -p replays the journal and frees the orphans, as at boot.
	run(t, nil, "e2fsck", []int{1}, "-p", byFsck)
	run(t, nil, "e2fsck", nil, "-fn", byFsck)
}

// TestNamesENOSPC fills the disk, then makes directories and files
// until they no longer fit: the call that needs a block it cannot get
// is ENOSPC and leaves nothing behind (no inode, no entry), and the
// file system stays consistent.
func TestNamesENOSPC(t *testing.T) {
	tool(t, "e2fsck")
	img := mkfsImage(t, "", "12M", "-b", "1024", "-d", smallTree(t))
	f := mountImage(t, img)
	m := loadModel(t, f)
	fill, err := f.Create(RootIno, "fill", 0o644, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	m.dirs[RootIno]["fill"], m.kind[fill], m.links[fill] = fill, 'f', 1
	chunk := make([]byte, 1<<20)
	for off := int64(0); err == nil; {
		var n int
		n, err = f.WriteAt(fill, chunk, off)
		off += int64(n)
	}
	if ErrnoOf(err) != linux.ENOSPC {
		t.Fatalf("filling: %v", err)
	}
	mkdirs, creates := 0, 0
	for i := 0; ; i++ {
		name := fmt.Sprintf("dir-%04d", i)
		ino, err := f.Mkdir(RootIno, name, 0o755, 0, 0)
		if err != nil {
			if ErrnoOf(err) != linux.ENOSPC {
				t.Fatalf("mkdir %s: %v", name, err)
			}
			if _, err := f.Lookup(RootIno, name); ErrnoOf(err) != linux.ENOENT {
				t.Fatalf("after a failed mkdir, lookup %s: %v", name, err)
			}
			break
		}
		mkdirs++
		m.dirs[RootIno][name], m.kind[ino], m.parent[ino], m.dirs[ino] = ino, 'd', RootIno, map[string]uint32{}
	}
	for i := 0; ; i++ {
		name := fmt.Sprintf("file-%04d-%s", i, strings.Repeat("f", 200))
		ino, err := f.Create(RootIno, name, 0o644, 0, 0)
		if err != nil {
			if ErrnoOf(err) != linux.ENOSPC {
				t.Fatalf("create %d: %v", i, err)
			}
			break
		}
		creates++
		m.dirs[RootIno][name], m.kind[ino], m.links[ino] = ino, 'f', 1
	}
	t.Logf("after filling: %d directories and %d files fitted", mkdirs, creates)
	checkModel(t, f, m)
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "e2fsck", nil, "-fn", img)
	checkModel(t, openImage(t, img), m)
	checkDebugfs(t, img, m)
}

// TestNamesCrashAnywhere runs batches of random name changes, each
// followed by SyncFS, and cuts the device's writes at a random point of
// one SyncFS (its commit or a checkpoint). After the journal is replayed
// (by e2fsck and by Mount) the image is clean and holds the name space
// of the last completed SyncFS or that of the interrupted one.
func TestNamesCrashAnywhere(t *testing.T) {
	tool(t, "e2fsck")
	base := nameImage(t, 1024, false)
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 5 {
		img := copyImage(t, base)
		f, dev := mountCut(t, img)
		o := &fsOps{t: t, f: f, m: loadModel(t, f), rng: rand.New(rand.NewPCG(uint64(round), 5))}
		synced := o.m.clone()
		for batch := 0; ; batch++ {
			for range 1 + rng.IntN(20) {
				o.step()
			}
			dev.limit = dev.writes + rng.IntN(40)
			if err := f.SyncFS(); err != nil {
				if !errors.Is(err, errCut) {
					t.Fatalf("round %d: SyncFS: %v", round, err)
				}
				t.Logf("round %d: cut in the SyncFS of batch %d", round, batch)
				break
			}
			dev.limit = -1
			synced = o.m.clone()
		}
		states := []*nsModel{synced, o.m}
		match := func(f *FS) error {
			var errs []error
			for i, m := range states {
				err := modelDiff(f, m)
				if err == nil {
					t.Logf("round %d: the %s state", round, []string{"synced", "interrupted"}[i])
					return nil
				}
				errs = append(errs, err)
			}
			return fmt.Errorf("neither the synced state (%v) nor the interrupted one (%v)", errs[0], errs[1])
		}
		a := copyImage(t, img)
		run(t, nil, "e2fsck", []int{1}, "-E", "journal_only", "-y", a)
		run(t, nil, "e2fsck", nil, "-fn", a)
		if err := match(openImage(t, a)); err != nil {
			t.Fatalf("round %d, after e2fsck's replay: %v", round, err)
		}
		b := copyImage(t, img)
		g := mountImage(t, b)
		if err := match(g); err != nil {
			t.Fatalf("round %d, after Mount's replay: %v", round, err)
		}
		if err := g.Unmount(); err != nil {
			t.Fatal(err)
		}
		run(t, nil, "e2fsck", nil, "-fn", b)
	}
}
