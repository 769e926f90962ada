package ext4

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Open files and the orphan list. An inode whose last link goes while it
// is open stays allocated, on the orphan list (super.rst s_last_orphan:
// the first orphan; each orphan's i_dtime holds the next one), until
// its last Release frees it. After a crash, Mount frees the inodes left
// on the list, as Linux and e2fsck do.

// Hold counts an open of inode ino.
func (f *FS) Hold(ino uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.w != nil {
		f.w.held[ino]++
	}
}

// Release ends an open of inode ino. At the last one, an inode without
// links is taken off the orphan list and freed.
func (f *FS) Release(ino uint32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.w == nil || f.w.held[ino] == 0 {
		return nil
	}
	f.w.held[ino]--
	if f.w.held[ino] > 0 {
		return nil
	}
	delete(f.w.held, ino)
	if err := f.writable(); err != nil {
		return err
	}
	in, err := f.inodeSlot(ino)
	if err != nil {
		return err
	}
	if in.links != 0 || in.mode == 0 {
		return nil
	}
	t := f.begin()
	err = t.removeOrphan(in)
	if err == nil {
		err = t.deleteInode(in)
	}
	if eerr := t.end(); err == nil {
		err = eerr
	}
	return err
}

// dropInode is for the caller that has just removed in's last link
// (links 0, not yet written): an inode still held open goes on the
// orphan list; any other is freed with its blocks.
func (t *tx) dropInode(in *inode) error {
	if t.f.w.held[in.ino] > 0 {
		return t.addOrphan(in)
	}
	return t.deleteInode(in)
}

// deleteInode frees in's blocks and then in.
func (t *tx) deleteInode(in *inode) error {
	if err := t.truncateBlocks(in, 0); err != nil {
		return err
	}
	return t.freeInode(in.ino, uint32(in.mode))
}

// addOrphan puts in at the head of the orphan list and writes it.
func (t *tx) addOrphan(in *inode) error {
	raw := t.f.w.sbRaw
	in.dtime = le32(raw, sbLastOrphan)
	leOrder.PutUint32(raw[sbLastOrphan:], in.ino)
	return t.writeInode(in)
}

// removeOrphan takes in off the orphan list (a singly linked list: the
// inode before it is found by walking from the head).
func (t *tx) removeOrphan(in *inode) error {
	f := t.f
	raw := f.w.sbRaw
	next := in.dtime
	if cur := le32(raw, sbLastOrphan); cur == in.ino {
		leOrder.PutUint32(raw[sbLastOrphan:], next)
	} else {
		for steps := uint32(0); cur != 0; steps++ {
			if steps > f.sb.inodesCount {
				return corrupt("the orphan list has a loop")
			}
			prev, err := f.inodeSlot(cur)
			if err != nil {
				return err
			}
			if prev.dtime == in.ino {
				prev.dtime = next
				if err := t.writeInode(prev); err != nil {
					return err
				}
				break
			}
			cur = prev.dtime
		}
	}
	in.dtime = 0
	return t.writeInode(in)
}

// cleanOrphans empties the orphan list at Mount: inodes without links
// are freed, linked ones (truncated while open) lose the blocks past
// their size.
func (f *FS) cleanOrphans() error {
	raw := f.w.sbRaw
	t := f.begin()
	for steps := uint32(0); le32(raw, sbLastOrphan) != 0; steps++ {
		ino := le32(raw, sbLastOrphan)
		if steps > f.sb.inodesCount {
			t.end()
			return corrupt("the orphan list has a loop")
		}
		in, err := f.inodeSlot(ino)
		if err == nil && in.mode == 0 {
			err = corrupt("orphan inode %d is free", ino)
		}
		if err != nil {
			t.end()
			return err
		}
		leOrder.PutUint32(raw[sbLastOrphan:], in.dtime)
		in.dtime = 0
		if in.links == 0 {
			err = t.deleteInode(in)
		} else {
			bs := uint64(f.sb.blockSize)
			if err = t.truncateBlocks(in, uint32((in.size+bs-1)/bs)); err == nil {
				err = t.writeInode(in)
			}
		}
		if err != nil {
			t.end()
			return err
		}
	}
	if err := t.end(); err != nil {
		return err
	}
	if err := f.commit(); err != nil {
		return errorf(linux.EIO, "cleaning the orphan list: %v", err)
	}
	return nil
}
