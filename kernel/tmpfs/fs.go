package tmpfs

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// maxLinks bounds a file's hard links (EMLINK), as Linux's tmpfs does
// with its link count.
const maxLinks = 1<<31 - 1

// An FS is one tmpfs. Its zero value is unusable: call Init.
type FS struct {
	pages      Pages
	id         uint16
	inodePages [MaxInodes / inodesPerPage]uint64
	free       Ino // first free inode, threaded through inode.data
	inodes     int // live inodes
	mapper     Mapper
}

var _ vfs.Tree = (*FS)(nil)

// Init makes an empty file system whose root directory has mode perm,
// with id as its vfs.Node FS number.
//
// Boot path: stores the Pages interface, which has pointers; trap
// context only reads it.
func (fs *FS) Init(pages Pages, id uint16, perm uint32, now int64) linux.Errno {
	*fs = FS{pages: pages, id: id}
	root, e := fs.newInode(linux.S_IFDIR|perm&0o7777, now)
	if e != 0 {
		return e
	}
	if root != RootIno {
		return linux.EINVAL // cannot happen: a fresh table hands out 1 first
	}
	n := fs.inode(root)
	n.nlink, n.parent, n.size = 2, root, 2*direntSize
	return 0
}

// Inodes returns the number of live inodes.
func (fs *FS) Inodes() int { return fs.inodes }

// Root implements vfs.Tree.
func (fs *FS) Root() vfs.Node { return fs.node(RootIno) }

func (fs *FS) node(ino Ino) vfs.Node { return vfs.Node{FS: fs.id, Ino: ino} }

// Kind implements vfs.Tree.
func (fs *FS) Kind(n vfs.Node) vfs.Kind {
	switch fs.inode(n.Ino).mode & linux.S_IFMT {
	case linux.S_IFDIR:
		return vfs.KindDir
	case linux.S_IFLNK:
		return vfs.KindSymlink
	}
	return vfs.KindOther
}

// Lookup implements vfs.Tree.
func (fs *FS) Lookup(dir vfs.Node, name []byte) (vfs.Node, linux.Errno) {
	if ino := fs.dirLookup(fs.inode(dir.Ino), name); ino != 0 {
		return fs.node(ino), 0
	}
	return vfs.Node{}, linux.ENOENT
}

// Parent implements vfs.Tree.
func (fs *FS) Parent(dir vfs.Node) vfs.Node { return fs.node(fs.inode(dir.Ino).parent) }

// Jump implements vfs.Tree: a tmpfs link always names a path.
func (fs *FS) Jump(vfs.Node) (vfs.Node, bool, linux.Errno) { return vfs.Node{}, false, 0 }

// Readlink implements vfs.Tree.
func (fs *FS) Readlink(n vfs.Node, buf []byte) (int, linux.Errno) {
	in := fs.inode(n.Ino)
	if in.mode&linux.S_IFMT != linux.S_IFLNK {
		return 0, linux.EINVAL
	}
	if in.size > int64(len(buf)) {
		return 0, linux.ENAMETOOLONG
	}
	return copy(buf, fs.pages.Page(in.data)[:in.size]), 0
}

// isDir reports whether ino is a directory.
func (fs *FS) isDir(ino Ino) bool { return fs.inode(ino).mode&linux.S_IFMT == linux.S_IFDIR }

// checkNew finds whether name may be added to dir: ENOTDIR, ENOENT for a
// removed directory, EEXIST if it is there.
func (fs *FS) checkNew(dir Ino, name []byte) linux.Errno {
	d := fs.inode(dir)
	switch {
	case d.mode&linux.S_IFMT != linux.S_IFDIR:
		return linux.ENOTDIR
	case d.nlink == 0:
		return linux.ENOENT
	case len(name) > vfs.NameMax:
		return linux.ENAMETOOLONG
	case fs.dirLookup(d, name) != 0:
		return linux.EEXIST
	}
	return 0
}

// add makes a new inode of mode and enters it in dir as name.
func (fs *FS) add(dir Ino, name []byte, mode uint32, now int64) (Ino, linux.Errno) {
	if e := fs.checkNew(dir, name); e != 0 {
		return 0, e
	}
	ino, e := fs.newInode(mode, now)
	if e != 0 {
		return 0, e
	}
	if e := fs.dirInsert(fs.inode(dir), name, ino); e != 0 {
		fs.freeInode(ino)
		return 0, e
	}
	d := fs.inode(dir)
	d.mtime, d.ctime = now, now
	return ino, 0
}

// Create makes an empty regular file name in dir with permissions perm.
func (fs *FS) Create(dir Ino, name []byte, perm uint32, now int64) (Ino, linux.Errno) {
	return fs.add(dir, name, linux.S_IFREG|perm&0o7777, now)
}

// CreateUnnamed makes a regular file with permissions perm and no
// name, as open(2) with O_TMPFILE does in directory dir: it has no link
// and lives while the caller keeps it open (Open right after). With
// linkable, Link may give it a name once (linkat with AT_EMPTY_PATH);
// without (O_EXCL), never. ENOTDIR if dir is no directory, ENOENT if it
// was removed.
func (fs *FS) CreateUnnamed(dir Ino, perm uint32, linkable bool, now int64) (Ino, linux.Errno) {
	d := fs.inode(dir)
	switch {
	case d.mode&linux.S_IFMT != linux.S_IFDIR:
		return 0, linux.ENOTDIR
	case d.nlink == 0:
		return 0, linux.ENOENT
	}
	ino, e := fs.newInode(linux.S_IFREG|perm&0o7777, now)
	if e != 0 {
		return 0, e
	}
	n := fs.inode(ino)
	n.nlink = 0
	if linkable {
		n.parent = dir // a regular file's parent marks it linkable
	}
	return ino, 0
}

// Mknod makes a character device node name in dir with permissions
// perm and device number rdev (mknod(2) with S_IFCHR). tmpfs only keeps
// the number: reading and writing the device is the caller's, as
// Linux's tmpfs leaves it to the driver; Read, Write and Truncate refuse
// the node with EINVAL.
func (fs *FS) Mknod(dir Ino, name []byte, perm uint32, rdev uint64, now int64) (Ino, linux.Errno) {
	ino, e := fs.add(dir, name, linux.S_IFCHR|perm&0o7777, now)
	if e != 0 {
		return 0, e
	}
	fs.inode(ino).data = rdev
	return ino, 0
}

// Mkdir makes an empty directory name in dir.
func (fs *FS) Mkdir(dir Ino, name []byte, perm uint32, now int64) (Ino, linux.Errno) {
	if e := fs.checkNew(dir, name); e == 0 && fs.inode(dir).nlink >= maxLinks {
		return 0, linux.EMLINK
	}
	ino, e := fs.add(dir, name, linux.S_IFDIR|perm&0o7777, now)
	if e != 0 {
		return 0, e
	}
	n := fs.inode(ino)
	n.nlink, n.parent, n.size = 2, dir, 2*direntSize
	fs.inode(dir).nlink++
	return ino, 0
}

// Symlink makes a symbolic link name in dir to target.
func (fs *FS) Symlink(dir Ino, name, target []byte, now int64) (Ino, linux.Errno) {
	switch {
	case len(target) == 0:
		return 0, linux.ENOENT
	case len(target) >= vfs.PathMax:
		return 0, linux.ENAMETOOLONG
	}
	if e := fs.checkNew(dir, name); e != 0 {
		return 0, e
	}
	pa, ok := fs.pages.Alloc()
	if !ok {
		return 0, linux.ENOSPC
	}
	copy(fs.pages.Page(pa)[:], target)
	ino, e := fs.add(dir, name, linux.S_IFLNK|0o777, now)
	if e != 0 {
		fs.pages.Free(pa)
		return 0, e
	}
	n := fs.inode(ino)
	n.data, n.size = pa, int64(len(target))
	return ino, 0
}

// Link enters ino in dir as name too: EPERM for a directory.
func (fs *FS) Link(ino, dir Ino, name []byte, now int64) linux.Errno {
	// Linux finds the new name taken before it looks at the file.
	if e := fs.checkNew(dir, name); e != 0 {
		return e
	}
	n := fs.inode(ino)
	switch {
	case n.mode&linux.S_IFMT == linux.S_IFDIR:
		return linux.EPERM
	case n.nlink == 0 && (n.mode&linux.S_IFMT != linux.S_IFREG || n.parent == 0):
		return linux.ENOENT // unlinked, only open, and not a linkable CreateUnnamed file
	case n.nlink >= maxLinks:
		return linux.EMLINK
	}
	if e := fs.dirInsert(fs.inode(dir), name, ino); e != 0 {
		return e
	}
	n = fs.inode(ino)
	n.nlink++
	n.parent = 0 // linked once: no longer an unnamed file
	n.ctime = now
	d := fs.inode(dir)
	d.mtime, d.ctime = now, now
	return 0
}

// entry finds the entry name in directory dir, for removing it: ENOTDIR
// if dir is not a directory, ENOENT if name is not there.
func (fs *FS) entry(dir Ino, name []byte) (d *inode, pa uint64, off int, ino Ino, e linux.Errno) {
	if !fs.isDir(dir) {
		return nil, 0, 0, 0, linux.ENOTDIR
	}
	d = fs.inode(dir)
	if pa, off, ino = fs.dirFind(d, name); ino == 0 {
		return nil, 0, 0, 0, linux.ENOENT
	}
	return d, pa, off, ino, 0
}

// Unlink removes name from dir: EISDIR for a directory (use Rmdir).
func (fs *FS) Unlink(dir Ino, name []byte, now int64) linux.Errno {
	d, pa, off, ino, e := fs.entry(dir, name)
	switch {
	case e != 0:
		return e
	case fs.isDir(ino):
		return linux.EISDIR
	}
	fs.dirRemove(d, pa, off)
	d.mtime, d.ctime = now, now
	fs.drop(ino, now)
	return 0
}

// Rmdir removes the empty directory name from dir.
func (fs *FS) Rmdir(dir Ino, name []byte, now int64) linux.Errno {
	d, pa, off, ino, e := fs.entry(dir, name)
	switch {
	case e != 0:
		return e
	case !fs.isDir(ino):
		return linux.ENOTDIR
	case !fs.dirEmpty(fs.inode(ino)):
		return linux.ENOTEMPTY
	}
	fs.dirRemove(d, pa, off)
	d.nlink--
	d.mtime, d.ctime = now, now
	fs.removeDir(ino, now)
	return 0
}

// removeDir drops the last links of an empty directory taken out of its
// parent: its own "." and its entry.
func (fs *FS) removeDir(ino Ino, now int64) {
	n := fs.inode(ino)
	n.nlink = 1
	fs.drop(ino, now)
}

// within reports whether dir is ino or lies below it.
func (fs *FS) within(dir, ino Ino) bool {
	for {
		if dir == ino {
			return true
		}
		if dir == RootIno {
			return false
		}
		dir = fs.inode(dir).parent
	}
}

// Rename moves the entry oname of odir to nname in ndir, as renameat2
// does with flags 0, RENAME_NOREPLACE or RENAME_EXCHANGE.
func (fs *FS) Rename(odir Ino, oname []byte, ndir Ino, nname []byte, flags uint32, now int64) linux.Errno {
	if flags&^(linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE) != 0 ||
		flags == linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE {
		return linux.EINVAL
	}
	if !fs.isDir(odir) || !fs.isDir(ndir) {
		return linux.ENOTDIR
	}
	if len(nname) > vfs.NameMax {
		return linux.ENAMETOOLONG
	}
	opa, ooff, src := fs.dirFind(fs.inode(odir), oname)
	if src == 0 {
		return linux.ENOENT
	}
	npa, noff, dst := fs.dirFind(fs.inode(ndir), nname)
	srcDir := fs.isDir(src)
	if flags&linux.RENAME_EXCHANGE != 0 {
		if dst == 0 {
			return linux.ENOENT
		}
		return fs.exchange(odir, opa, ooff, src, ndir, npa, noff, dst, now)
	}
	if dst != 0 && flags&linux.RENAME_NOREPLACE != 0 {
		return linux.EEXIST
	}
	// Linux's order: the ancestry checks (made while it locks the two
	// directories), then same file, then the types.
	if srcDir && fs.within(ndir, src) {
		return linux.EINVAL // into itself
	}
	if dst != 0 && fs.isDir(dst) && fs.within(odir, dst) {
		return linux.ENOTEMPTY // dst holds src
	}
	if dst == src {
		return 0 // two links to one file: Linux does nothing
	}
	if dst != 0 {
		dstDir := fs.isDir(dst)
		switch {
		case srcDir && !dstDir:
			return linux.ENOTDIR
		case !srcDir && dstDir:
			return linux.EISDIR
		case dstDir && !fs.dirEmpty(fs.inode(dst)):
			return linux.ENOTEMPTY
		}
	} else {
		if srcDir && odir != ndir && fs.inode(ndir).nlink >= maxLinks {
			return linux.EMLINK
		}
		if e := fs.dirInsert(fs.inode(ndir), nname, src); e != 0 {
			return e
		}
	}
	// Nothing can fail from here on.
	if dst != 0 {
		fs.dirSet(npa, noff, src)
	}
	fs.dirRemove(fs.inode(odir), opa, ooff)
	if srcDir && odir != ndir {
		fs.inode(src).parent = ndir
		fs.inode(odir).nlink--
		if dst == 0 {
			fs.inode(ndir).nlink++
		}
	}
	if dst != 0 {
		if fs.isDir(dst) {
			if odir == ndir {
				fs.inode(ndir).nlink-- // one subdirectory fewer
			}
			fs.removeDir(dst, now)
		} else {
			fs.drop(dst, now)
		}
	}
	fs.touchDirs(odir, ndir, now)
	fs.inode(src).ctime = now
	return 0
}

// exchange swaps two entries (RENAME_EXCHANGE).
func (fs *FS) exchange(odir Ino, opa uint64, ooff int, src Ino, ndir Ino, npa uint64, noff int, dst Ino, now int64) linux.Errno {
	srcDir, dstDir := fs.isDir(src), fs.isDir(dst)
	if srcDir && fs.within(ndir, src) || dstDir && fs.within(odir, dst) {
		return linux.EINVAL
	}
	if src == dst {
		return 0
	}
	fs.dirSet(opa, ooff, dst)
	fs.dirSet(npa, noff, src)
	if odir != ndir {
		if srcDir {
			fs.inode(src).parent = ndir
			fs.inode(odir).nlink--
			fs.inode(ndir).nlink++
		}
		if dstDir {
			fs.inode(dst).parent = odir
			fs.inode(ndir).nlink--
			fs.inode(odir).nlink++
		}
	}
	fs.touchDirs(odir, ndir, now)
	fs.inode(src).ctime, fs.inode(dst).ctime = now, now
	return 0
}

func (fs *FS) touchDirs(a, b Ino, now int64) {
	for _, d := range [2]Ino{a, b} {
		n := fs.inode(d)
		n.mtime, n.ctime = now, now
	}
}
