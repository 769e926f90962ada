package ext4

import (
	"time"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Inode allocation: each group's inode bitmap (bitmaps.rst), its
// checksum, the group's free inode and directory counts and
// bg_itable_unused, and the superblock's free inode count.

// pickInodeGroup chooses the group for a new inode: a directory goes to
// the first group from the parent's on with at least the average number
// of free inodes and blocks (spreading directories, like Linux's Orlov
// allocator in spirit); anything else to the parent's group, or the
// next with a free inode.
func (f *FS) pickInodeGroup(parent uint32, dir bool) (uint32, error) {
	ng := f.sb.groupCount
	pg := uint32(0)
	if parent >= 1 && parent <= f.sb.inodesCount {
		pg = (parent - 1) / f.sb.inodesPerGroup
	}
	if dir {
		avgInodes := uint64(f.freeInodesCount()) / uint64(ng)
		avgBlocks := f.freeBlocksCount() / uint64(ng)
		for i := uint32(0); i < ng; i++ {
			g := (pg + i) % ng
			d, err := f.readDesc(g)
			if err != nil {
				return 0, err
			}
			if fi := descFreeInodes(d); fi > 0 && uint64(fi) >= avgInodes && uint64(descFreeBlocks(d)) >= avgBlocks {
				return g, nil
			}
		}
	}
	for i := uint32(0); i < ng; i++ {
		g := (pg + i) % ng
		d, err := f.readDesc(g)
		if err != nil {
			return 0, err
		}
		if descFreeInodes(d) > 0 {
			return g, nil
		}
	}
	return 0, errorf(linux.ENOSPC, "no free inodes")
}

// allocInode allocates an inode for a file of type mode near parent and
// zeroes its slot in the inode table (lazy_itable_init leaves tables
// unzeroed: blockgroup.rst "Lazy Block Group Initialization").
func (t *tx) allocInode(parent uint32, mode uint32) (uint32, error) {
	f := t.f
	if f.freeInodesCount() == 0 {
		return 0, errorf(linux.ENOSPC, "no free inodes")
	}
	dir := mode&sIFMT == sIFDIR
	g, err := f.pickInodeGroup(parent, dir)
	if err != nil {
		return 0, err
	}
	d, err := t.desc(g)
	if err != nil {
		return 0, err
	}
	ipg := f.sb.inodesPerGroup
	var bm []byte
	if f.uninit(d.flags(), bgInodeUninit) {
		// A never-used group: an empty bitmap, padding set
		// (bitmaps.rst: the bits past s_inodes_per_group are 1).
		bm = t.zeroBlock(f.groups[g].inodeBitmap)
		for b := ipg; b < uint32(8*f.sb.blockSize); b++ {
			bm[b/8] |= 1 << (b % 8)
		}
		d.setFlags(d.flags() &^ bgInodeUninit)
		d.setItableUnused(ipg)
	} else if bm, err = t.modify(f.groups[g].inodeBitmap); err != nil {
		return 0, err
	}
	first := uint32(0)
	if g == 0 {
		first = f.sb.firstIno - 1 // inodes below s_first_ino are reserved
	}
	idx := first
	for idx < ipg && bitSet(bm, idx) {
		idx++
	}
	if idx == ipg {
		return 0, corrupt("group %d has %d free inodes but a full inode bitmap", g, descFreeInodes(d.d))
	}
	bm[idx/8] |= 1 << (idx % 8)
	d.setInodeBitmapCsum(bm)
	d.addFreeInodes(-1)
	if dir {
		d.addUsedDirs(1)
	}
	if unused := d.itableUnused(); idx >= ipg-unused {
		d.setItableUnused(ipg - idx - 1)
	}
	d.done()
	f.setFreeInodesCount(f.freeInodesCount() - 1)

	ino := g*ipg + idx + 1
	slot, err := t.inodeSlot(ino)
	if err != nil {
		return 0, err
	}
	clear(slot)
	return ino, nil
}

// inodeSlot returns inode ino's bytes in its table block, in the running
// transaction.
func (t *tx) inodeSlot(ino uint32) ([]byte, error) {
	f := t.f
	if ino == 0 || ino > f.sb.inodesCount {
		return nil, errorf(linux.ESTALE, "inode %d does not exist", ino)
	}
	g := (ino - 1) / f.sb.inodesPerGroup
	off := uint64((ino-1)%f.sb.inodesPerGroup) * uint64(f.sb.inodeSize)
	bs := uint64(f.sb.blockSize)
	b, err := t.modify(f.groups[g].inodeTable + off/bs)
	if err != nil {
		return nil, err
	}
	return b[off%bs : off%bs+uint64(f.sb.inodeSize)], nil
}

// freeInode frees inode ino, of type mode: it stamps i_dtime and a zero
// link count into the slot (as Linux leaves a deleted inode) and clears
// its bitmap bit. The caller has freed its blocks (truncateBlocks).
func (t *tx) freeInode(ino uint32, mode uint32) error {
	f := t.f
	in, err := f.inodeSlot(ino)
	if err != nil {
		return err
	}
	in.links = 0
	in.dtime = uint32(time.Now().Unix())
	if err := t.writeInode(in); err != nil {
		return err
	}
	g, idx := (ino-1)/f.sb.inodesPerGroup, (ino-1)%f.sb.inodesPerGroup
	d, err := t.desc(g)
	if err != nil {
		return err
	}
	if f.uninit(d.flags(), bgInodeUninit) {
		return corrupt("freeing inode %d of group %d, whose bitmap is uninitialised", ino, g)
	}
	bm, err := t.modify(f.groups[g].inodeBitmap)
	if err != nil {
		return err
	}
	if !bitSet(bm, idx) {
		return corrupt("freeing inode %d, which is free", ino)
	}
	bm[idx/8] &^= 1 << (idx % 8)
	d.setInodeBitmapCsum(bm)
	d.addFreeInodes(1)
	if mode&sIFMT == sIFDIR {
		d.addUsedDirs(-1)
	}
	d.done()
	f.setFreeInodesCount(f.freeInodesCount() + 1)
	return nil
}
