package jbd2

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// fileDev is a Device on a host file; Flush is fsync(2).
type fileDev struct{ *os.File }

func (d fileDev) Flush() error { return d.Sync() }

func newFileDev(t *testing.T, size int64) fileDev {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "dev"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return fileDev{f}
}

// crashDev is an in-memory Device that models a disk cache: writes
// since the last Flush are volatile, and Crash keeps a random subset of
// them, as a power cut may.
type crashDev struct {
	durable []byte
	cur     []byte // what reads see: durable plus every volatile write
	pending []pendingWrite
	// failAfter, when positive, makes the device stop accepting writes
	// and flushes after that many more operations (a power cut in the
	// middle of a Commit).
	failAfter int
	ops       int
}

type pendingWrite struct {
	off  int64
	data []byte
}

type crashError struct{}

func (crashError) Error() string { return "device lost power" }

func newCrashDev(size int) *crashDev {
	return &crashDev{durable: make([]byte, size), cur: make([]byte, size)}
}

func (d *crashDev) dead() bool {
	if d.failAfter <= 0 {
		return false
	}
	d.ops++
	return d.ops > d.failAfter
}

func (d *crashDev) ReadAt(p []byte, off int64) (int, error) {
	return copy(p, d.cur[off:]), nil
}

func (d *crashDev) WriteAt(p []byte, off int64) (int, error) {
	if d.dead() {
		return 0, crashError{}
	}
	copy(d.cur[off:], p)
	d.pending = append(d.pending, pendingWrite{off, append([]byte(nil), p...)})
	return len(p), nil
}

func (d *crashDev) Flush() error {
	if d.dead() {
		return crashError{}
	}
	for _, w := range d.pending {
		copy(d.durable[w.off:], w.data)
	}
	d.pending = nil
	return nil
}

// crash keeps each volatile write with probability 1/2 (whole sectors
// of 512 bytes, so a block write may be torn) and returns the device as
// it comes back up.
func (d *crashDev) crash(rng *rand.Rand) *crashDev {
	img := append([]byte(nil), d.durable...)
	for _, w := range d.pending {
		for s := 0; s < len(w.data); s += 512 {
			if rng.IntN(2) == 0 {
				copy(img[w.off+int64(s):], w.data[s:min(s+512, len(w.data))])
			}
		}
	}
	return &crashDev{durable: img, cur: append([]byte(nil), img...)}
}

// formatJournal writes a fresh journal superblock (as mkfs.ext4 leaves
// it: empty, s_sequence 1) into journal block 0 of a contiguous journal
// of maxLen blocks at device block at, with the given incompat features.
func formatJournal(t *testing.T, dev Device, bs int, at uint64, maxLen uint32, incompat uint32) []Extent {
	t.Helper()
	b := make([]byte, superblockBytes)
	putHeader(b, blockSuperV2, 0)
	binary.BigEndian.PutUint32(b[sbBlockSize:], uint32(bs))
	binary.BigEndian.PutUint32(b[sbMaxLen:], maxLen)
	binary.BigEndian.PutUint32(b[sbFirst:], 1)
	binary.BigEndian.PutUint32(b[sbSequence:], 1)
	binary.BigEndian.PutUint32(b[sbNrUsers:], 1)
	for i := range 16 {
		b[sbUUID+i] = byte(0x10 + i)
	}
	sb := &Superblock{raw: b}
	var err error
	if sb, err = parseSuperblock(b); err != nil {
		t.Fatal(err)
	}
	sb.Incompat = incompat
	if sb.csum() {
		sb.ChecksumType = csumCRC32C
	}
	if _, err := dev.WriteAt(sb.encode(), int64(at)*int64(bs)); err != nil {
		t.Fatal(err)
	}
	if err := dev.Flush(); err != nil {
		t.Fatal(err)
	}
	// Two extents, to exercise the mapping.
	half := maxLen / 2
	return []Extent{{Logical: half, Physical: at + uint64(half), Len: maxLen - half}, {Logical: 0, Physical: at, Len: half}}
}
