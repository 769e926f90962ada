package vfs

import "github.com/coracle-os/coracle/kernel/abi/linux"

// Limits of path resolution (include/uapi/linux/limits.h; MAXSYMLINKS in
// include/linux/namei.h).
const (
	PathMax     = 4096 // PATH_MAX: bytes in a path, its terminating NUL included
	NameMax     = 255  // NAME_MAX: bytes in one component
	MaxSymlinks = 40   // MAXSYMLINKS: links followed in one resolution
)

// Node names a file: a file system and an inode in it. It is a value, so
// that trap context can store it without write barriers.
type Node struct {
	FS  uint16
	Ino uint32
}

// Kind is what a Node is, as far as resolution cares.
type Kind uint8

const (
	KindOther   Kind = iota // regular files, devices, pipes, sockets
	KindDir                 // a directory
	KindSymlink             // a symbolic link
)

// A Tree is the file systems as resolution sees them, mounts included.
//
// Trap context: all methods; they must not allocate.
type Tree interface {
	// Root is "/".
	Root() Node
	// Kind tells what n is.
	Kind(n Node) Kind
	// Lookup finds name (never "." or "..", at most NameMax bytes) in
	// directory dir: ENOENT if it is not there. Across a mount point
	// it returns the root of the file system mounted there.
	Lookup(dir Node, name []byte) (Node, linux.Errno)
	// Parent is the directory holding dir: ".." (across mounts; the
	// root's parent is the root).
	Parent(dir Node) Node
	// Readlink copies symbolic link n's target into buf and returns
	// its length, or ENAMETOOLONG if it does not fit.
	Readlink(n Node, buf []byte) (int, linux.Errno)
	// Jump tells whether symbolic link n names a file itself rather
	// than a path (Linux's "magic links", /proc/PID/fd/N, which lead
	// to the open file wherever it is now, even removed): if so, a
	// walk that follows n goes on at target, or fails with e. Trees
	// without such links answer false.
	Jump(n Node) (target Node, ok bool, e linux.Errno)
}

// Flags change how Walk treats the last component.
type Flags uint8

const (
	// NoFollow leaves a symbolic link in the last component as it is
	// (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, lstat, O_PATH|O_NOFOLLOW). A
	// trailing slash still follows it, as Linux does.
	NoFollow Flags = 1 << iota
	// Parent stops before the last component and returns its directory
	// and name: what creating, removing and renaming need.
	Parent
	// NoSymlinks fails with ELOOP at any symbolic link it would follow
	// (openat2's RESOLVE_NO_SYMLINKS).
	NoSymlinks
	// Beneath keeps resolution inside start: an absolute path or link
	// target, or ".." out of start, fails with EXDEV (RESOLVE_BENEATH).
	Beneath
	// InRoot resolves as if start were "/": absolute paths and link
	// targets begin there and ".." stops there (RESOLVE_IN_ROOT).
	InRoot
	// NoXDev fails with EXDEV where resolution would cross into
	// another file system, a mount point included (RESOLVE_NO_XDEV).
	NoXDev
	// FollowLast, with Parent, first follows a symbolic link that the
	// last component names (unless NoFollow), and stops before the
	// last component of where it leads: the directory and name where
	// open(O_CREAT) without O_EXCL makes a dangling link's target, as
	// Linux does. Links that name a file itself (Tree.Jump) are left
	// as they are.
	FollowLast
)

// Last says what the last component of a path was (Linux's LAST_*):
// callers that create or remove refuse ".", ".." and "/" differently.
type Last uint8

const (
	LastName   Last = iota // an ordinary name
	LastDot                // "."
	LastDotDot             // ".."
	LastRoot               // the path is "/" (or slashes only)
	LastMount              // the walk reached a mount point (Result.Rest)
)

// MountPoints names the directories of a Tree that are mount points of
// file systems the Walker does not enter: a WalkMounts that reaches one
// by name stops there, with LastMount, and leaves the rest of the path
// to the mounted file system.
type MountPoints interface {
	MountPoint(n Node) bool
}

// Result is where a Walk ended.
type Result struct {
	// Node is the file the path names; with Parent, the directory
	// that holds (or would hold) the last component.
	Node Node
	// Name is the last component, with Parent (empty for LastRoot).
	// It points into the Walker or the path and is valid until the
	// Walker's next Walk.
	Name []byte
	// Last is what the last component was.
	Last Last
	// Slash is set when the path ended in a slash: the caller must
	// then find or make a directory.
	Slash bool
	// Rest is, with LastMount, the path left after the mount point
	// Node (empty, or starting with a slash), valid as Name is.
	Rest []byte
}

// A Walker resolves paths. Its buffers hold the rest of a path while a
// symbolic link's target is spliced in front of it; it may be reused,
// not shared by two walks at once.
type Walker struct {
	buf [2][PathMax]byte
}

// Walk resolves path (without its NUL) relative to start, which must be
// a directory (the working directory or a dirfd), and returns where it
// ends or Linux's error: ENOENT for an empty path or a missing
// component, ENOTDIR, ENAMETOOLONG, ELOOP, or what the Tree answers.
//
// Trap context: no allocation; its cost is one Lookup per component.
func (w *Walker) Walk(t Tree, start Node, path []byte, flags Flags) (Result, linux.Errno) {
	return w.WalkMounts(t, nil, start, path, flags)
}

// WalkMounts is Walk that stops at the mount points mounts names (none
// if nil). Trap context, as Walk.
func (w *Walker) WalkMounts(t Tree, mounts MountPoints, start Node, path []byte, flags Flags) (Result, linux.Errno) {
	if len(path) == 0 {
		return Result{}, linux.ENOENT
	}
	if len(path) >= PathMax {
		return Result{}, linux.ENAMETOOLONG
	}
	root := t.Root()
	if flags&(Beneath|InRoot) != 0 {
		root = start
	}
	cur, rest := start, path
	if rest[0] == '/' {
		if flags&Beneath != 0 {
			return Result{}, linux.EXDEV
		}
		cur = root
	}
	links, slot := 0, 0
	for {
		rest = skipSlashes(rest)
		if len(rest) == 0 {
			// Only slashes: the path was "/", or a link's target was.
			if t.Kind(cur) != KindDir {
				return Result{}, linux.ENOTDIR
			}
			return Result{Node: cur, Last: LastRoot, Slash: true}, 0
		}
		comp, after := cut(rest)
		if len(comp) > NameMax {
			return Result{}, linux.ENAMETOOLONG
		}
		if t.Kind(cur) != KindDir {
			return Result{}, linux.ENOTDIR
		}
		tail := skipSlashes(after)
		last, slash := len(tail) == 0, len(after) > 0
		kind := lastOf(comp)
		if last && flags&Parent != 0 && !followLast(t, cur, comp, kind, flags) {
			return Result{Node: cur, Name: comp, Last: kind, Slash: slash}, 0
		}
		var next Node
		switch kind {
		case LastDot:
			next = cur
		case LastDotDot:
			switch {
			case cur != root:
				next = t.Parent(cur)
			case flags&Beneath != 0:
				return Result{}, linux.EXDEV
			default:
				next = root // ".." of the root is the root
			}
		default:
			n, e := t.Lookup(cur, comp)
			if e != 0 {
				return Result{}, e
			}
			if mounts != nil && mounts.MountPoint(n) && !leadsUp(tail) {
				if flags&NoXDev != 0 {
					return Result{}, linux.EXDEV // into another file system
				}
				return Result{Node: n, Last: LastMount, Rest: after, Slash: slash}, 0
			}
			next = n
		}
		if flags&NoXDev != 0 && next.FS != cur.FS {
			return Result{}, linux.EXDEV
		}
		if t.Kind(next) == KindSymlink && (!last || slash || flags&NoFollow == 0) {
			if flags&NoSymlinks != 0 {
				return Result{}, linux.ELOOP
			}
			links++
			if links > MaxSymlinks {
				return Result{}, linux.ELOOP
			}
			if to, ok, e := t.Jump(next); ok {
				if e != 0 {
					return Result{}, e
				}
				cur, rest = to, tail
				if last {
					if slash && t.Kind(cur) != KindDir {
						return Result{}, linux.ENOTDIR
					}
					return Result{Node: cur, Last: kind, Slash: slash}, 0
				}
				continue
			}
			// The target, then what follows the link, in the
			// buffer the rest is not in.
			slot ^= 1
			b := w.buf[slot][:PathMax-1]
			n, e := t.Readlink(next, b)
			if e != 0 {
				return Result{}, e
			}
			if n == 0 {
				return Result{}, linux.ENOENT
			}
			if n+len(after) > len(b) {
				return Result{}, linux.ENAMETOOLONG
			}
			n += copy(b[n:], after)
			rest = b[:n]
			if rest[0] == '/' {
				if flags&Beneath != 0 {
					return Result{}, linux.EXDEV
				}
				cur = root
			}
			continue
		}
		cur, rest = next, tail
		if last {
			if slash && t.Kind(cur) != KindDir {
				return Result{}, linux.ENOTDIR
			}
			return Result{Node: cur, Last: kind, Slash: slash}, 0
		}
	}
}

// followLast reports whether a Parent walk goes on through the last
// component comp of directory cur: with FollowLast and without
// NoFollow, when comp names a symbolic link that names a path.
func followLast(t Tree, cur Node, comp []byte, kind Last, flags Flags) bool {
	if flags&(FollowLast|NoFollow) != FollowLast || kind != LastName {
		return false
	}
	n, e := t.Lookup(cur, comp)
	if e != 0 || t.Kind(n) != KindSymlink {
		return false
	}
	_, jump, _ := t.Jump(n)
	return !jump
}

// skipSlashes drops leading slashes.
func skipSlashes(p []byte) []byte {
	for len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	return p
}

// cut splits p at its first slash: the component, and the rest from the
// slash on.
func cut(p []byte) (comp, after []byte) {
	for i, c := range p {
		if c == '/' {
			return p[:i], p[i:]
		}
	}
	return p, nil
}

// lastOf classifies a component.
func lastOf(comp []byte) Last {
	switch {
	case len(comp) == 1 && comp[0] == '.':
		return LastDot
	case len(comp) == 2 && comp[0] == '.' && comp[1] == '.':
		return LastDotDot
	}
	return LastName
}

// leadsUp reports whether path (after a mount point) goes straight back
// up: its first component other than "." is "..", which from the mounted
// file system's root is the mount point's parent, so the walk need not
// enter the mounted file system at all.
func leadsUp(path []byte) bool {
	for {
		path = skipSlashes(path)
		comp, after := cut(path)
		switch lastOf(comp) {
		case LastDot:
			path = after
			continue
		case LastDotDot:
			return true
		}
		return false
	}
}
