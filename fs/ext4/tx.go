package ext4

import (
	"encoding/binary"
	"time"

	"github.com/coracle-os/coracle/fs/ext4/jbd2"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// commitInterval is how long a change may wait in the running
// transaction before the timer commits it: Linux's default commit
// interval (the commit= mount option, 5 s).
var commitInterval = 5 * time.Second

// writer is the state of a read-write FS (journalling.rst "Overview":
// one running transaction of handles, committed transactions waiting for
// their checkpoint). Everything in it is guarded by FS.mu held
// exclusively.
type writer struct {
	journal *jbd2.Journal
	logLen  int // blocks in the journal's log

	// sbRaw is the superblock as this FS keeps it: the copy that
	// commits journal and Mount/Unmount write in place.
	sbRaw []byte

	handles int        // open handles
	data    dataWrites // overwrites in flight without f.mu (overwrite.go)
	// dataMeta holds the inodes whose changes in the running
	// transaction fdatasync must commit (SyncData): every change but
	// an overwrite's new times.
	dataMeta map[uint32]struct{}
	running  map[uint64]*cachedBlock // dirty blocks of the running transaction
	// committed are blocks in the journal that have not been written
	// in place: they stay pinned in the cache until the checkpoint.
	committed []*cachedBlock

	// Blocks freed by the running transaction and by committed ones.
	// Neither may be allocated again before the transaction that freed
	// them is checkpointed: the journal writes no revoke records, so a
	// replay could otherwise put an old metadata block over the new
	// owner's data. busy has a bit per block of each group for both.
	freedRunning, freedCommitted []blockRange
	busy                         map[uint32][]byte

	// held counts Hold calls per inode; an unlinked inode with holds is
	// on the orphan list and is freed by the last Release.
	held map[uint32]int

	stop chan struct{} // closed by Unmount: ends the commit timer
	done chan struct{} // closed by the timer goroutine when it ends

	// err is set when a commit or checkpoint failed: the FS refuses
	// every change after it (Linux's errors=remount-ro).
	err error
}

// blockRange is n blocks from start.
type blockRange struct {
	start uint64
	n     uint64
}

// tx is a handle in the running transaction (journalling.rst
// "Overview"): the blocks a change modifies between begin and end commit
// together. The caller of begin holds f.mu exclusively until end.
type tx struct {
	f *FS
	// timesOnly says the handle changes only inodes' times, which
	// fdatasync need not commit (dataMeta).
	timesOnly bool
}

// begin opens a handle in the running transaction.
func (f *FS) begin() *tx {
	f.w.handles++
	return &tx{f: f}
}

// end closes the handle. The running transaction commits when it holds
// a quarter of the largest transaction the journal takes; otherwise on
// Sync, SyncFS, Unmount or by the timer.
func (t *tx) end() error {
	w := t.f.w
	w.handles--
	if w.err != nil {
		return w.err
	}
	if w.handles == 0 && len(w.running) >= w.journal.MaxTransaction()/4 {
		return t.f.commit()
	}
	return nil
}

// checkBlock reports a metadata block number outside the file system.
func (f *FS) checkBlock(nr uint64) error {
	if nr >= f.sb.blocksCount {
		return corrupt("metadata block %d is outside the file system (%d blocks)", nr, f.sb.blocksCount)
	}
	return nil
}

// modify makes metadata block nr part of the running transaction and
// returns its contents, which the caller changes in place (checksum
// included). The block is not written in place before its transaction
// has committed and been checkpointed.
func (t *tx) modify(nr uint64) ([]byte, error) {
	f := t.f
	if err := f.checkBlock(nr); err != nil {
		return nil, err
	}
	b, err := f.cache.get(nr)
	if err != nil {
		return nil, err
	}
	if !b.dirty {
		f.cache.pin(b)
		b.dirty = true
		f.w.running[nr] = b
	}
	return b.data, nil
}

// zeroBlock makes block nr, just allocated, part of the running
// transaction as a block of zeros, without reading it.
func (t *tx) zeroBlock(nr uint64) []byte {
	f := t.f
	b := f.cache.install(nr, make([]byte, f.sb.blockSize))
	b.dirty = true
	f.w.running[nr] = b
	return b.data
}

// commit writes the running transaction to the journal and returns when
// it is durable (jbd2 Commit: descriptor and data blocks, FLUSH, commit
// block, FLUSH). File data was written to the device before, so the
// first FLUSH makes it durable before the metadata that maps it
// (data=ordered). The log is checkpointed once it is a quarter full.
func (f *FS) commit() error {
	w := f.w
	if w.err != nil {
		return w.err
	}
	if len(w.running) == 0 {
		return nil
	}
	if err := f.stageSuper(); err != nil {
		return f.fail(err)
	}
	blocks := make(map[uint64][]byte, len(w.running))
	for nr, b := range w.running {
		blocks[nr] = b.data
	}
	// Checkpoint first when the transaction might not fit the free
	// log (a generous bound on its descriptor blocks), so that the
	// journal never checkpoints behind this FS's back.
	if w.journal.Free() < 2*len(blocks)+2 {
		if err := f.checkpoint(); err != nil {
			return err
		}
	}
	if err := w.journal.Commit(blocks); err != nil {
		return f.fail(ioError(err, "committing a transaction of %d blocks", len(blocks)))
	}
	for _, b := range w.running {
		b.dirty = false
		if !b.committed {
			b.committed = true
			w.committed = append(w.committed, b)
		}
	}
	clear(w.running)
	clear(w.dataMeta)
	w.freedCommitted = append(w.freedCommitted, w.freedRunning...)
	w.freedRunning = nil
	if w.logLen-w.journal.Free() >= w.logLen/4 {
		return f.checkpoint()
	}
	return nil
}

// checkpoint writes every committed block in place (jbd2 Checkpoint),
// unpins them, and makes the blocks that committed transactions freed
// available again.
func (f *FS) checkpoint() error {
	w := f.w
	if err := w.journal.Checkpoint(); err != nil {
		return f.fail(ioError(err, "checkpointing the journal"))
	}
	for _, b := range w.committed {
		b.committed = false
		f.cache.unpin(b)
	}
	w.committed = nil
	for _, r := range w.freedCommitted {
		for nr := r.start; nr < r.start+r.n; nr++ {
			f.cache.forget(nr)
		}
	}
	w.freedCommitted = nil
	clear(w.busy)
	for _, r := range w.freedRunning {
		f.markBusy(r)
	}
	return nil
}

// reclaimBusy makes the blocks freed since the last checkpoint
// allocatable again by committing and checkpointing, for a caller that
// got ENOSPC; it reports whether there were any. The caller must have
// no open handle (a half-done change must not be committed).
func (f *FS) reclaimBusy() (bool, error) {
	w := f.w
	if len(w.freedRunning) == 0 && len(w.freedCommitted) == 0 {
		return false, nil
	}
	if w.handles != 0 {
		return false, nil
	}
	if err := f.commit(); err != nil {
		return false, err
	}
	return true, f.checkpoint()
}

// fail records a failed commit or checkpoint: the FS takes no further
// changes.
func (f *FS) fail(err error) error {
	if f.w.err == nil {
		f.w.err = err
	}
	return err
}

// markBusy records that the blocks of r may not be allocated before the
// next checkpoint.
func (f *FS) markBusy(r blockRange) {
	w := f.w
	for nr := r.start; nr < r.start+r.n; nr++ {
		g, bit := f.blockGroup(nr)
		m := w.busy[g]
		if m == nil {
			m = make([]byte, f.sb.blockSize)
			w.busy[g] = m
		}
		m[bit/8] |= 1 << (bit % 8)
	}
}

// isBusy reports whether bit of group g's block bitmap is a block freed
// since the last checkpoint.
func (f *FS) isBusy(g uint32, bit uint32) bool {
	m := f.w.busy[g]
	return m != nil && m[bit/8]&(1<<(bit%8)) != 0
}

// blockGroup returns the group of block nr and its bit in the group's
// block bitmap.
func (f *FS) blockGroup(nr uint64) (uint32, uint32) {
	rel := nr - uint64(f.sb.firstDataBlock)
	return uint32(rel / uint64(f.sb.blocksPerGroup)), uint32(rel % uint64(f.sb.blocksPerGroup))
}

// Superblock fields the write side changes (super.rst "Super Block").
const (
	sbFreeBlocksLo = 0x0C
	sbFreeInodes   = 0x10
	sbRBlocksLo    = 0x08
	sbMtime        = 0x2C
	sbWtime        = 0x30
	sbMntCount     = 0x34
	sbState        = 0x3A
	sbIncompat     = 0x60
	sbROCompat     = 0x64
	sbLastOrphan   = 0xE8
	sbRBlocksHi    = 0x154
	sbFreeBlocksHi = 0x158
	sbWtimeHi      = 0x274
	sbMtimeHi      = 0x275
	sbChecksum     = 0x3FC
)

// superBlockNr returns the file system block that holds the superblock
// and the superblock's offset in it.
func (f *FS) superBlockNr() (uint64, int) {
	nr := uint64(superblockOffset / f.sb.blockSize)
	return nr, superblockOffset - int(nr)*f.sb.blockSize
}

// stageSuper copies the superblock, with a new write time and checksum,
// into its block in the running transaction.
func (f *FS) stageSuper() error {
	f.touchSuper()
	nr, off := f.superBlockNr()
	b, err := (&tx{f: f}).modify(nr)
	if err != nil {
		return err
	}
	copy(b[off:off+superblockSize], f.w.sbRaw)
	return nil
}

// touchSuper sets s_wtime to now and recomputes the superblock checksum
// (checksums.rst: crc32c(~0, the superblock up to s_checksum)).
func (f *FS) touchSuper() {
	raw := f.w.sbRaw
	putTime32(raw, sbWtime, sbWtimeHi, time.Now().Unix())
	if f.sb.metadataCsum() {
		binary.LittleEndian.PutUint32(raw[sbChecksum:], crc32c(^uint32(0), raw[:sbChecksum]))
	}
}

// putTime32 stores seconds as a 32-bit superblock time at off and its
// high byte (s_*_hi) at hiOff.
func putTime32(raw []byte, off, hiOff int, sec int64) {
	binary.LittleEndian.PutUint32(raw[off:], uint32(sec))
	raw[hiOff] = byte(sec >> 32)
}

// freeBlocksCount and the other counter accessors read and write the
// superblock's counters in sbRaw.
func (f *FS) freeBlocksCount() uint64 {
	le := binary.LittleEndian
	n := uint64(le.Uint32(f.w.sbRaw[sbFreeBlocksLo:]))
	if f.sb.features.Incompat&incompat64bit != 0 {
		n |= uint64(le.Uint32(f.w.sbRaw[sbFreeBlocksHi:])) << 32
	}
	return n
}

func (f *FS) setFreeBlocksCount(n uint64) {
	le := binary.LittleEndian
	le.PutUint32(f.w.sbRaw[sbFreeBlocksLo:], uint32(n))
	if f.sb.features.Incompat&incompat64bit != 0 {
		le.PutUint32(f.w.sbRaw[sbFreeBlocksHi:], uint32(n>>32))
	}
}

func (f *FS) reservedBlocksCount() uint64 {
	le := binary.LittleEndian
	n := uint64(le.Uint32(f.w.sbRaw[sbRBlocksLo:]))
	if f.sb.features.Incompat&incompat64bit != 0 {
		n |= uint64(le.Uint32(f.w.sbRaw[sbRBlocksHi:])) << 32
	}
	return n
}

func (f *FS) freeInodesCount() uint32 { return binary.LittleEndian.Uint32(f.w.sbRaw[sbFreeInodes:]) }

func (f *FS) setFreeInodesCount(n uint32) {
	binary.LittleEndian.PutUint32(f.w.sbRaw[sbFreeInodes:], n)
}

// writable returns the error for a change to an FS that cannot take it.
func (f *FS) writable() error {
	if f.w == nil {
		return errorf(linux.EROFS, "the file system is mounted read-only")
	}
	return f.w.err
}

var leOrder = binary.LittleEndian

func le32(b []byte, off int) uint32 { return leOrder.Uint32(b[off:]) }
