package jbd2

// RecoveryInfo says what Recover found and did.
type RecoveryInfo struct {
	// StartSeq and EndSeq bound the committed transactions replayed:
	// [StartSeq, EndSeq). They are equal when there was nothing to do.
	StartSeq, EndSeq uint32
	// Blocks is the number of blocks written in place.
	Blocks int
	// Revoked is the number of journalled block copies a revoke record
	// kept from being written.
	Revoked int
}

// Transactions returns the number of transactions replayed.
func (r RecoveryInfo) Transactions() int { return int(r.EndSeq - r.StartSeq) }

// loggedBlock is one journalled block found in the scan pass.
type loggedBlock struct {
	pos    uint32 // its journal block
	home   uint64 // its device block
	escape bool
}

// scannedTx is one committed transaction found in the scan pass.
type scannedTx struct {
	seq     uint32
	blocks  []loggedBlock
	revokes []uint64
}

// Recover replays the log, as Linux and e2fsck do at mount
// (fs/jbd2/recovery.c, and journal.rst "Journal (jbd2)"): pass 1 scans
// from s_start and s_sequence for the committed transactions, pass 2
// collects their revoke records, pass 3 writes every unrevoked block
// copy in place. Then it FLUSHes and marks the journal empty, with
// s_sequence past every ID in the log. The scan stops at the first
// block that is not the next expected one (wrong magic or sequence) and
// at the first transaction with a bad checksum; that transaction and
// any incomplete one are dropped whole. The caller clears the file
// system's needs_recovery flag afterwards.
func (j *Journal) Recover() (RecoveryInfo, error) {
	if !j.needsRecovery {
		return RecoveryInfo{StartSeq: j.seq, EndSeq: j.seq}, nil
	}
	txs, err := j.scan()
	if err != nil {
		return RecoveryInfo{}, err
	}
	info := RecoveryInfo{StartSeq: j.sb.Sequence, EndSeq: j.sb.Sequence + uint32(len(txs))}

	// Pass 2: revoke records. A block revoked by transaction R is not
	// replayed from any transaction up to and including R.
	revoked := make(map[uint64]uint32)
	for _, tx := range txs {
		for _, b := range tx.revokes {
			if s, ok := revoked[b]; !ok || tidAfter(tx.seq, s) {
				revoked[b] = tx.seq
			}
		}
	}

	// Pass 3: replay. Later copies of a block replace earlier ones, so
	// only the last unrevoked copy of each block is written.
	last := make(map[uint64]loggedBlock)
	for _, tx := range txs {
		for _, lb := range tx.blocks {
			if s, ok := revoked[lb.home]; ok && !tidAfter(tx.seq, s) {
				info.Revoked++
				continue
			}
			last[lb.home] = lb
		}
	}
	var w logWriter
	for home, lb := range last {
		b := make([]byte, j.bs)
		if err := j.readBlock(lb.pos, b); err != nil {
			return RecoveryInfo{}, err
		}
		if lb.escape {
			be.PutUint32(b, Magic)
		}
		w.add(home, b)
	}
	info.Blocks = len(last)
	if err := w.flushTo(j.dev, j.bs); err != nil {
		return RecoveryInfo{}, err
	}
	if err := j.dev.Flush(); err != nil {
		return RecoveryInfo{}, err
	}
	// Linux and e2fsck skip one ID past the end: a torn transaction
	// with ID EndSeq may still sit in the log.
	next := info.EndSeq + 1
	if err := j.markEmpty(next); err != nil {
		return RecoveryInfo{}, err
	}
	j.needsRecovery = false
	j.seq = next
	j.head = j.sb.First
	return info, nil
}

// scan is pass 1: it walks the log from s_start and returns the
// committed transactions, in order, with their checksums verified.
func (j *Journal) scan() ([]scannedTx, error) {
	var txs []scannedTx
	pos, seq := j.sb.Start, j.sb.Sequence
	b := make([]byte, j.bs)
	data := make([]byte, j.bs)
	walked := uint32(0) // log blocks walked, to stop after one lap
	step := func() bool {
		pos = j.next(pos)
		walked++
		return walked < j.logLen()
	}
	cur := scannedTx{seq: seq}
	for {
		if err := j.readBlock(pos, b); err != nil {
			return nil, err
		}
		h, ok := parseHeader(b)
		if !ok || h.sequence != seq {
			return txs, nil
		}
		switch h.blockType {
		case blockDescriptor:
			if !j.sb.tailOK(b) {
				return txs, nil
			}
			for _, t := range j.sb.parseDescriptor(b) {
				if !step() {
					return txs, nil
				}
				if j.sb.csum() {
					if err := j.readBlock(pos, data); err != nil {
						return nil, err
					}
					if !j.sb.tagOK(t, seq, data) {
						return txs, nil
					}
				}
				cur.blocks = append(cur.blocks, loggedBlock{pos: pos, home: t.block, escape: t.flags&tagEscape != 0})
			}
		case blockRevoke:
			if !j.sb.tailOK(b) {
				return txs, nil
			}
			rs, err := j.sb.parseRevoke(b)
			if err != nil {
				return txs, nil
			}
			cur.revokes = append(cur.revokes, rs...)
		case blockCommit:
			if !j.sb.commitOK(b) {
				return txs, nil
			}
			txs = append(txs, cur)
			seq++
			cur = scannedTx{seq: seq}
		default:
			// Linux ends the scan here too.
			return txs, nil
		}
		if !step() {
			return txs, nil
		}
	}
}
