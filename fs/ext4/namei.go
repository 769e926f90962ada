package ext4

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// The calls that change names: Create, Mkdir, Symlink, Link, Unlink,
// Rmdir, Rename. Each runs in one handle of the running transaction
// (journalling.rst "Overview"), so a crash leaves all of it or none.

// Link counts (Linux's EXT4_LINK_MAX): a file has at most 65000 links. A
// directory's count is 2 plus its subdirectories; with dir_nlink, an
// htree directory past the limit counts 1, "many" (super.rst,
// RO_COMPAT_DIR_NLINK).
const (
	linkMax    = 65000
	roDirNlink = 0x20
)

// entryType is the file_type byte for an inode of mode: 0 without the
// filetype feature.
func (f *FS) entryType(mode uint32) uint8 {
	if f.sb.features.Incompat&incompatFiletype == 0 {
		return ftUnknown
	}
	return fileType(mode)
}

// canAddSubdir reports EMLINK when directory in cannot take another
// subdirectory (Linux's EXT4_DIR_LINK_MAX).
func (f *FS) canAddSubdir(in *inode) error {
	if in.links >= linkMax && !(f.sb.features.ROCompat&roDirNlink != 0 && in.flags&flagIndex != 0) {
		return errorf(linux.EMLINK, "directory inode %d has %d links", in.ino, in.links)
	}
	return nil
}

// incDirLinks counts a new subdirectory of in (Linux's ext4_inc_count):
// past the limit, or from "many", the count is 1.
func incDirLinks(in *inode) {
	if in.links == 1 && in.flags&flagIndex != 0 {
		return
	}
	in.links++
	if in.flags&flagIndex != 0 && in.links > linkMax {
		in.links = 1
	}
}

// decDirLinks counts a subdirectory gone (Linux's ext4_dec_count): a
// count of 1 ("many") or 2 stays.
func decDirLinks(in *inode) {
	if in.links > 2 {
		in.links--
	}
}

// op is the state of one changing call: the handle and the inodes it
// has read, once each, so that two roles of one inode (the same
// directory as source and target of a rename) share their changes.
type op struct {
	f      *FS
	t      *tx
	inodes map[uint32]*inode
	dirty  map[uint32]bool
}

// beginOp takes the FS's lock and opens a handle; finish ends both.
func (f *FS) beginOp() (*op, error) {
	f.mu.Lock()
	if err := f.writable(); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	return &op{f: f, t: f.begin(), inodes: map[uint32]*inode{}, dirty: map[uint32]bool{}}, nil
}

// finish writes the inodes the call changed and closes the handle. An
// error of the call itself wins over one of the commit it may start.
func (o *op) finish(err error) error {
	defer o.f.mu.Unlock()
	if err == nil {
		for ino := range o.dirty {
			if err = o.t.writeInode(o.inodes[ino]); err != nil {
				break
			}
		}
	}
	if e := o.t.end(); err == nil {
		err = e
	}
	return err
}

// inode returns inode ino as this call sees it.
func (o *op) inode(ino uint32) (*inode, error) {
	if in, ok := o.inodes[ino]; ok {
		return in, nil
	}
	in, err := o.f.liveInode(ino) // an unlinked one still held: ENOENT below
	if err != nil {
		return nil, err
	}
	o.inodes[ino] = in
	return in, nil
}

// dir returns directory ino.
func (o *op) dir(ino uint32) (*inode, error) {
	in, err := o.inode(ino)
	switch {
	case err != nil:
	case !in.isDir():
		err = errorf(linux.ENOTDIR, "inode %d is not a directory", ino)
	case in.links == 0: // removed, but held open
		err = errorf(linux.ENOENT, "directory inode %d has been removed", ino)
	}
	return in, err
}

// touch marks in changed, with ctime (and mtime for a directory whose
// entries changed) now, as Linux does.
func (o *op) touch(in *inode, mtime bool) {
	ts := now()
	in.ctime = ts
	if mtime {
		in.mtime = ts
	}
	o.dirty[in.ino] = true
}

// lookup finds name in directory in: its location, inode and whether it
// is there.
func (o *op) lookup(in *inode, name string) (entryLoc, bool, error) {
	return o.t.editor(in).find([]byte(name))
}

// checkNewName refuses an invalid name and one that exists in dir.
func (o *op) checkNewName(dir *inode, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if name == "." || name == ".." {
		return errorf(linux.EEXIST, "%q exists in directory %d", name, dir.ino)
	}
	_, found, err := o.lookup(dir, name)
	if err == nil && found {
		err = errorf(linux.EEXIST, "%q exists in directory %d", name, dir.ino)
	}
	return err
}

// newInode allocates an inode of mode near dir and links it in as
// name; fill initialises it (blocks, size) before it is written. On an
// error nothing of it remains.
func (o *op) newInode(dir *inode, name string, mode, uid, gid uint32, fill func(*inode) error) (*inode, error) {
	if err := o.checkNewName(dir, name); err != nil {
		return nil, err
	}
	ino, err := o.t.allocInode(dir.ino, mode)
	if err != nil {
		return nil, err
	}
	in := o.t.newInode(ino, mode, uid, gid)
	o.inodes[ino] = in
	err = fill(in)
	if err == nil {
		err = o.t.editor(dir).add([]byte(name), ino, o.f.entryType(mode))
	}
	if err != nil {
		// Give back what fill took; the entry was not added.
		in.links, in.size = 0, 0
		if e := o.t.writeInode(in); e == nil {
			o.t.deleteInode(in)
		}
		delete(o.inodes, ino)
		return nil, err
	}
	o.dirty[ino] = true
	o.touch(dir, true)
	return in, nil
}

// Create makes a file named name in directory dir: a regular file, or a
// FIFO or socket by the type in mode (a type of 0 is a regular file),
// with mode's permission bits. EEXIST if the name exists.
func (f *FS) Create(dir uint32, name string, mode, uid, gid uint32) (uint32, error) {
	switch mode & sIFMT {
	case 0:
		mode |= sIFREG
	case sIFREG, sIFIFO, sIFSOCK:
	default:
		return 0, errorf(linux.EINVAL, "Create of file type %#o", mode&sIFMT)
	}
	o, err := f.beginOp()
	if err != nil {
		return 0, err
	}
	var in *inode
	d, err := o.dir(dir)
	if err == nil {
		in, err = o.newInode(d, name, mode, uid, gid, func(*inode) error { return nil })
	}
	if err = o.finish(err); err != nil {
		return 0, err
	}
	return in.ino, nil
}

// Mkdir makes directory name in dir: one block with "." and "..", two
// links; the parent gains one (directory.rst "Linear (Classic)
// Directories").
func (f *FS) Mkdir(dir uint32, name string, mode, uid, gid uint32) (uint32, error) {
	mode = mode&^sIFMT | sIFDIR
	o, err := f.beginOp()
	if err != nil {
		return 0, err
	}
	var in *inode
	d, err := o.dir(dir)
	if err == nil {
		err = f.canAddSubdir(d)
	}
	if err == nil {
		in, err = o.newInode(d, name, mode, uid, gid, func(in *inode) error {
			return o.initDir(in, d.ino)
		})
	}
	if err == nil {
		incDirLinks(d)
	}
	if err = o.finish(err); err != nil {
		return 0, err
	}
	return in.ino, nil
}

// initDir gives new directory in its first block: "." and "..".
func (o *op) initDir(in *inode, parent uint32) error {
	pblk, _, err := o.t.mapBlocks(in, 0, 1, true)
	if err != nil {
		return err
	}
	b := o.t.zeroBlock(pblk)
	csum := o.f.sb.metadataCsum()
	initLeaf(b, csum)
	end := leafEnd(len(b), csum)
	leafInsert(b, end, in.ino, o.f.entryType(sIFDIR), []byte("."))
	leafInsert(b, end, parent, o.f.entryType(sIFDIR), []byte(".."))
	if csum {
		sealLeaf(b, in.csumSeed)
	}
	in.size = uint64(len(b))
	in.links = 2
	return nil
}

// fastSymlinkMax is the longest target kept in i_block: shorter than
// its 60 bytes (ifork.rst "Symbolic Links").
const fastSymlinkMax = 59

// Symlink makes symbolic link name in dir pointing to target: a fast one
// in i_block when the target is shorter than 60 bytes, else one data
// block with the target, as Linux does.
func (f *FS) Symlink(dir uint32, name, target string, uid, gid uint32) (uint32, error) {
	switch {
	case target == "":
		return 0, errorf(linux.ENOENT, "empty symlink target")
	case len(target) > maxSymlink || len(target) >= f.sb.blockSize:
		return 0, errorf(linux.ENAMETOOLONG, "symlink target of %d bytes", len(target))
	}
	o, err := f.beginOp()
	if err != nil {
		return 0, err
	}
	var in *inode
	d, err := o.dir(dir)
	if err == nil {
		in, err = o.newInode(d, name, sIFLNK|0o777, uid, gid, func(in *inode) error {
			in.size = uint64(len(target))
			if len(target) <= fastSymlinkMax {
				in.flags &^= flagExtents
				clear(in.iblock[:])
				copy(in.iblock[:], target)
				return nil
			}
			in.flags |= flagExtents
			initExtentRoot(in.iblock[:])
			pblk, _, err := o.t.mapBlocks(in, 0, 1, true)
			if err != nil {
				return err
			}
			// The target is file data, as Linux writes it: straight to
			// the device, before the transaction that maps it commits
			// (data=ordered).
			b := make([]byte, f.sb.blockSize)
			copy(b, target)
			if _, err := f.dev.WriteAt(b, int64(pblk)*int64(len(b))); err != nil {
				return ioError(err, "writing symlink block %d of inode %d", pblk, in.ino)
			}
			return nil
		})
	}
	if err = o.finish(err); err != nil {
		return 0, err
	}
	return in.ino, nil
}

// Link adds name in dir for inode ino, which must not be a directory
// (EPERM, as link(2)); EMLINK at the link limit.
func (f *FS) Link(ino, dir uint32, name string) error {
	o, err := f.beginOp()
	if err != nil {
		return err
	}
	return o.finish(o.link(ino, dir, name))
}

func (o *op) link(ino, dir uint32, name string) error {
	d, err := o.dir(dir)
	if err != nil {
		return err
	}
	in, err := o.inode(ino)
	if err != nil {
		return err
	}
	switch {
	case in.isDir():
		return errorf(linux.EPERM, "hard link to directory inode %d", ino)
	case in.links == 0: // unlinked, held open
		return errorf(linux.ENOENT, "inode %d has no links", ino)
	case in.links >= linkMax:
		return errorf(linux.EMLINK, "inode %d has %d links", ino, in.links)
	}
	if err := o.checkNewName(d, name); err != nil {
		return err
	}
	if err := o.t.editor(d).add([]byte(name), ino, o.f.entryType(uint32(in.mode))); err != nil {
		return err
	}
	in.links++
	o.touch(in, false)
	o.touch(d, true)
	return nil
}

// Unlink removes name from dir; EISDIR for a directory. The inode goes
// with its last link, unless it is held open: then at its last Release.
func (f *FS) Unlink(dir uint32, name string) error {
	o, err := f.beginOp()
	if err != nil {
		return err
	}
	return o.finish(o.unlink(dir, name))
}

func (o *op) unlink(dir uint32, name string) error {
	d, in, loc, err := o.existing(dir, name)
	if err != nil {
		return err
	}
	if in.isDir() {
		return errorf(linux.EISDIR, "%q in directory %d is a directory", name, dir)
	}
	if err := o.t.editor(d).remove(loc); err != nil {
		return err
	}
	o.touch(d, true)
	return o.dropLink(in)
}

// existing finds name in directory dir and reads its inode.
func (o *op) existing(dir uint32, name string) (*inode, *inode, entryLoc, error) {
	if err := checkName(name); err != nil {
		return nil, nil, entryLoc{}, err
	}
	d, err := o.dir(dir)
	if err != nil {
		return nil, nil, entryLoc{}, err
	}
	loc, found, err := o.lookup(d, name)
	if err != nil {
		return nil, nil, entryLoc{}, err
	}
	if !found {
		return nil, nil, entryLoc{}, errorf(linux.ENOENT, "%q not found in directory %d", name, dir)
	}
	in, err := o.inode(loc.ino)
	if err != nil {
		return nil, nil, entryLoc{}, err
	}
	return d, in, loc, nil
}

// dropLink counts one link of in gone; with the last, in goes.
func (o *op) dropLink(in *inode) error {
	if in.links > 0 {
		in.links--
	}
	o.touch(in, false)
	if in.links > 0 {
		return nil
	}
	return o.gone(in)
}

// gone disposes of an inode without links (dropInode): one that is held
// open goes onto the orphan list, to be freed at its last Release; any
// other is freed now, with its blocks.
func (o *op) gone(in *inode) error {
	delete(o.dirty, in.ino)
	return o.t.dropInode(in)
}

// Rmdir removes the empty directory name from dir: ENOTEMPTY if it has
// entries, EINVAL for ".", ENOTEMPTY for ".." (as rmdir(2)).
func (f *FS) Rmdir(dir uint32, name string) error {
	switch name {
	case ".":
		return errorf(linux.EINVAL, "rmdir of \".\"")
	case "..":
		return errorf(linux.ENOTEMPTY, "rmdir of \"..\"")
	}
	o, err := f.beginOp()
	if err != nil {
		return err
	}
	return o.finish(o.rmdir(dir, name))
}

func (o *op) rmdir(dir uint32, name string) error {
	d, in, loc, err := o.existing(dir, name)
	if err != nil {
		return err
	}
	if !in.isDir() {
		return errorf(linux.ENOTDIR, "%q in directory %d is not a directory", name, dir)
	}
	if err := o.checkEmpty(in); err != nil {
		return err
	}
	if err := o.t.editor(d).remove(loc); err != nil {
		return err
	}
	decDirLinks(d)
	o.touch(d, true)
	return o.killDir(in)
}

// checkEmpty is ENOTEMPTY unless directory in has only "." and "..".
func (o *op) checkEmpty(in *inode) error {
	empty, err := o.t.editor(in).empty()
	if err == nil && !empty {
		err = errorf(linux.ENOTEMPTY, "directory inode %d is not empty", in.ino)
	}
	return err
}

// killDir drops the last links of an empty directory that has lost its
// name (Linux clears the count and the size: ext4_rmdir).
func (o *op) killDir(in *inode) error {
	in.links = 0
	o.touch(in, false)
	return o.gone(in)
}
