package jbd2

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

const (
	testBS      = 1024
	homeFirst   = 100 // the device blocks transactions change
	homeBlocks  = 64
	testDevSize = 200 * testBS
)

var featureSets = []uint32{
	0,
	Incompat64Bit,
	IncompatCsumV2,
	IncompatCsumV2 | Incompat64Bit,
	IncompatCsumV3,
	IncompatCsumV3 | Incompat64Bit | IncompatRevoke,
}

// randomTx returns a transaction of 1..max blocks among the home blocks;
// about one block in eight begins with Magic and must be escaped.
func randomTx(rng *rand.Rand, max int) map[uint64][]byte {
	tx := make(map[uint64][]byte)
	for range 1 + rng.IntN(max) {
		b := make([]byte, testBS)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if rng.IntN(8) == 0 {
			be.PutUint32(b, Magic)
		}
		tx[homeFirst+uint64(rng.IntN(homeBlocks))] = b
	}
	return tx
}

// checkHome compares the home blocks on dev with model (absent = zero).
func checkHome(t *testing.T, dev Device, model map[uint64][]byte, what string) {
	t.Helper()
	if err := diffHome(dev, model); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func diffHome(dev Device, model map[uint64][]byte) error {
	got := make([]byte, testBS)
	for n := uint64(homeFirst); n < homeFirst+homeBlocks; n++ {
		if _, err := dev.ReadAt(got, int64(n)*testBS); err != nil {
			return err
		}
		want := model[n]
		if want == nil {
			want = make([]byte, testBS)
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("block %d differs", n)
		}
	}
	return nil
}

func apply(model, tx map[uint64][]byte) map[uint64][]byte {
	m := make(map[uint64][]byte, len(model)+len(tx))
	for k, v := range model {
		m[k] = v
	}
	for k, v := range tx {
		m[k] = v
	}
	return m
}

// TestCommitRecover commits many transactions through a small circular
// log on a file, "crashes" now and then by dropping the Journal without
// a checkpoint, and checks that a fresh Open and Recover bring the home
// blocks to exactly the committed state.
func TestCommitRecover(t *testing.T) {
	for _, feat := range featureSets {
		t.Run(featureNames(feat), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(feat)))
			dev := newFileDev(t, testDevSize)
			ext := formatJournal(t, dev, testBS, 0, 48, feat)
			j, err := Open(dev, testBS, ext)
			if err != nil {
				t.Fatal(err)
			}
			model := map[uint64][]byte{}
			wraps, recoveries, multi := 0, 0, 0
			for i := range 400 {
				tx := randomTx(rng, 14)
				before := j.head
				if err := j.Commit(tx); err != nil {
					t.Fatalf("commit %d: %v", i, err)
				}
				if j.head < before && j.head > j.sb.First {
					wraps++
				}
				model = apply(model, tx)
				switch rng.IntN(10) {
				case 0, 1:
					j2, err := Open(dev, testBS, ext)
					if err != nil {
						t.Fatal(err)
					}
					if j2.NeedsRecovery() != (j.sb.Start != 0) {
						t.Fatalf("NeedsRecovery %v, s_start %d", j2.NeedsRecovery(), j.sb.Start)
					}
					info, err := j2.Recover()
					if err != nil {
						t.Fatal(err)
					}
					recoveries++
					if info.Transactions() > 1 {
						multi++
					}
					checkHome(t, dev, model, fmt.Sprintf("recovery after commit %d", i))
					if j2.NeedsRecovery() || j2.sb.Start != 0 {
						t.Fatal("journal not empty after recovery")
					}
					j = j2
				case 2:
					if err := j.Checkpoint(); err != nil {
						t.Fatal(err)
					}
					checkHome(t, dev, model, "checkpoint")
				}
			}
			if wraps == 0 || recoveries == 0 || multi == 0 {
				t.Fatalf("test did not exercise enough: %d transactions across the end of the log, %d recoveries, %d of several transactions", wraps, recoveries, multi)
			}
		})
	}
}

// TestTornCommit cuts the power at every point of a Commit and keeps a
// random subset of the unflushed writes: recovery must give the state
// before the transaction or after it, and after it whenever Commit
// returned.
func TestTornCommit(t *testing.T) {
	for _, feat := range featureSets {
		t.Run(featureNames(feat), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, uint64(feat)))
			dropped, kept := 0, 0
			for trial := range 300 {
				dev := newCrashDev(testDevSize)
				ext := formatJournal(t, dev, testBS, 0, 48, feat)
				j, err := Open(dev, testBS, ext)
				if err != nil {
					t.Fatal(err)
				}
				// Some committed transactions first, so that the
				// torn one may also wrap or force a checkpoint.
				model := map[uint64][]byte{}
				for range rng.IntN(6) {
					tx := randomTx(rng, 10)
					if err := j.Commit(tx); err != nil {
						t.Fatal(err)
					}
					model = apply(model, tx)
				}
				tx := randomTx(rng, 10)
				dev.failAfter = 1 + rng.IntN(12)
				dev.ops = 0
				cerr := j.Commit(tx)
				if cerr != nil && !errors.As(cerr, new(crashError)) {
					t.Fatal(cerr)
				}
				after := apply(model, tx)
				dev2 := dev.crash(rng)
				j2, err := Open(dev2, testBS, ext)
				if err != nil {
					t.Fatalf("trial %d: %v", trial, err)
				}
				if _, err := j2.Recover(); err != nil {
					t.Fatal(err)
				}
				switch {
				case diffHome(dev2, after) == nil:
					kept++
				case cerr != nil && diffHome(dev2, model) == nil:
					dropped++
				default:
					t.Fatalf("trial %d (commit error %v): recovered state is neither before nor after the transaction", trial, cerr)
				}
			}
			if dropped == 0 || kept == 0 {
				t.Fatalf("%d torn transactions dropped, %d kept: the test should see both", dropped, kept)
			}
		})
	}
}

// TestBadChecksumEndsLog damages one block of the middle transaction of
// three: recovery must replay the first only.
func TestBadChecksumEndsLog(t *testing.T) {
	for _, feat := range []uint32{IncompatCsumV2, IncompatCsumV3 | Incompat64Bit} {
		for _, part := range []string{"descriptor", "data", "commit"} {
			t.Run(featureNames(feat)+"/"+part, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, 3))
				dev := newFileDev(t, testDevSize)
				ext := formatJournal(t, dev, testBS, 0, 64, feat)
				j, err := Open(dev, testBS, ext)
				if err != nil {
					t.Fatal(err)
				}
				tx1, tx2, tx3 := randomTx(rng, 5), randomTx(rng, 5), randomTx(rng, 5)
				for _, tx := range []map[uint64][]byte{tx1, tx2} {
					if err := j.Commit(tx); err != nil {
						t.Fatal(err)
					}
				}
				// tx2 ends where tx3 begins; without a wrap (the
				// log is large enough) it starts len(tx2)+2 blocks
				// earlier.
				end2 := j.head
				if err := j.Commit(tx3); err != nil {
					t.Fatal(err)
				}
				first2 := end2 - uint32(len(tx2)) - 2
				var victim uint32
				switch part {
				case "descriptor":
					victim = first2
				case "data":
					victim = first2 + 1 + uint32(rng.IntN(len(tx2)))
				case "commit":
					victim = end2 - 1
				}
				b := make([]byte, testBS)
				if err := j.readBlock(victim, b); err != nil {
					t.Fatal(err)
				}
				b[testBS/2] ^= 0x40
				if err := j.writeBlock(victim, b); err != nil {
					t.Fatal(err)
				}
				j2, err := Open(dev, testBS, ext)
				if err != nil {
					t.Fatal(err)
				}
				info, err := j2.Recover()
				if err != nil {
					t.Fatal(err)
				}
				if info.Transactions() != 1 {
					t.Fatalf("replayed %d transactions, want 1", info.Transactions())
				}
				checkHome(t, dev, apply(nil, tx1), "recovery")
			})
		}
	}
}

// TestEscape checks that a block beginning with the magic number is
// stored with its first word zeroed and an ESCAPE tag, and comes back
// whole.
func TestEscape(t *testing.T) {
	dev := newFileDev(t, testDevSize)
	ext := formatJournal(t, dev, testBS, 0, 32, IncompatCsumV3)
	j, err := Open(dev, testBS, ext)
	if err != nil {
		t.Fatal(err)
	}
	blk := bytes.Repeat([]byte{0xAB}, testBS)
	be.PutUint32(blk, Magic)
	start := j.head
	if err := j.Commit(map[uint64][]byte{homeFirst: blk}); err != nil {
		t.Fatal(err)
	}
	desc := make([]byte, testBS)
	data := make([]byte, testBS)
	if err := j.readBlock(start, desc); err != nil {
		t.Fatal(err)
	}
	if err := j.readBlock(start+1, data); err != nil {
		t.Fatal(err)
	}
	tags := j.sb.parseDescriptor(desc)
	if len(tags) != 1 || tags[0].flags&tagEscape == 0 || tags[0].block != homeFirst {
		t.Fatalf("tags %+v, want one escaped tag for block %d", tags, homeFirst)
	}
	if be.Uint32(data) != 0 || !bytes.Equal(data[4:], blk[4:]) {
		t.Fatal("journal copy is not the escaped block")
	}
	j2, err := Open(dev, testBS, ext)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j2.Recover(); err != nil {
		t.Fatal(err)
	}
	checkHome(t, dev, map[uint64][]byte{homeFirst: blk}, "recovery")
}

// TestManyBlocks commits transactions that need several descriptor
// blocks, up to the largest the log holds, and one block more.
func TestManyBlocks(t *testing.T) {
	for _, feat := range featureSets {
		t.Run(featureNames(feat), func(t *testing.T) {
			const bs = 1024
			dev := newFileDev(t, 3000*bs)
			ext := formatJournal(t, dev, bs, 0, 200, feat)
			j, err := Open(dev, bs, ext)
			if err != nil {
				t.Fatal(err)
			}
			max := j.MaxTransaction()
			if max <= j.sb.descriptorCapacity() {
				t.Fatalf("MaxTransaction %d does not need two descriptors (%d tags each)", max, j.sb.descriptorCapacity())
			}
			tx := make(map[uint64][]byte)
			for i := range max + 1 {
				tx[uint64(1000+i)] = bytes.Repeat([]byte{byte(i)}, bs)
			}
			if err := j.Commit(tx); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("commit of %d blocks: %v, want ErrTooLarge", max+1, err)
			}
			delete(tx, uint64(1000+max))
			for range 3 {
				if err := j.Commit(tx); err != nil {
					t.Fatal(err)
				}
			}
			j2, err := Open(dev, bs, ext)
			if err != nil {
				t.Fatal(err)
			}
			info, err := j2.Recover()
			if err != nil {
				t.Fatal(err)
			}
			if info.Transactions() != 1 || info.Blocks != max {
				t.Fatalf("recovered %+v, want one transaction of %d blocks", info, max)
			}
			got := make([]byte, bs)
			for n, want := range tx {
				dev.ReadAt(got, int64(n)*bs)
				if !bytes.Equal(got, want) {
					t.Fatalf("block %d differs", n)
				}
			}
		})
	}
}

// TestRefuse checks that superblocks this package cannot honour are
// refused, with the feature named.
func TestRefuse(t *testing.T) {
	cases := []struct {
		name string
		edit func(b []byte)
		want string
	}{
		{"async_commit", func(b []byte) { be.PutUint32(b[sbIncompat:], IncompatAsyncCommit) }, "async_commit"},
		{"fast_commit", func(b []byte) { be.PutUint32(b[sbIncompat:], IncompatFastCommit|Incompat64Bit) }, "fast_commit"},
		{"unknown", func(b []byte) { be.PutUint32(b[sbIncompat:], 0x400) }, "unknown(0x400)"},
		{"v1 checksum", func(b []byte) { be.PutUint32(b[sbCompat:], CompatChecksum) }, "checksum"},
		{"v1 superblock", func(b []byte) { be.PutUint32(b[4:], blockSuperV1) }, "v1"},
		{"magic", func(b []byte) { b[0] = 0 }, "magic"},
		{"bad checksum", func(b []byte) {
			be.PutUint32(b[sbIncompat:], IncompatCsumV3)
			b[sbChecksumType] = csumCRC32C
			be.PutUint32(b[sbChecksum:], 12345)
		}, "checksum mismatch"},
		{"checksum type", func(b []byte) { be.PutUint32(b[sbIncompat:], IncompatCsumV3); b[sbChecksumType] = 1 }, "checksum type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dev := newFileDev(t, testDevSize)
			ext := formatJournal(t, dev, testBS, 0, 32, 0)
			b := make([]byte, superblockBytes)
			dev.ReadAt(b, 0)
			c.edit(b)
			dev.WriteAt(b, 0)
			_, err := Open(dev, testBS, ext)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Open: %v, want an error naming %q", err, c.want)
			}
		})
	}
	t.Run("block size", func(t *testing.T) {
		dev := newFileDev(t, testDevSize)
		ext := formatJournal(t, dev, testBS, 0, 32, 0)
		if _, err := Open(dev, 4096, ext); err == nil {
			t.Fatal("Open with another block size succeeded")
		}
	})
	t.Run("short extents", func(t *testing.T) {
		dev := newFileDev(t, testDevSize)
		formatJournal(t, dev, testBS, 0, 32, 0)
		if _, err := Open(dev, testBS, []Extent{{0, 0, 31}}); err == nil {
			t.Fatal("Open with extents short of s_maxlen succeeded")
		}
	})
}
