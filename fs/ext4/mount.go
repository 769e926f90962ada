package ext4

import (
	"strings"
	"time"

	"github.com/coracle-os/coracle/fs/ext4/jbd2"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/sysgo"
)

// ro_compat features a writer refuses besides the unknown ones: quota
// and project quota files would go stale; orphan_present means an orphan
// file holds inodes to clean up.
const (
	roQuota         = 0x100
	roProject       = 0x2000
	roOrphanPresent = 0x10000
)

// Mount opens the file system on dev. Read-only, it is Open, but a
// journal that needs recovery is refused with the fix. Read-write, it
// replays the journal if needs_recovery is set (jbd2 Recover), refuses
// ro_compat features it cannot keep consistent (naming them), turns on
// the journal's 64BIT and CSUM_V3 features to match the file system
// (jbd2 SetFeatures, as Linux does), and marks the superblock as
// mounted: needs_recovery set, the mount count and s_mtime updated,
// written in place and flushed before any transaction.
func Mount(dev Device, readOnly bool) (*FS, error) {
	f, err := open(dev, true)
	if err != nil {
		return nil, err
	}
	needsRecovery := f.sb.features.Incompat&incompatRecover != 0
	if readOnly {
		if needsRecovery {
			return nil, errorf(linux.EINVAL, "the journal needs recovery (needs_recovery is set): mount read-write once to replay it, or run e2fsck -E journal_only")
		}
		return f, nil
	}
	feat := f.sb.features
	var refuse []string
	if bad := feat.UnknownROCompat(); bad.ROCompat != 0 {
		refuse = append(refuse, bad.Names()...)
	}
	if bits := feat.ROCompat & (roQuota | roProject | roOrphanPresent); bits != 0 {
		refuse = append(refuse, Features{ROCompat: bits}.Names()...)
	}
	if len(refuse) > 0 {
		return nil, errorf(linux.EINVAL, "cannot write: unsupported ro_compat feature(s): %s (mount read-only)", strings.Join(refuse, ", "))
	}
	if feat.Compat&compatHasJournal == 0 {
		return nil, errorf(linux.EINVAL, "cannot write: the file system has no journal (has_journal is off; mount read-only)")
	}
	exts, err := f.JournalExtents()
	if err != nil {
		return nil, err
	}
	j, err := jbd2.Open(dev, f.sb.blockSize, exts)
	if err != nil {
		return nil, ioError(err, "opening the journal")
	}
	if j.NeedsRecovery() {
		if _, err := j.Recover(); err != nil {
			return nil, ioError(err, "replaying the journal")
		}
	}
	if needsRecovery || j.NeedsRecovery() {
		// The replay may have rewritten any metadata, the superblock
		// and descriptors included: read them again.
		if f, err = open(dev, true); err != nil {
			return nil, err
		}
	}
	var jfeat uint32
	if f.sb.features.Incompat&incompat64bit != 0 {
		jfeat |= jbd2.Incompat64Bit
	}
	if f.sb.metadataCsum() {
		jfeat |= jbd2.IncompatCsumV3
	}
	if jfeat != 0 {
		if err := j.SetFeatures(jfeat); err != nil {
			return nil, ioError(err, "setting the journal's features")
		}
	}
	sbRaw := make([]byte, superblockSize)
	if _, err := dev.ReadAt(sbRaw, superblockOffset); err != nil {
		return nil, ioError(err, "reading the superblock")
	}
	jsb := j.Superblock()
	f.w = &writer{
		journal: j,
		logLen:  int(jsb.MaxLen - jsb.First),
		sbRaw:   sbRaw,
		running: make(map[uint64]*cachedBlock),
		busy:    make(map[uint32][]byte),
		held:    make(map[uint32]int),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	le := leOrder
	le.PutUint32(sbRaw[sbIncompat:], le.Uint32(sbRaw[sbIncompat:])|incompatRecover)
	le.PutUint16(sbRaw[sbMntCount:], le.Uint16(sbRaw[sbMntCount:])+1)
	putTime32(sbRaw, sbMtime, sbMtimeHi, time.Now().Unix())
	if err := f.writeSuperInPlace(); err != nil {
		return nil, err
	}
	if le32(sbRaw, sbLastOrphan) != 0 {
		if err := f.cleanOrphans(); err != nil {
			return nil, err
		}
	}
	stop, done := f.w.stop, f.w.done
	sysgo.Go(func() { f.commitTimer(stop, done) })
	return f, nil
}

// writeSuperInPlace writes the superblock (with a new s_wtime and
// checksum) to its home and flushes: only at Mount and Unmount, when no
// transaction is in the log that could replay an older copy over it.
func (f *FS) writeSuperInPlace() error {
	f.touchSuper()
	// The whole block that holds it, so that the write covers whole
	// sectors of any device that can hold this file system.
	nr, off := f.superBlockNr()
	bs := int64(f.sb.blockSize)
	b := make([]byte, bs)
	if _, err := f.dev.ReadAt(b, int64(nr)*bs); err != nil {
		return ioError(err, "reading the superblock's block")
	}
	copy(b[off:], f.w.sbRaw)
	if _, err := f.dev.WriteAt(b, int64(nr)*bs); err != nil {
		return ioError(err, "writing the superblock")
	}
	if err := f.dev.Flush(); err != nil {
		return ioError(err, "flushing the device")
	}
	// The cached copy of the superblock's block, if any, is stale now.
	f.cache.forget(nr)
	return nil
}

// commitTimer commits the running transaction every commitInterval
// until stop is closed.
func (f *FS) commitTimer(stop, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(commitInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			f.mu.Lock()
			if f.w.err == nil && f.w.handles == 0 {
				f.commit() // a failure is kept in f.w.err
			}
			f.mu.Unlock()
		}
	}
}

// ReadOnly reports whether the FS takes no changes: mounted read-only
// (or opened with Open), unmounted, or stopped by a failed write.
func (f *FS) ReadOnly() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.writable() != nil
}

// errUnmounted is what every change returns after Unmount.
var errUnmounted = errorf(linux.EIO, "the file system is unmounted")

// Unmount commits the running transaction, checkpoints the journal,
// clears needs_recovery and flushes the device. The FS takes no changes
// afterwards.
func (f *FS) Unmount() error {
	f.mu.Lock()
	w := f.w
	if w == nil || w.err == errUnmounted {
		f.mu.Unlock()
		return nil
	}
	stop := w.stop
	w.stop = nil
	f.mu.Unlock()
	if stop != nil {
		close(stop)
		<-w.done
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := f.commit(); err != nil {
		return err
	}
	if err := f.checkpoint(); err != nil {
		return err
	}
	le := leOrder
	le.PutUint32(w.sbRaw[sbIncompat:], le.Uint32(w.sbRaw[sbIncompat:])&^incompatRecover)
	if err := f.writeSuperInPlace(); err != nil {
		return f.fail(err)
	}
	w.err = errUnmounted
	return nil
}

// Sync makes inode ino's data and every change before it durable (fsync
// (2)): file data goes straight to the device, so committing the running
// transaction (FLUSH, commit block, FLUSH) covers it; with nothing to
// commit, a FLUSH does.
func (f *FS) Sync(ino uint32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.writable(); err != nil {
		return err
	}
	if _, err := f.inodeSlot(ino); err != nil {
		return err
	}
	return f.syncLocked()
}

// SyncData makes regular file ino's data durable, and what reading it
// back needs (fdatasync(2)): the running transaction commits if it
// changed the file other than its times (dataMeta), as Linux's ext4
// commits for fdatasync only when the inode's datasync transaction is
// running; otherwise the data, already written, needs only a FLUSH.
func (f *FS) SyncData(ino uint32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.writable(); err != nil {
		return err
	}
	if _, err := f.inodeSlot(ino); err != nil {
		return err
	}
	if _, ok := f.w.dataMeta[ino]; ok {
		return f.syncLocked()
	}
	if err := f.dev.Flush(); err != nil {
		return f.fail(ioError(err, "flushing the device"))
	}
	return nil
}

// SyncFS makes every change durable (sync(2), syncfs(2)).
func (f *FS) SyncFS() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.writable(); err != nil {
		return err
	}
	return f.syncLocked()
}

func (f *FS) syncLocked() error {
	if len(f.w.running) > 0 {
		return f.commit()
	}
	if err := f.dev.Flush(); err != nil {
		return f.fail(ioError(err, "flushing the device"))
	}
	return nil
}
