package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/boot"
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
	unpackArchive(b, "the program's files", "rebuild the image with coracle build --files")
}

// unpackModules unpacks, after the program's files, every boot module
// (the hypervisor's initrd: QEMU's -initrd, a PVH module) that is a newc
// archive, the same way: files that the image itself does not carry,
// such as the early copy of a package directory that coracle test gives
// a test binary (see earlyFiles in tools/cli). Other modules are left
// alone. A module's frames stay reserved after it is unpacked.
func unpackModules() {
	for _, m := range boot.Info.Modules() {
		if m.Size < 6 {
			continue
		}
		b := unsafe.Slice((*byte)(addrPointer(physOffset+uintptr(m.Addr))), m.Size)
		if string(b[:6]) != cpio.Magic {
			continue
		}
		unpackArchive(b, "the files of the boot module (initrd)", "give QEMU a newc archive (cpio -H newc) as -initrd")
	}
}

// unpackArchive unpacks the newc archive b into the root file system;
// what names the archive and fix says how to mend it, for the boot
// failure a malformed archive is.
func unpackArchive(b []byte, what, fix string) {
	r := cpio.NewReader(b)
	for {
		ent, err := r.Next()
		if err == cpio.End {
			break
		}
		if err != 0 {
			console.str("coracle: boot failed: ")
			console.str(what)
			console.str(" are malformed at byte ")
			console.dec(uint64(r.Offset()))
			console.str(": ")
			filesFailure(err.String(), fix)
		}
		if e := unpackEntry(ent); e != 0 {
			console.str("coracle: boot failed: cannot unpack /")
			console.bytes(ent.Name)
			if e == linux.ENOSPC {
				console.str(": ")
				console.str(what)
				console.str(" (")
				console.dec(uint64(len(b)))
				filesFailure(" bytes) do not fit in memory", "give the guest more memory with coracle run -m")
			}
			console.str(": errno ")
			console.dec(uint64(e))
			filesFailure(" (a file is where a directory should be, or a name is too long)", fix)
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
