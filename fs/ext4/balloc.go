package ext4

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Block allocation: each group's block bitmap has one bit per block
// (bitmaps.rst "Block and inode Bitmaps"), a checksum in the group
// descriptor, and a free count there and in the superblock.

const (
	roSparseSuper   = 0x1
	roLargeFile     = 0x2
	compatSparseSB2 = 0x200
	sbReservedGdt   = 0xCE  // s_reserved_gdt_blocks
	sbBackupBgs     = 0x24C // s_backup_bgs[2] (sparse_super2)
)

// groupStart returns the first block of group g, and groupBlocks the
// number of blocks in it (the last group may be short).
func (f *FS) groupStart(g uint32) uint64 {
	return uint64(f.sb.firstDataBlock) + uint64(g)*uint64(f.sb.blocksPerGroup)
}

func (f *FS) groupBlocks(g uint32) uint32 {
	start := f.groupStart(g)
	return uint32(min(uint64(f.sb.blocksPerGroup), f.sb.blocksCount-start))
}

// hasSuper reports whether group g holds a superblock backup and a copy
// of the group descriptor table (blockgroup.rst "Layout": with
// sparse_super only groups 0, 1 and powers of 3, 5 and 7; with
// sparse_super2 group 0 and the two in s_backup_bgs).
func (f *FS) hasSuper(g uint32, sbRaw []byte) bool {
	if g == 0 {
		return true
	}
	if f.sb.features.Compat&compatSparseSB2 != 0 {
		le := binary.LittleEndian
		return g == le.Uint32(sbRaw[sbBackupBgs:]) || g == le.Uint32(sbRaw[sbBackupBgs+4:])
	}
	if f.sb.features.ROCompat&roSparseSuper == 0 || g == 1 {
		return true
	}
	for _, p := range []uint32{3, 5, 7} {
		n := p
		for n < g {
			n *= p
		}
		if n == g {
			return true
		}
	}
	return false
}

// itableBlocks is the number of blocks in one group's inode table.
func (f *FS) itableBlocks() uint64 {
	bs := uint64(f.sb.blockSize)
	return (uint64(f.sb.inodesPerGroup)*uint64(f.sb.inodeSize) + bs - 1) / bs
}

// initialBlockBitmap computes the block bitmap of a group whose
// BLOCK_UNINIT flag says it was never written (blockgroup.rst "Lazy
// Block Group Initialization"): its superblock backup, descriptor table
// and reserved GDT blocks, the bitmaps and inode tables of any group
// that flex_bg packed into it, and padding bits past its end. The free
// count that results must equal the descriptor's.
func (f *FS) initialBlockBitmap(g uint32) ([]byte, error) {
	bm := make([]byte, f.sb.blockSize)
	set := func(bit uint64) { bm[bit/8] |= 1 << (bit % 8) }
	start := f.groupStart(g)
	n := uint64(f.groupBlocks(g))
	if f.hasSuper(g, f.w.sbRaw) {
		bs := uint64(f.sb.blockSize)
		gdt := (uint64(f.sb.groupCount)*uint64(f.sb.descSize) + bs - 1) / bs
		meta := 1 + gdt + uint64(binary.LittleEndian.Uint16(f.w.sbRaw[sbReservedGdt:]))
		for b := uint64(0); b < meta && b < n; b++ {
			set(b)
		}
	}
	inGroup := func(nr uint64) bool { return nr >= start && nr < start+n }
	for h := range f.groups {
		gd := &f.groups[h]
		for _, nr := range []uint64{gd.blockBitmap, gd.inodeBitmap} {
			if inGroup(nr) {
				set(nr - start)
			}
		}
		for nr := gd.inodeTable; nr < gd.inodeTable+f.itableBlocks(); nr++ {
			if inGroup(nr) {
				set(nr - start)
			}
		}
	}
	used := uint64(0)
	for b := uint64(0); b < n; b++ {
		if bm[b/8]&(1<<(b%8)) != 0 {
			used++
		}
	}
	for b := n; b < uint64(8*f.sb.blockSize); b++ {
		set(b)
	}
	d, err := f.readDesc(g)
	if err != nil {
		return nil, err
	}
	if free := descFreeBlocks(d); uint64(free) != n-used {
		return nil, corrupt("group %d is BLOCK_UNINIT with %d free blocks, but its layout leaves %d", g, free, n-used)
	}
	return bm, nil
}

// blockBitmap returns group g's block bitmap for reading: the cached
// block, or the computed one of a BLOCK_UNINIT group.
func (f *FS) blockBitmap(g uint32) ([]byte, error) {
	if f.uninit(f.groups[g].flags, bgBlockUninit) {
		return f.initialBlockBitmap(g)
	}
	b, err := f.cache.get(f.groups[g].blockBitmap)
	if err != nil {
		return nil, err
	}
	return b.data, nil
}

func bitSet(bm []byte, bit uint32) bool { return bm[bit/8]&(1<<(bit%8)) != 0 }

// findFree finds the first run of blocks of group g from bit on that
// are free and not busy, at most n long.
func (f *FS) findFree(g uint32, from uint32, n int) (uint32, int, error) {
	d, err := f.readDesc(g)
	if err != nil {
		return 0, 0, err
	}
	if descFreeBlocks(d) == 0 {
		return 0, 0, nil
	}
	bm, err := f.blockBitmap(g)
	if err != nil {
		return 0, 0, err
	}
	end := f.groupBlocks(g)
	for bit := from; bit < end; bit++ {
		if bit%8 == 0 && bm[bit/8] == 0xFF {
			bit += 7
			continue
		}
		if bitSet(bm, bit) || f.isBusy(g, bit) {
			continue
		}
		got := 1
		for got < n && bit+uint32(got) < end && !bitSet(bm, bit+uint32(got)) && !f.isBusy(g, bit+uint32(got)) {
			got++
		}
		return bit, got, nil
	}
	return 0, 0, nil
}

// allocBlocks allocates up to n contiguous blocks, as near after goal as
// it finds them: in goal's group from goal on, then in the following
// groups, then before goal. Blocks reserved for root
// (s_r_blocks_count) are not handed out: ENOSPC when only they are
// left.
func (t *tx) allocBlocks(goal uint64, n int) (uint64, int, error) {
	f := t.f
	if n <= 0 {
		return 0, 0, errorf(linux.EINVAL, "allocating %d blocks", n)
	}
	free, reserved := f.freeBlocksCount(), f.reservedBlocksCount()
	if free <= reserved {
		return 0, 0, errorf(linux.ENOSPC, "no free blocks (%d free, %d reserved)", free, reserved)
	}
	n = int(min(uint64(n), free-reserved))
	if goal < uint64(f.sb.firstDataBlock) || goal >= f.sb.blocksCount {
		goal = uint64(f.sb.firstDataBlock)
	}
	g0, bit0 := f.blockGroup(goal)
	for i := uint32(0); i <= f.sb.groupCount; i++ {
		g := (g0 + i) % f.sb.groupCount
		from := uint32(0)
		if i == 0 {
			from = bit0
		}
		bit, got, err := f.findFree(g, from, n)
		if err != nil {
			return 0, 0, err
		}
		if got > 0 {
			if err := t.takeBlocks(g, bit, got); err != nil {
				return 0, 0, err
			}
			return f.groupStart(g) + uint64(bit), got, nil
		}
	}
	return 0, 0, errorf(linux.ENOSPC, "no free blocks (the last ones were freed since the last checkpoint)")
}

// takeBlocks marks got blocks from bit of group g in use, materialising
// a BLOCK_UNINIT bitmap first.
func (t *tx) takeBlocks(g uint32, bit uint32, got int) error {
	f := t.f
	d, err := t.desc(g)
	if err != nil {
		return err
	}
	var bm []byte
	if f.uninit(d.flags(), bgBlockUninit) {
		init, err := f.initialBlockBitmap(g)
		if err != nil {
			return err
		}
		bm = t.zeroBlock(f.groups[g].blockBitmap)
		copy(bm, init)
		d.setFlags(d.flags() &^ bgBlockUninit)
	} else if bm, err = t.modify(f.groups[g].blockBitmap); err != nil {
		return err
	}
	for i := uint32(0); i < uint32(got); i++ {
		if bitSet(bm, bit+i) {
			return corrupt("group %d: block %d is already in use", g, f.groupStart(g)+uint64(bit+i))
		}
		bm[(bit+i)/8] |= 1 << ((bit + i) % 8)
	}
	d.addFreeBlocks(-int64(got))
	d.setBlockBitmapCsum(bm)
	d.done()
	f.setFreeBlocksCount(f.freeBlocksCount() - uint64(got))
	return nil
}

// freeBlocks frees n blocks from start. They stay busy (not allocated
// again) until the transaction that freed them has been checkpointed.
func (t *tx) freeBlocks(start uint64, n int) error {
	f := t.f
	if n <= 0 {
		return nil
	}
	if start < uint64(f.sb.firstDataBlock) || start+uint64(n) > f.sb.blocksCount {
		return corrupt("freeing blocks %d..%d outside the file system", start, start+uint64(n)-1)
	}
	f.w.data.wait() // no overwrite may still be writing to them
	for n > 0 {
		g, bit := f.blockGroup(start)
		k := min(uint32(n), f.groupBlocks(g)-bit)
		d, err := t.desc(g)
		if err != nil {
			return err
		}
		if f.uninit(d.flags(), bgBlockUninit) {
			return corrupt("freeing block %d of group %d, whose bitmap is uninitialised", start, g)
		}
		bm, err := t.modify(f.groups[g].blockBitmap)
		if err != nil {
			return err
		}
		for i := uint32(0); i < k; i++ {
			if !bitSet(bm, bit+i) {
				return corrupt("freeing block %d, which is free", start+uint64(i))
			}
			bm[(bit+i)/8] &^= 1 << ((bit + i) % 8)
		}
		d.addFreeBlocks(int64(k))
		d.setBlockBitmapCsum(bm)
		d.done()
		f.setFreeBlocksCount(f.freeBlocksCount() + uint64(k))
		r := blockRange{start: start, n: uint64(k)}
		f.w.freedRunning = append(f.w.freedRunning, r)
		f.markBusy(r)
		start += uint64(k)
		n -= int(k)
	}
	return nil
}
