package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/cpio"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// unpackFiles unpacks the program's files (filesArchive) into the root
// file system, at boot after setupRootFS: directories are made as
// needed and merged with those there, a file or link replaces what is
// there, modes and modification times are kept. The archive stays in
// the image's data, so its bytes are held twice. A malformed archive or
// one that does not fit in memory is a boot failure.
func unpackFiles() {
	if len(filesArchive) == 0 {
		return
	}
	b := unsafe.Slice(unsafe.StringData(filesArchive), len(filesArchive))
	r := cpio.NewReader(b)
	for {
		ent, err := r.Next()
		if err == cpio.End {
			break
		}
		if err != 0 {
			console.str("coracle: boot failed: the program's files are malformed at byte ")
			console.dec(uint64(r.Offset()))
			console.str(": ")
			filesFailure(err.String(), "rebuild the image with coracle build --files")
		}
		if e := unpackEntry(ent); e != 0 {
			console.str("coracle: boot failed: cannot unpack /")
			console.bytes(ent.Name)
			if e == linux.ENOSPC {
				console.str(": the program's files (")
				console.dec(uint64(len(b)))
				filesFailure(" bytes) do not fit in memory", "give the guest more memory with coracle run -m")
			}
			console.str(": errno ")
			console.dec(uint64(e))
			filesFailure(" (a file is where a directory should be, or a name is too long)",
				"change the directory given to coracle build --files")
		}
	}
	// Making a directory's entries changed its times: set them again,
	// as the archive has them.
	r = cpio.NewReader(b)
	for {
		ent, err := r.Next()
		if err != 0 {
			return
		}
		if ent.Mode&cpio.TypeMask != cpio.TypeDir {
			continue
		}
		if n, e := walkers[0].Walk(&rootFS, inoNode(tmpfs.RootIno), ent.Name, vfs.NoFollow); e == 0 {
			mtime := int64(ent.Mtime) * 1e9
			rootFS.SetTimes(n.Node.Ino, mtime, mtime, walltime())
		}
	}
}

// filesFailure ends a boot-failure line with why and the fix, and ends
// the boot.
func filesFailure(why, fix string) {
	console.str(why)
	console.str(": ")
	console.str(fix)
	console.str("\n")
	Exit(exitstatus.BootFailure)
}

// unpackEntry makes one archive entry in the root file system.
func unpackEntry(ent cpio.Entry) linux.Errno {
	now := walltime()
	dir := tmpfs.Ino(tmpfs.RootIno)
	path := ent.Name
	for {
		name, rest := path, []byte(nil)
		for i, c := range path {
			if c == '/' {
				name, rest = path[:i], path[i+1:]
				break
			}
		}
		if len(name) > vfs.NameMax {
			return linux.ENAMETOOLONG
		}
		n, e := rootFS.Lookup(inoNode(dir), name)
		if e != 0 && e != linux.ENOENT {
			return e
		}
		if len(rest) == 0 {
			return unpackLast(dir, name, n, e == 0, ent, now)
		}
		if e == linux.ENOENT {
			if n.Ino, e = rootFS.Mkdir(dir, name, 0o755, now); e != 0 {
				return e
			}
		} else if rootFS.Kind(n) != vfs.KindDir {
			return linux.ENOTDIR
		}
		dir, path = n.Ino, rest
	}
}

// unpackLast makes the entry's last component, name in dir; old is what
// is there already, if exists.
func unpackLast(dir tmpfs.Ino, name []byte, old vfs.Node, exists bool, ent cpio.Entry, now int64) linux.Errno {
	typ, perm := ent.Mode&cpio.TypeMask, ent.Mode&0o7777
	mtime := int64(ent.Mtime) * 1e9
	if exists && typ == cpio.TypeDir && rootFS.Kind(old) == vfs.KindDir {
		rootFS.Chmod(old.Ino, perm, now)
		rootFS.SetTimes(old.Ino, mtime, mtime, now)
		return 0
	}
	if exists {
		var e linux.Errno
		if rootFS.Kind(old) == vfs.KindDir {
			e = rootFS.Rmdir(dir, name, now)
		} else {
			e = rootFS.Unlink(dir, name, now)
		}
		if e != 0 {
			return e
		}
	}
	var ino tmpfs.Ino
	var e linux.Errno
	switch typ {
	case cpio.TypeDir:
		ino, e = rootFS.Mkdir(dir, name, perm, now)
	case cpio.TypeSymlink:
		ino, e = rootFS.Symlink(dir, name, ent.Data, now)
	default:
		if ino, e = rootFS.Create(dir, name, perm, now); e == 0 {
			if w, we := rootFS.Write(ino, 0, ent.Data, now); we != 0 || w < len(ent.Data) {
				e = linux.ENOSPC
			}
		}
	}
	if e != 0 {
		return e
	}
	rootFS.SetTimes(ino, mtime, mtime, now)
	return 0
}
