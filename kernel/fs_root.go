package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// The root file system: one tmpfs, made at boot as "/" (mode 0755) with
// /tmp (mode 01777), /etc, /root and /usr/bin (fs_skeleton.go), /dev
// (fs_dev.go), /proc and /sys (fs_proc.go), whose pages come from the
// frame allocator. It is the
// only file namespace: the files services publish with devcall.SetFile
// (/etc/resolv.conf, /etc/hosts) are ordinary files in it. Paths resolve
// with vfs.Walker over it (as rootTree, which adds the magic links of
// /proc/1/fd, fs_proc_fd.go), from the working directory (cwd) or a
// directory descriptor.

// rootFSID is the root tmpfs's vfs.Node FS number.
const rootFSID = 1

// rootFSDev is the st_dev the root's files report (0:rootFSID+0x20; the
// number means nothing beyond telling file systems apart).
const rootFSDev = 0x20 + rootFSID

// fileReserve is the memory that files must leave free: commitReserve,
// as a commit or a pipe must, and one heap growth of the Go runtime
// (heapGrowthChunk) with the page tables that map it (at most four
// pages; sixteen are kept). Files fill up with ENOSPC and must not eat
// the memory the kernel and the runtime need: with only commitReserve
// left, a program that filled /tmp died of the runtime's out-of-memory
// error at its next heap growth, a 4 MiB commit, instead of handling
// ENOSPC (TestFilesFull).
const fileReserve = commitReserve + heapGrowthChunk + 16*4096

// rootPages gives the root tmpfs frames, zeroed, through the direct map.
// A page is refused while taking it would leave less than fileReserve
// free, or commitReserve while the kernel makes its own files
// (kernelFiles): the boot's skeleton (/, /tmp, /dev, /proc), generated
// /proc files and the files services publish (resolv.conf, hosts). Those
// are a few pages, and a program that filled /tmp must still be able to
// read /proc/meminfo; a VM too small for one heap growth past the image
// still boots, and the runtime reports the shortage as before.
type rootPages struct {
	kernelFiles bool
}

// kernelOwned marks the root's pages taken from now on as the kernel's
// own files' until the function it returns is called (a plain function:
// nothing is allocated):
//
//	defer kernelOwned()()
func kernelOwned() (end func()) {
	rootPageSource.kernelFiles = true
	return endKernelOwned
}

func endKernelOwned() { rootPageSource.kernelFiles = false }

// Alloc implements tmpfs.Pages.
func (p *rootPages) Alloc() (uint64, bool) {
	keep := uint64(fileReserve / 4096)
	if p.kernelFiles {
		keep = commitReserve / 4096
	}
	if frames.FreeCount() <= keep && (!reclaimFrames() || frames.FreeCount() <= keep) {
		return 0, false
	}
	return frames.AllocZeroed()
}

// Free implements tmpfs.Pages.
func (*rootPages) Free(pa uint64) { frames.Free(pa) }

// Page implements tmpfs.Pages.
func (*rootPages) Page(pa uint64) *[tmpfs.PageSize]byte { return physMem.Page(pa) }

// setupRootFS makes the root file system, /tmp, /dev and /proc, and starts the
// working directory at "/".
func setupRootFS() {
	now := walltime()
	defer kernelOwned()()
	if rootFS.Init(&rootPageSource, rootFSID, 0o755, now) != 0 {
		bootFailure("no memory for the root file system")
	}
	rootFS.SetMapper(&fileMaps)
	if _, e := rootFS.Mkdir(tmpfs.RootIno, []byte("tmp"), 0o1777, now); e != 0 {
		bootFailure("no memory for /tmp")
	}
	setupSkeleton(now)
	setupDev(now)
	setupProc(now)
	cwd = tmpfs.RootIno
	rootFS.Open(cwd)
	umask = 0o022
}

// setCwd makes directory ino the working directory. The working
// directory counts as an opener of its inode, as a descriptor does, so
// that a removed working directory stays a (removed, empty) directory
// instead of an inode free for reuse.
func setCwd(ino tmpfs.Ino) {
	rootFS.Open(ino)
	rootFS.Close(cwd)
	cwd = ino
	leaveShareCwd()
}

// inoNode is the vfs.Node of root inode ino.
func inoNode(ino tmpfs.Ino) vfs.Node { return vfs.Node{FS: rootFSID, Ino: ino} }

// startDir is the directory a path relative to dirfd starts from: the
// working directory for AT_FDCWD, else the directory dirfd is open on
// (EBADF if it is not open, ENOTDIR if it is no directory). An absolute
// path ignores dirfd, as on Linux.
func startDir(dirfd uint64, path []byte) (vfs.Node, linux.Errno) {
	if len(path) > 0 && path[0] == '/' {
		return inoNode(cwd), 0
	}
	if int32(dirfd) == linux.AT_FDCWD {
		switch {
		case cwdShare >= 0 && leavesShareRoot(path):
			// ".." from a share's root: its mount point's parent.
			return inoNode(shareMounts[shareOfObj(cwdShare)].ino), 0
		case cwdShare >= 0 && len(path) > 0:
			// A call that does not go into shares, on a path relative
			// to a working directory in one.
			return vfs.Node{}, linux.EXDEV
		}
		return inoNode(cwd), 0
	}
	d := lookupFD(fdArg(dirfd))
	if d == nil {
		return vfs.Node{}, linux.EBADF
	}
	if d.Kind != fdFile || rootFS.Kind(inoNode(tmpfs.Ino(d.Obj))) != vfs.KindDir {
		return vfs.Node{}, linux.ENOTDIR
	}
	return inoNode(tmpfs.Ino(d.Obj)), 0
}

// scopeFlags are the vfs.Flags of openat2's resolve flags.
const scopeFlags = vfs.NoSymlinks | vfs.Beneath | vfs.InRoot | vfs.NoXDev

// resolve walks path from dirfd with walker w (a second walker lets a
// call hold two results: rename, link). An empty path is ENOENT whatever
// dirfd is, as Linux answers before it looks at dirfd (the calls that
// take AT_EMPTY_PATH deal with it first).
//
// With vfs.Beneath or vfs.InRoot, dirfd is the start (and the root) of
// an absolute path too.
func resolve(w int, dirfd uint64, path []byte, flags vfs.Flags) (vfs.Result, linux.Errno) {
	if len(path) == 0 {
		return vfs.Result{}, linux.ENOENT
	}
	startPath := path
	if flags&(vfs.Beneath|vfs.InRoot) != 0 {
		startPath = nil
	}
	if flags&scopeFlags != 0 && (len(startPath) == 0 || startPath[0] != '/') && int32(dirfd) != linux.AT_FDCWD {
		if d := lookupFD(fdArg(dirfd)); d != nil && d.Kind == fdShare {
			return vfs.Result{}, linux.EXDEV // from a directory of a share or disk
		}
	}
	start, e := startDir(dirfd, startPath)
	if e != 0 {
		return vfs.Result{}, e
	}
	if flags&scopeFlags != 0 && shareCount > 0 {
		// openat2's scoped walks are the root's only: they do not
		// enter shares or disks.
		r, e := walkers[w].WalkMounts(rootTree{}, shareMountPoints{}, start, path, flags)
		if e == 0 && r.Last == vfs.LastMount {
			return vfs.Result{}, linux.EXDEV
		}
		return r, e
	}
	return walkers[w].Walk(rootTree{}, start, path, flags)
}

// resolveAt reads the path at addr and resolves it: the common start of
// the calls that take (dirfd, path).
func resolveAt(w int, dirfd, addr uint64, flags vfs.Flags) (vfs.Result, linux.Errno) {
	path, e := userPath(addr)
	if e != 0 {
		return vfs.Result{}, e
	}
	return resolve(w, dirfd, path, flags)
}

// publishFile makes path (absolute) a regular file of mode 0644 holding
// data, making the directories on the way (mode 0755) and replacing the
// contents of a file already there, so that descriptors open on it read
// the new contents. ENOSPC if the memory runs out.
func publishFile(path, data []byte) linux.Errno {
	now := walltime()
	dir, name, e := makeParents(path, now)
	if e != 0 {
		return e
	}
	n, e := rootFS.Lookup(inoNode(dir), name)
	ino := n.Ino
	switch {
	case e == linux.ENOENT:
		ino, e = rootFS.Create(dir, name, 0o644, now)
	case e == 0 && rootFS.Kind(n) != vfs.KindOther:
		return linux.EISDIR // a directory or a link is there
	}
	if e != 0 {
		return e
	}
	if e := rootFS.Truncate(ino, 0, now); e != 0 {
		return e
	}
	if w, e := rootFS.Write(ino, 0, data, now); e != 0 || w < len(data) {
		rootFS.Truncate(ino, 0, now)
		return linux.ENOSPC
	}
	return 0
}

// makeParents makes the directories (mode 0755) on the way to absolute
// path's last component, following no links, and returns the directory
// that holds it and its name: EINVAL for an empty, "." or ".." or
// overlong component, ENOTDIR if a file or link is on the way.
func makeParents(path []byte, now int64) (tmpfs.Ino, []byte, linux.Errno) {
	dir := tmpfs.Ino(tmpfs.RootIno)
	for {
		for len(path) > 0 && path[0] == '/' {
			path = path[1:]
		}
		name := path
		rest := []byte(nil)
		for i, c := range path {
			if c == '/' {
				name, rest = path[:i], path[i:]
				break
			}
		}
		if len(name) == 0 || len(name) > vfs.NameMax || lastIsDots(name) {
			return 0, nil, linux.EINVAL
		}
		if len(rest) == 0 {
			return dir, name, 0
		}
		n, e := rootFS.Lookup(inoNode(dir), name)
		if e == linux.ENOENT {
			n.Ino, e = rootFS.Mkdir(dir, name, 0o755, now)
			n.FS = rootFSID
		}
		if e != 0 {
			return 0, nil, e
		}
		if rootFS.Kind(n) != vfs.KindDir {
			return 0, nil, linux.ENOTDIR
		}
		dir, path = n.Ino, rest
	}
}

// lastIsDots reports whether a component is "." or "..".
func lastIsDots(name []byte) bool {
	return string(name) == "." || string(name) == ".."
}

// cwdPath writes the working directory's absolute path into buf, from
// its end, and returns where it starts: ENOENT if the directory was
// removed, ERANGE if it does not fit.
func cwdPath(buf []byte) (int, linux.Errno) { return dirPath(cwd, buf) }

// dirPath writes directory ino's absolute path into buf, from its end,
// and returns where it starts: ENOENT if the directory was removed,
// ERANGE if it does not fit. tmpfs keeps each directory's parent; the
// name is found by searching the parent for the child.
func dirPath(ino tmpfs.Ino, buf []byte) (int, linux.Errno) {
	if rootFS.Getattr(ino).Nlink == 0 {
		return 0, linux.ENOENT
	}
	at := len(buf)
	if ino == tmpfs.RootIno {
		at--
		buf[at] = '/'
		return at, 0
	}
	for ino != tmpfs.RootIno {
		parent := rootFS.Parent(inoNode(ino)).Ino
		found := false
		var e linux.Errno
		rootFS.ReadDir(parent, 0, func(child tmpfs.Ino, name []byte, _ uint32, _ uint64) bool {
			if child != ino {
				return true
			}
			found = true
			if at < len(name)+1 {
				e = linux.ERANGE
				return false
			}
			at -= len(name)
			copy(buf[at:], name)
			at--
			buf[at] = '/'
			return false
		})
		if e != 0 {
			return 0, e
		}
		if !found {
			return 0, linux.ENOENT
		}
		ino = parent
	}
	return at, 0
}
