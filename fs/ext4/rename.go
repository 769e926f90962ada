package ext4

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Rename and RENAME_EXCHANGE: the new entry, the removal of the old one,
// ".." of a moved directory and the parents' link counts, in one handle.

// Rename moves oldName in oldDir to newName in newDir in one
// transaction. An existing target is replaced: a file by a non-directory,
// an empty directory by a directory (else EISDIR, ENOTDIR, ENOTEMPTY).
// A moved directory's ".." and both parents' link counts follow. Moving
// a directory into itself or below is EINVAL. flags may hold
// RENAME_NOREPLACE (EEXIST for an existing target) and RENAME_EXCHANGE
// (swap the two names; both must exist).
func (f *FS) Rename(oldDir uint32, oldName string, newDir uint32, newName string, flags uint32) error {
	if flags&^(linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE) != 0 ||
		flags == linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE {
		return errorf(linux.EINVAL, "rename flags %#x", flags)
	}
	for _, n := range []string{oldName, newName} {
		if n == "." || n == ".." {
			return errorf(linux.EBUSY, "rename of %q", n)
		}
	}
	o, err := f.beginOp()
	if err != nil {
		return err
	}
	return o.finish(o.rename(oldDir, oldName, newDir, newName, flags))
}

func (o *op) rename(oldDir uint32, oldName string, newDir uint32, newName string, flags uint32) error {
	od, src, _, err := o.existing(oldDir, oldName)
	if err != nil {
		return err
	}
	if err := checkName(newName); err != nil {
		return err
	}
	nd, err := o.dir(newDir)
	if err != nil {
		return err
	}
	tloc, tfound, err := o.lookup(nd, newName)
	if err != nil {
		return err
	}
	var dst *inode
	if tfound {
		if flags&linux.RENAME_NOREPLACE != 0 {
			return errorf(linux.EEXIST, "%q exists in directory %d", newName, newDir)
		}
		if dst, err = o.inode(tloc.ino); err != nil {
			return err
		}
	} else if flags&linux.RENAME_EXCHANGE != 0 {
		return errorf(linux.ENOENT, "%q not found in directory %d", newName, newDir)
	}
	if dst == src {
		return nil // two names of one inode: nothing to do (rename(2))
	}
	if flags&linux.RENAME_EXCHANGE != 0 {
		return o.exchange(od, oldName, src, nd, newName, dst)
	}
	if src.isDir() {
		if err := o.checkNotBelow(src, nd); err != nil {
			return err
		}
	}
	if dst != nil {
		switch {
		case src.isDir() && !dst.isDir():
			return errorf(linux.ENOTDIR, "%q in directory %d is not a directory", newName, newDir)
		case !src.isDir() && dst.isDir():
			return errorf(linux.EISDIR, "%q in directory %d is a directory", newName, newDir)
		case dst.isDir():
			if err := o.checkEmpty(dst); err != nil {
				return err
			}
		}
	} else if src.isDir() && od != nd {
		if err := o.f.canAddSubdir(nd); err != nil {
			return err
		}
	}

	// The new name first, then the old one goes (looked up again: an
	// insert into the same directory may have split its leaf).
	ft := o.f.entryType(uint32(src.mode))
	if dst != nil {
		err = o.t.editor(nd).retarget(tloc, src.ino, ft)
	} else {
		err = o.t.editor(nd).add([]byte(newName), src.ino, ft)
	}
	if err != nil {
		return err
	}
	if err := o.removeName(od, oldName, src.ino); err != nil {
		return err
	}
	o.touch(src, false)
	o.touch(od, true)
	o.touch(nd, true)
	if src.isDir() {
		if od != nd {
			if err := o.t.editor(src).setDotDot(nd.ino); err != nil {
				return err
			}
		}
		decDirLinks(od)
		if dst == nil {
			incDirLinks(nd)
		}
	}
	if dst != nil {
		if dst.isDir() {
			return o.killDir(dst)
		}
		return o.dropLink(dst)
	}
	return nil
}

// removeName removes the entry name -> ino from directory d.
func (o *op) removeName(d *inode, name string, ino uint32) error {
	e := o.t.editor(d)
	loc, found, err := e.find([]byte(name))
	if err != nil {
		return err
	}
	if !found || loc.ino != ino {
		return corrupt("directory inode %d: entry %q changed during a rename", d.ino, name)
	}
	return e.remove(loc)
}

// checkNotBelow is EINVAL when directory dir is directory src or lies
// below it: the walk up the ".." entries from dir meets src before the
// root.
func (o *op) checkNotBelow(src, dir *inode) error {
	for ino, steps := dir.ino, 0; ; steps++ {
		if ino == src.ino {
			return errorf(linux.EINVAL, "directory inode %d cannot move below itself (into inode %d)", src.ino, dir.ino)
		}
		if ino == RootIno {
			return nil
		}
		if steps > int(o.f.sb.inodesCount) {
			return corrupt("directory inode %d: \"..\" entries form a loop", dir.ino)
		}
		d, err := o.dir(ino)
		if err != nil {
			return err
		}
		if ino, err = o.t.editor(d).parent(); err != nil {
			return err
		}
	}
}

// exchange swaps names a (in directory ad) and b (in bd)
// (RENAME_EXCHANGE): each entry names the other inode; directories that
// change parent get their ".." fixed and the parents' counts follow.
func (o *op) exchange(ad *inode, aName string, a *inode, bd *inode, bName string, b *inode) error {
	if ad != bd {
		if a.isDir() {
			if err := o.checkNotBelow(a, bd); err != nil {
				return err
			}
		}
		if b.isDir() {
			if err := o.checkNotBelow(b, ad); err != nil {
				return err
			}
		}
		if a.isDir() && !b.isDir() {
			if err := o.f.canAddSubdir(bd); err != nil {
				return err
			}
		}
		if b.isDir() && !a.isDir() {
			if err := o.f.canAddSubdir(ad); err != nil {
				return err
			}
		}
	}
	for _, s := range []struct {
		d    *inode
		name string
		from *inode
		to   *inode
	}{{ad, aName, a, b}, {bd, bName, b, a}} {
		e := o.t.editor(s.d)
		loc, found, err := e.find([]byte(s.name))
		if err != nil {
			return err
		}
		if !found || loc.ino != s.from.ino {
			return corrupt("directory inode %d: entry %q changed during a rename", s.d.ino, s.name)
		}
		if err := e.retarget(loc, s.to.ino, o.f.entryType(uint32(s.to.mode))); err != nil {
			return err
		}
		o.touch(s.d, true)
		o.touch(s.from, false)
	}
	if ad == bd {
		return nil
	}
	if a.isDir() {
		if err := o.t.editor(a).setDotDot(bd.ino); err != nil {
			return err
		}
	}
	if b.isDir() {
		if err := o.t.editor(b).setDotDot(ad.ino); err != nil {
			return err
		}
	}
	switch {
	case a.isDir() && !b.isDir():
		decDirLinks(ad)
		incDirLinks(bd)
	case b.isDir() && !a.isDir():
		decDirLinks(bd)
		incDirLinks(ad)
	}
	return nil
}
