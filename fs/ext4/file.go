package ext4

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// writeChunkBlocks bounds the blocks one handle of WriteAt allocates, so
// that a large write spans several transactions.
const writeChunkBlocks = 2048

// maxFileSize is the largest file size: logical block numbers have 32
// bits (Linux's ext4_max_size for extent files: 2^32 - 1 blocks).
func (f *FS) maxFileSize() int64 { return (1<<32 - 1) * int64(f.sb.blockSize) }

// fileInode returns the regular file ino for a change: in use (linked or
// held open), and of the right type.
func (f *FS) fileInode(ino uint32) (*inode, error) {
	if err := f.writable(); err != nil {
		return nil, err
	}
	in, err := f.liveInode(ino)
	if err != nil {
		return nil, err
	}
	switch in.mode & sIFMT {
	case sIFREG:
		return in, nil
	case sIFDIR:
		return nil, errorf(linux.EISDIR, "inode %d is a directory", ino)
	}
	return nil, errorf(linux.EINVAL, "inode %d is not a regular file", ino)
}

// WriteAt writes p to regular file ino at off, extending the file and
// allocating blocks as needed. Data goes straight to the device, before
// the transaction that maps it commits (data=ordered). When the disk
// fills up it returns what was written and ENOSPC; a write at or past
// the largest file size is EFBIG, one across it is cut short.
//
// A write over blocks already written (overwrite.go) sends its data
// with the lock released, concurrently with other calls.
func (f *FS) WriteAt(ino uint32, p []byte, off int64) (int, error) {
	f.mu.Lock()
	in, err := f.fileInode(ino)
	if err == nil && off >= 0 && len(p) > 0 {
		var segs [maxOverwriteSegments]segment
		if n, ok := f.overwriteMap(in, p, off, &segs); ok {
			return f.overwrite(in, p, segs[:n])
		}
	}
	defer f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, errorf(linux.EINVAL, "negative offset %d", off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if max := f.maxFileSize(); off >= max {
		return 0, errorf(linux.EFBIG, "offset %d is past the largest file size %d", off, max)
	} else if off+int64(len(p)) > max {
		p = p[:max-off]
	}
	bs := int64(f.sb.blockSize)
	if size := int64(in.size); off > size && size%bs != 0 {
		// The old last block's bytes past the old end must read as
		// zeros once the file grows over them.
		if err := f.zeroTail(in, size, min(off, (size/bs+1)*bs)); err != nil {
			return 0, err
		}
	}
	n := 0
	retried := false
	for n < len(p) {
		t := f.begin()
		k, werr := f.writeChunk(t, in, p[n:], off+int64(n))
		n += k
		if k == 0 && ErrnoOf(werr) == linux.ENOSPC && !retried {
			// Blocks freed since the last checkpoint may be all
			// that is left: checkpoint and try once more.
			if err := t.end(); err != nil {
				return n, err
			}
			retried = true
			if ok, err := f.reclaimBusy(); err != nil {
				return n, err
			} else if ok {
				continue
			}
			t = f.begin()
		}
		if end := uint64(off) + uint64(n); end > in.size {
			in.size = end
		}
		in.mtime = now()
		in.ctime = in.mtime
		err := t.writeInode(in)
		if eerr := t.end(); err == nil {
			err = eerr
		}
		if werr != nil {
			return n, werr
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeChunk writes the start of p at off: up to the end of a mapped
// run, or into at most writeChunkBlocks newly mapped blocks.
func (f *FS) writeChunk(t *tx, in *inode, p []byte, off int64) (int, error) {
	bs := int64(f.sb.blockSize)
	lblk := uint32(off / bs)
	inBlock := off % bs
	want := (inBlock + int64(len(p)) + bs - 1) / bs
	run, err := f.mapBlock(in, lblk)
	if err != nil {
		return 0, err
	}
	if run.kind == runData {
		k := min(int64(run.n)*bs-inBlock, int64(len(p)))
		return int(k), f.writeData(int64(run.phys)*bs+inBlock, p[:k])
	}
	phys, got, err := t.mapBlocks(in, lblk, int(min(want, writeChunkBlocks)), true)
	if err != nil {
		return 0, err
	}
	// Whole blocks: zeros around the data in newly mapped blocks.
	k := min(int64(got)*bs-inBlock, int64(len(p)))
	buf := make([]byte, (inBlock+k+bs-1)/bs*bs)
	copy(buf[inBlock:], p[:k])
	if run.kind == runUnwritten {
		// mapBlocks zeroed the extent: write only the data.
		return int(k), f.writeData(int64(phys)*bs+inBlock, p[:k])
	}
	return int(k), f.writeData(int64(phys)*bs, buf)
}

// writeData writes p to the device at byte off, reading and merging the
// sectors it covers only in part (the device takes whole sectors).
func (f *FS) writeData(off int64, p []byte) error {
	ss := int64(f.dev.SectorSize())
	start, end := off/ss*ss, (off+int64(len(p))+ss-1)/ss*ss
	if start != off || end != off+int64(len(p)) {
		buf := make([]byte, end-start)
		if _, err := f.dev.ReadAt(buf[:ss], start); err != nil {
			return ioError(err, "reading at byte %d", start)
		}
		if end-ss > start {
			if _, err := f.dev.ReadAt(buf[len(buf)-int(ss):], end-ss); err != nil {
				return ioError(err, "reading at byte %d", end-ss)
			}
		}
		copy(buf[off-start:], p)
		p, off = buf, start
	}
	if _, err := f.dev.WriteAt(p, off); err != nil {
		return ioError(err, "writing at byte %d", off)
	}
	return nil
}

// zeroTail zeroes bytes [from, to) of in's data where they are mapped;
// both lie in one block.
func (f *FS) zeroTail(in *inode, from, to int64) error {
	if to <= from {
		return nil
	}
	bs := int64(f.sb.blockSize)
	run, err := f.mapBlock(in, uint32(from/bs))
	if err != nil || run.kind != runData {
		return err
	}
	f.w.data.wait() // an overwrite in flight must not land after the zeros
	return f.writeData(int64(run.phys)*bs+from%bs, make([]byte, to-from))
}

// Truncate sets regular file ino's size. Shrinking frees the blocks past
// the new end (extent removal) and zeroes the rest of the new last
// block; growing leaves a hole. mtime and ctime change with the size.
func (f *FS) Truncate(ino uint32, size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	in, err := f.fileInode(ino)
	if err != nil {
		return err
	}
	if size < 0 {
		return errorf(linux.EINVAL, "negative size %d", size)
	}
	if max := f.maxFileSize(); size > max {
		return errorf(linux.EFBIG, "size %d is past the largest file size %d", size, max)
	}
	old := int64(in.size)
	if size == old {
		return nil
	}
	bs := int64(f.sb.blockSize)
	t := f.begin()
	if size < old {
		if err := f.zeroTail(in, size, min(old, (size+bs-1)/bs*bs)); err != nil {
			t.end()
			return err
		}
		if err := t.truncateBlocks(in, uint32((size+bs-1)/bs)); err != nil {
			t.end()
			return err
		}
	} else if old%bs != 0 {
		if err := f.zeroTail(in, old, min(size, (old/bs+1)*bs)); err != nil {
			t.end()
			return err
		}
	}
	in.size = uint64(size)
	in.mtime = now()
	in.ctime = in.mtime
	err = t.writeInode(in)
	if eerr := t.end(); err == nil {
		err = eerr
	}
	return err
}

// SetAttr holds the attributes SetAttr changes; nil fields stay.
type SetAttr struct {
	Mode, UID, GID *uint32 // Mode: the permission bits (07777)
	Atime, Mtime   *Timespec
}

// SetAttr changes inode ino's permissions, owners and times (chmod,
// chown, utimensat); ctime becomes now.
func (f *FS) SetAttr(ino uint32, a SetAttr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.writable(); err != nil {
		return err
	}
	in, err := f.liveInode(ino)
	if err != nil {
		return err
	}
	if a.Mode != nil {
		in.mode = in.mode&sIFMT | uint16(*a.Mode&0o7777)
	}
	if a.UID != nil {
		in.uid = *a.UID
	}
	if a.GID != nil {
		in.gid = *a.GID
	}
	if a.Atime != nil {
		in.atime = *a.Atime
	}
	if a.Mtime != nil {
		in.mtime = *a.Mtime
	}
	in.ctime = now()
	t := f.begin()
	err = t.writeInode(in)
	if eerr := t.end(); err == nil {
		err = eerr
	}
	return err
}
