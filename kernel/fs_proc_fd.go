package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/procfs"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// /proc/1/fd: one symbolic link per open descriptor, named by its
// number, whose text is what Linux's readlink gives: the path of a
// file or directory of the root, "/dev/ttyS0" for the console,
// "pipe:[N]" and "socket:[N]" with the inode number fstat reports,
// "anon_inode:[eventfd]", "anon_inode:[eventpoll]". The links are
// ordinary tmpfs links, made when a path looks one up (rootTree.Lookup)
// and for every open descriptor when a listing of the directory starts
// (getdents at position 0), and removed then for closed descriptors.
//
// They are magic links, as on Linux: a path that goes through one leads
// to the open file itself (rootTree.Jump), not to its text, so opening
// /proc/self/fd/N, or /dev/stdout, opens the file descriptor N is open
// on even if it was renamed or removed. For the console that is
// /dev/ttyS0's node; pipes, sockets and anonymous inodes cannot be
// opened that way here (ENXIO; Linux reopens a pipe).

// rootTree is the root file system as path resolution sees it: tmpfs,
// with /proc/1/fd's links made as they are looked up and followed as
// magic links. It holds no state.
type rootTree struct{}

// Root implements vfs.Tree.
func (rootTree) Root() vfs.Node { return rootFS.Root() }

// Kind implements vfs.Tree.
func (rootTree) Kind(n vfs.Node) vfs.Kind { return rootFS.Kind(n) }

// Parent implements vfs.Tree.
func (rootTree) Parent(dir vfs.Node) vfs.Node { return rootFS.Parent(dir) }

// Readlink implements vfs.Tree.
func (rootTree) Readlink(n vfs.Node, buf []byte) (int, linux.Errno) { return rootFS.Readlink(n, buf) }

// Lookup implements vfs.Tree: in /proc/1/fd, a descriptor's number
// finds its link, made or remade now.
func (rootTree) Lookup(dir vfs.Node, name []byte) (vfs.Node, linux.Errno) {
	if dir.Ino != procFDDir || procFDDir == 0 {
		return rootFS.Lookup(dir, name)
	}
	fd, ok := procFDNumber(name)
	if !ok {
		return vfs.Node{}, linux.ENOENT
	}
	if lookupFD(fd) == nil {
		procFDUnlink(fd)
		return vfs.Node{}, linux.ENOENT
	}
	ino, e := procFDLink(fd)
	if e != 0 {
		return vfs.Node{}, e
	}
	return inoNode(ino), 0
}

// Jump implements vfs.Tree: a link of /proc/1/fd leads to the file its
// descriptor is open on.
func (rootTree) Jump(n vfs.Node) (vfs.Node, bool, linux.Errno) {
	fd, ok := procFDOfLink(n.Ino)
	if !ok {
		return vfs.Node{}, false, 0
	}
	d := lookupFD(fd)
	switch {
	case d == nil:
		return vfs.Node{}, true, linux.ENOENT
	case d.Kind == fdFile:
		return inoNode(fileIno(d)), true, 0
	case d.Kind == fdPipe && fifoIno(d) != 0:
		return inoNode(fifoIno(d)), true, 0 // the FIFO, opened anew
	case d.Kind == fdConsole:
		if ino, ok := consoleNode(); ok {
			return inoNode(ino), true, 0
		}
	}
	return vfs.Node{}, true, linux.ENXIO
}

// procFDNumber parses a descriptor number as Linux does: decimal, no
// sign, no leading zero.
func procFDNumber(name []byte) (uint64, bool) {
	if len(name) == 0 || len(name) > 1 && name[0] == '0' {
		return 0, false
	}
	v := uint64(0)
	for _, c := range name {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		if v >= maxFDs {
			return 0, false
		}
	}
	return v, true
}

// procFDName writes fd's decimal name into b and returns it.
func procFDName(fd uint64, b *[8]byte) []byte {
	t := procfs.Text{B: b[:]}
	t.Dec(fd)
	return t.Bytes()
}

// procFDOfLink returns the descriptor whose link ino is, if it is one
// and still in /proc/1/fd under its name.
func procFDOfLink(ino tmpfs.Ino) (uint64, bool) {
	if ino == 0 {
		return 0, false
	}
	for fd, l := range procFDLinks {
		if l != ino {
			continue
		}
		var b [8]byte
		n, e := rootFS.Lookup(inoNode(procFDDir), procFDName(uint64(fd), &b))
		return uint64(fd), e == 0 && n.Ino == ino
	}
	return 0, false
}

// procFDLink makes (or keeps, if its text is still right) the link for
// open descriptor fd and returns it.
func procFDLink(fd uint64) (tmpfs.Ino, linux.Errno) {
	d := lookupFD(fd)
	t := procfs.Text{B: procBuf[:]}
	procFDText(&t, d)
	text := t.Bytes()
	var b [8]byte
	name := procFDName(fd, &b)
	now := walltime()
	if n, e := rootFS.Lookup(inoNode(procFDDir), name); e == 0 {
		if n.Ino == procFDLinks[fd] {
			if l, e := rootFS.Readlink(n, linkBuf[:]); e == 0 && string(linkBuf[:l]) == string(text) {
				rootFS.Chmod(n.Ino, procFDMode(d), now)
				return n.Ino, 0
			}
		}
		if e := rootFS.Unlink(procFDDir, name, now); e != 0 {
			return 0, e
		}
	}
	procFDLinks[fd] = 0
	ino, e := rootFS.Symlink(procFDDir, name, text, now)
	if e != 0 {
		return 0, e
	}
	rootFS.Chmod(ino, procFDMode(d), now)
	procFDLinks[fd] = ino
	return ino, 0
}

// procFDMode is the permission Linux gives a descriptor's link: read
// and search for a descriptor open for reading, write and search for
// writing.
func procFDMode(d *openFile) uint32 {
	mode := uint32(0)
	if d.Flags&linux.O_PATH == 0 {
		switch d.Flags & linux.O_ACCMODE {
		case linux.O_RDONLY:
			mode = 0o500
		case linux.O_WRONLY:
			mode = 0o300
		default:
			mode = 0o700
		}
	}
	return mode
}

// procFDUnlink removes the link of descriptor fd, if there is one.
func procFDUnlink(fd uint64) {
	if procFDLinks[fd] == 0 {
		return
	}
	var b [8]byte
	name := procFDName(fd, &b)
	if n, e := rootFS.Lookup(inoNode(procFDDir), name); e == 0 && n.Ino == procFDLinks[fd] {
		rootFS.Unlink(procFDDir, name, walltime())
	}
	procFDLinks[fd] = 0
}

// procListFDs makes /proc/1/fd hold exactly the open descriptors'
// links, for a listing: the first error that stops a link being made.
func procListFDs() linux.Errno {
	var err linux.Errno
	for fd := range uint64(maxFDs) {
		if lookupFD(fd) == nil {
			procFDUnlink(fd)
		} else if _, e := procFDLink(fd); e != 0 && err == 0 {
			err = e
		}
	}
	return err
}

// procFDText writes the link text of description d.
func procFDText(t *procfs.Text, d *openFile) {
	switch d.Kind {
	case fdFile:
		procInoText(t, fileIno(d))
	case fdConsole:
		t.Str("/dev/ttyS0")
	case fdPipe:
		if ino := fifoIno(d); ino != 0 {
			procInoText(t, ino)
			return
		}
		id, _ := pipeOf(d)
		procfs.InodeLink(t, "pipe", uint64(id)+1) // fstat's st_ino
	case fdSocket:
		procfs.InodeLink(t, "socket", uint64(d.Obj)+1) // fstat's st_ino
	case fdUnix:
		procfs.InodeLink(t, "socket", unixIno(d))
	case fdNetlink:
		procfs.InodeLink(t, "socket", netlinkIno(d))
	case fdEventfd:
		procfs.AnonLink(t, "eventfd")
	case fdEpoll:
		procfs.AnonLink(t, "eventpoll")
	case fdShare:
		// The kernel keeps no path within the share (the file service
		// holds a handle): the share's mount point stands for it.
		if ino := shareMounts[shareOfObj(d.Obj)].ino; ino != 0 {
			if at, e := dirPath(ino, t.B); e == 0 {
				t.N = copy(t.B, t.B[at:])
				return
			}
		}
		t.Str("(share)")
	default:
		procfs.AnonLink(t, "irq") // an interrupt line (devcall.OpenIRQ)
	}
}

// inoPath writes the absolute path of root inode ino at the end of
// buf and returns where it starts: false if no directory holds it (it
// was removed) or it does not fit. A directory's path comes from its
// parents; another file's from the first directory found, searching
// the tree from the root, that holds it.
func inoPath(ino tmpfs.Ino, buf []byte) (int, bool) {
	a := rootFS.Getattr(ino)
	if a.Nlink == 0 {
		return 0, false
	}
	if a.Mode&linux.S_IFMT == linux.S_IFDIR {
		at, e := dirPath(ino, buf)
		return at, e == 0
	}
	parent := findParent(tmpfs.RootIno, ino, 0)
	if parent == 0 {
		return 0, false
	}
	at := len(buf)
	fits := false
	rootFS.ReadDir(parent, 0, func(child tmpfs.Ino, name []byte, _ uint32, _ uint64) bool {
		if child != ino {
			return true
		}
		if at > len(name) {
			at -= len(name)
			copy(buf[at:], name)
			at--
			buf[at] = '/'
			fits = true
		}
		return false
	})
	if !fits || parent == tmpfs.RootIno {
		return at, fits
	}
	at, e := dirPath(parent, buf[:at])
	return at, e == 0
}

// maxFindDepth bounds findParent's recursion, and so the kernel stack
// it takes.
const maxFindDepth = 32

// findParent returns a directory under dir holding ino, or 0.
func findParent(dir, ino tmpfs.Ino, depth int) tmpfs.Ino {
	found := tmpfs.Ino(0)
	rootFS.ReadDir(dir, 0, func(child tmpfs.Ino, _ []byte, mode uint32, _ uint64) bool {
		if child == ino {
			found = dir
			return false
		}
		if mode&linux.S_IFMT == linux.S_IFDIR && depth < maxFindDepth {
			found = findParent(child, ino, depth+1)
		}
		return found == 0
	})
	return found
}

// procInoText writes root inode ino's path, or "(deleted)": Linux gives
// the path it had and " (deleted)", but tmpfs keeps no name for a
// removed file.
func procInoText(t *procfs.Text, ino tmpfs.Ino) {
	at, ok := inoPath(ino, t.B)
	if !ok {
		t.Str("(deleted)")
		return
	}
	t.N = copy(t.B, t.B[at:])
}
