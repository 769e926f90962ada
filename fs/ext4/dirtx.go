package ext4

// A directory in the running transaction, as dirops.go sees it: blocks
// are read through the checked read path (the cache holds the
// transaction's copies) and made part of the transaction to change them;
// a new block is allocated at the directory's end.

// txDir is a directory's blocks in the running transaction, for
// dirEditor.
type txDir struct {
	t  *tx
	in *inode
}

func (d *txDir) count() uint32 { return uint32(d.t.f.dirBlocks(d.in)) }

func (d *txDir) read(lblk uint32) ([]byte, error) {
	b, err := d.t.f.readDirBlock(d.in, uint64(lblk))
	if err != nil || b.kind == dirHole {
		return nil, err
	}
	return b.data, nil
}

func (d *txDir) write(lblk uint32) ([]byte, error) {
	pblk, _, err := d.t.mapBlocks(d.in, lblk, 1, false)
	if err != nil {
		return nil, err
	}
	if pblk == 0 {
		return nil, corrupt("directory inode %d: block %d is a hole", d.in.ino, lblk)
	}
	return d.t.modify(pblk)
}

func (d *txDir) grow() (uint32, []byte, error) {
	lblk := d.count()
	pblk, _, err := d.t.mapBlocks(d.in, lblk, 1, true)
	if err != nil {
		return 0, nil, err
	}
	d.in.size += uint64(d.t.f.sb.blockSize)
	return lblk, d.t.zeroBlock(pblk), nil
}

func (d *txDir) indexed() bool { return d.in.flags&flagIndex != 0 }
func (d *txDir) setIndexed()   { d.in.flags |= flagIndex }

// editor returns a dirEditor for directory in in transaction t.
func (t *tx) editor(in *inode) *dirEditor {
	f := t.f
	return &dirEditor{
		fm: dirFormat{
			bs: f.sb.blockSize, csum: f.sb.metadataCsum(), seed: in.csumSeed,
			dirIndex: f.sb.features.Compat&compatDirIndex != 0,
			defHash:  f.sb.defHashVersion, unsigned: f.sb.flags&flagUnsignedHash != 0,
			hashSeed: f.sb.hashSeed, ino: in.ino,
		},
		d: &txDir{t: t, in: in},
	}
}
