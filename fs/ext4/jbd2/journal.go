package jbd2

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrNeedsRecovery is returned by Commit and SetFeatures while the log
// holds transactions that Recover has not replayed yet.
var ErrNeedsRecovery = errors.New("jbd2: the journal needs recovery")

// ErrTooLarge is returned by Commit for a transaction that does not fit
// in the log even when it is empty.
var ErrTooLarge = errors.New("jbd2: transaction larger than the journal")

// Journal is an open jbd2 journal. Its methods are not safe for
// concurrent use; the file system above serialises commits.
type Journal struct {
	dev Device
	bs  int
	m   blockMap
	sb  *Superblock

	// Now gives the commit time stamped into commit blocks; time.Now
	// unless a test replaces it.
	Now func() time.Time

	needsRecovery bool
	seq           uint32 // the ID of the next transaction
	head          uint32 // the journal block the next transaction starts at
	used          uint32 // log blocks held by committed, unchecked-pointed transactions

	// pending holds the newest committed contents of every block not
	// yet written in place, by device block number.
	pending map[uint64][]byte
}

// Open reads the journal superblock through extents (the journal
// inode's blocks, Extent) and checks it. blockSize is the file system's
// block size, which the journal must share. Open writes nothing; a
// journal that holds transactions (s_start != 0) must be replayed with
// Recover before Commit.
func Open(dev Device, blockSize int, extents []Extent) (*Journal, error) {
	m, err := newBlockMap(extents, 1)
	if err != nil {
		return nil, err
	}
	j := &Journal{dev: dev, bs: blockSize, m: m, Now: time.Now}
	b := make([]byte, blockSize)
	if err := j.readBlock(0, b); err != nil {
		return nil, err
	}
	sb, err := parseSuperblock(b)
	if err != nil {
		return nil, err
	}
	if int(sb.BlockSize) != blockSize {
		return nil, fmt.Errorf("jbd2: journal block size %d, file system block size %d", sb.BlockSize, blockSize)
	}
	if j.m, err = newBlockMap(extents, sb.MaxLen); err != nil {
		return nil, err
	}
	j.sb = sb
	j.head = sb.First
	if sb.Start != 0 {
		j.needsRecovery = true
		j.seq = sb.Sequence
	} else {
		// As Linux does (jbd2_journal_recover with s_start == 0): a
		// new ID, in case a torn transaction with ID s_sequence is
		// left in the log.
		j.seq = sb.Sequence + 1
	}
	return j, nil
}

// Superblock returns a copy of the journal superblock as this Journal
// last wrote or read it.
func (j *Journal) Superblock() Superblock {
	s := *j.sb
	s.raw = nil
	return s
}

// NeedsRecovery reports whether the log holds transactions to replay.
func (j *Journal) NeedsRecovery() bool { return j.needsRecovery }

// Sequence returns the ID the next transaction will get.
func (j *Journal) Sequence() uint32 { return j.seq }

// Free returns the number of log blocks free for new transactions
// before Commit has to checkpoint.
func (j *Journal) Free() int { return int(j.logLen() - j.used) }

// MaxTransaction returns the number of blocks the largest transaction
// Commit accepts may hold.
func (j *Journal) MaxTransaction() int {
	c := uint32(j.sb.descriptorCapacity())
	// n + ceil(n/c) + 1 <= logLen
	n := (j.logLen() - 1) * c / (c + 1)
	for n > 0 && n+(n+c-1)/c+1 > j.logLen() {
		n--
	}
	return int(n)
}

// SetFeatures sets the incompat features of an empty journal and writes
// the superblock durably; Linux does this at a read-write mount (64BIT
// for a 64bit file system, CSUM_V3 for metadata_csum). Setting a
// checksum feature clears the other one and sets the checksum type to
// crc32c.
func (j *Journal) SetFeatures(incompat uint32) error {
	if j.needsRecovery {
		return ErrNeedsRecovery
	}
	if bad := incompat &^ supportedIncompat; bad != 0 {
		return fmt.Errorf("jbd2: journal feature %s is not supported", featureNames(bad))
	}
	if len(j.pending) != 0 || j.sb.Start != 0 {
		if err := j.Checkpoint(); err != nil {
			return err
		}
	}
	want := j.sb.Incompat | incompat
	switch {
	case incompat&IncompatCsumV3 != 0:
		want &^= IncompatCsumV2
	case incompat&IncompatCsumV2 != 0:
		want &^= IncompatCsumV3
	}
	if want == j.sb.Incompat {
		return nil
	}
	j.sb.Incompat = want
	if j.sb.csum() {
		j.sb.ChecksumType = csumCRC32C
	}
	if err := j.sb.check(); err != nil {
		return err
	}
	if err := j.writeSuperblock(); err != nil {
		return err
	}
	return j.dev.Flush()
}

// Commit writes one transaction holding blocks (device block number ->
// contents, one file-system block each) and returns once it is durable:
// descriptor and data blocks, FLUSH, commit block, FLUSH. If the log
// has no room, Commit first checkpoints every earlier transaction.
func (j *Journal) Commit(blocks map[uint64][]byte) error {
	if j.needsRecovery {
		return ErrNeedsRecovery
	}
	if len(blocks) == 0 {
		return nil
	}
	nums := make([]uint64, 0, len(blocks))
	for n, b := range blocks {
		if len(b) != j.bs {
			return fmt.Errorf("jbd2: block %d has %d bytes, not %d", n, len(b), j.bs)
		}
		if !j.sb.is64() && n>>32 != 0 {
			return fmt.Errorf("jbd2: block %d needs the 64bit journal feature", n)
		}
		nums = append(nums, n)
	}
	slices.Sort(nums)
	if len(nums) > j.MaxTransaction() {
		return ErrTooLarge
	}
	perDesc := j.sb.descriptorCapacity()
	need := uint32(len(nums) + (len(nums)+perDesc-1)/perDesc + 1)
	if j.used+need > j.logLen() {
		if err := j.Checkpoint(); err != nil {
			return err
		}
	}

	var w logWriter
	if j.sb.Start == 0 {
		// The log was empty on disk: point the superblock at this
		// transaction. It goes out with the blocks, before the
		// first FLUSH, so it is durable before the commit block.
		j.sb.Start, j.sb.Sequence = j.head, j.seq
		if err := j.writeSuperblock(); err != nil {
			return err
		}
	}
	pos := j.head
	for len(nums) > 0 {
		chunk := nums[:min(perDesc, len(nums))]
		nums = nums[len(chunk):]
		desc := make([]byte, j.bs)
		descPos := pos
		pos = j.next(pos)
		tags := make([]tag, len(chunk))
		for i, n := range chunk {
			data := blocks[n]
			t := tag{block: n}
			if be.Uint32(data) == Magic {
				data = append([]byte(nil), data...)
				clear(data[:4])
				t.flags |= tagEscape
			}
			t.checksum = j.sb.blockChecksum(j.seq, data)
			tags[i] = t
			w.add(j.m.device(pos), data)
			pos = j.next(pos)
		}
		j.sb.encodeDescriptor(desc, j.seq, tags)
		w.add(j.m.device(descPos), desc)
	}
	if err := w.flushTo(j.dev, j.bs); err != nil {
		return err
	}
	if err := j.dev.Flush(); err != nil {
		return err
	}
	commit := make([]byte, j.bs)
	j.sb.encodeCommit(commit, j.seq, j.Now())
	if err := j.writeBlock(pos, commit); err != nil {
		return err
	}
	if err := j.dev.Flush(); err != nil {
		return err
	}

	if j.pending == nil {
		j.pending = make(map[uint64][]byte)
	}
	for n, b := range blocks {
		j.pending[n] = append(j.pending[n][:0], b...)
	}
	j.head = j.next(pos)
	j.used += need
	j.seq++
	return nil
}

// Checkpoint writes every committed block in place, FLUSHes, and then
// marks the journal empty (s_start = 0, s_sequence = the next ID) and
// FLUSHes again, so that no replay can write the old copies back.
func (j *Journal) Checkpoint() error {
	if j.needsRecovery {
		return ErrNeedsRecovery
	}
	if len(j.pending) == 0 && j.sb.Start == 0 {
		return nil
	}
	var w logWriter
	for n, b := range j.pending {
		w.add(n, b)
	}
	if err := w.flushTo(j.dev, j.bs); err != nil {
		return err
	}
	if err := j.dev.Flush(); err != nil {
		return err
	}
	if err := j.markEmpty(j.seq); err != nil {
		return err
	}
	j.pending = nil
	j.used = 0
	return nil
}

// markEmpty records an empty log whose next transaction is seq, durably.
func (j *Journal) markEmpty(seq uint32) error {
	j.sb.Start, j.sb.Sequence = 0, seq
	if err := j.writeSuperblock(); err != nil {
		return err
	}
	return j.dev.Flush()
}

// logLen is the number of blocks in the circular log.
func (j *Journal) logLen() uint32 { return j.sb.MaxLen - j.sb.First }

// next returns the log block after jb, wrapping from the end of the
// journal to s_first.
func (j *Journal) next(jb uint32) uint32 {
	jb++
	if jb >= j.sb.MaxLen {
		jb = j.sb.First
	}
	return jb
}

func (j *Journal) readBlock(jb uint32, b []byte) error {
	_, err := j.dev.ReadAt(b, int64(j.m.device(jb))*int64(j.bs))
	return err
}

func (j *Journal) writeBlock(jb uint32, b []byte) error {
	_, err := j.dev.WriteAt(b, int64(j.m.device(jb))*int64(j.bs))
	return err
}

// writeSuperblock writes the journal superblock into journal block 0
// (only its first 1024 bytes; the rest of the block is unused).
func (j *Journal) writeSuperblock() error {
	b := j.sb.encode()
	j.sb.raw = b
	_, err := j.dev.WriteAt(b, int64(j.m.device(0))*int64(j.bs))
	return err
}
