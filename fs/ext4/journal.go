package ext4

import (
	"github.com/coracle-os/coracle/fs/ext4/jbd2"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// JournalExtents returns where the internal journal lives: the extents
// of the journal inode (s_journal_inum, normally 8: special_inodes.rst
// "Special inodes"), in the form jbd2.Open takes. It is an error if the
// file system has no internal journal or the journal has holes.
func (f *FS) JournalExtents() ([]jbd2.Extent, error) {
	if f.sb.features.Compat&compatHasJournal == 0 || f.sb.journalInum == 0 {
		return nil, errorf(linux.EINVAL, "the file system has no internal journal")
	}
	in, err := f.inode(f.sb.journalInum)
	if err != nil {
		return nil, err
	}
	if in.mode&sIFMT != sIFREG {
		return nil, corrupt("journal inode %d is not a regular file (mode %#o)", in.ino, in.mode)
	}
	bs := uint64(f.sb.blockSize)
	n := in.size / bs
	var exts []jbd2.Extent
	for lblk := uint64(0); lblk < n; {
		run, err := f.mapBlock(in, uint32(lblk))
		if err != nil {
			return nil, err
		}
		if run.kind != runData {
			return nil, corrupt("journal inode %d has a hole at block %d", in.ino, lblk)
		}
		length := min(run.n, n-lblk)
		exts = append(exts, jbd2.Extent{Logical: uint32(lblk), Physical: run.phys, Len: uint32(length)})
		lblk += length
	}
	return exts, nil
}
