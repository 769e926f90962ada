package ext4

import "sync"

// Overwrites of data already on the disk: a write whose bytes all fall
// in mapped, written blocks inside the file's size changes no metadata
// but the times. WriteAt maps it and stamps the times under f.mu, then
// writes the data with f.mu released, so that several such writes (the
// page cache's write-back runs, served concurrently) keep the device
// busy together instead of one after another.
//
// What must not happen is a block freed (truncate, unlink) and given to
// another file while such a write to it is still in flight: freeBlocks
// waits, holding f.mu, for the writes in flight (dataWrites) before it
// frees; writes that start later map the blocks anew.

// maxOverwriteSegments bounds the extents one overwrite may cross.
const maxOverwriteSegments = 8

// dataWrites is held shared by each overwrite in flight with f.mu
// released, and taken alone (for a moment) by freeBlocks.
type dataWrites struct{ sync.RWMutex }

// wait returns when no overwrite is in flight. The caller holds f.mu
// exclusively, so none can start meanwhile.
func (d *dataWrites) wait() {
	d.Lock()
	d.Unlock() //nolint:staticcheck // a barrier: nothing to guard
}

// segment is a piece of an overwrite: bytes p[from:to] go to device
// byte dev.
type segment struct {
	dev      int64
	from, to int
}

// overwriteMap returns where p's bytes at off go on the device if every
// one of them falls in a mapped, written block of in inside its size;
// ok is false otherwise (or if more than maxOverwriteSegments extents
// hold them), and the write takes the allocating path.
func (f *FS) overwriteMap(in *inode, p []byte, off int64, segs *[maxOverwriteSegments]segment) (n int, ok bool) {
	if off+int64(len(p)) > int64(in.size) {
		return 0, false
	}
	bs := int64(f.sb.blockSize)
	for done := 0; done < len(p); {
		if n == len(segs) {
			return 0, false
		}
		at := off + int64(done)
		run, err := f.mapBlock(in, uint32(at/bs))
		if err != nil || run.kind != runData {
			return 0, false
		}
		k := min(int64(run.n)*bs-at%bs, int64(len(p)-done))
		segs[n] = segment{dev: int64(run.phys)*bs + at%bs, from: done, to: done + int(k)}
		n++
		done += int(k)
	}
	return n, true
}

// overwrite is WriteAt's path for an overwrite: the caller holds f.mu
// exclusively, which overwrite releases.
func (f *FS) overwrite(in *inode, p []byte, segs []segment) (int, error) {
	t := f.begin()
	t.timesOnly = true
	in.mtime = now()
	in.ctime = in.mtime
	err := t.writeInode(in)
	if eerr := t.end(); err == nil {
		err = eerr
	}
	if err != nil {
		f.mu.Unlock()
		return 0, err
	}
	f.w.data.RLock()
	f.mu.Unlock()
	defer f.w.data.RUnlock()
	for _, s := range segs {
		if err := f.writeData(s.dev, p[s.from:s.to]); err != nil {
			return s.from, err
		}
	}
	return len(p), nil
}
