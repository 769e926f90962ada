package ext4

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// memDir is a directory in memory, for the algorithms of dirops.go.
type memDir struct {
	blocks [][]byte
	bs     int
	index  bool
	reads  int // blocks read, for the lookup cost
}

func (m *memDir) count() uint32                     { return uint32(len(m.blocks)) }
func (m *memDir) read(lblk uint32) ([]byte, error)  { m.reads++; return m.blocks[lblk], nil }
func (m *memDir) write(lblk uint32) ([]byte, error) { return m.blocks[lblk], nil }
func (m *memDir) indexed() bool                     { return m.index }
func (m *memDir) setIndexed()                       { m.index = true }
func (m *memDir) grow() (uint32, []byte, error) {
	b := make([]byte, m.bs)
	m.blocks = append(m.blocks, b)
	return uint32(len(m.blocks) - 1), b, nil
}

const testDirIno = 2

// newMemDir is a fresh directory as mkdir makes it: "." and "..".
func newMemDir(bs int, csum bool) (*dirEditor, *memDir) {
	m := &memDir{bs: bs}
	fm := dirFormat{bs: bs, csum: csum, seed: 0x1234, dirIndex: true, defHash: hashHalfMD4,
		hashSeed: [4]uint32{1, 2, 3, 4}, ino: testDirIno}
	_, b, _ := m.grow()
	initLeaf(b, csum)
	end := leafEnd(bs, csum)
	leafInsert(b, end, testDirIno, ftDir, []byte("."))
	leafInsert(b, end, testDirIno, ftDir, []byte(".."))
	e := &dirEditor{fm: fm, d: m}
	e.sealLeaf(b)
	return e, m
}

// fakeFS is enough of an FS for the read side's block checks.
func fakeFS(bs int, csum bool) *FS {
	sb := &superblock{blockSize: bs, inodesCount: 1 << 30}
	if csum {
		sb.features.ROCompat |= roMetadataCsum
	}
	return &FS{sb: sb}
}

// checkMemDir checks every block of m with the read side's checks, the
// hash ranges of the htree, and that the names in the leaves are
// exactly want (name -> inode), each found by find.
func checkMemDir(t *testing.T, e *dirEditor, m *memDir, want map[string]uint32) {
	t.Helper()
	f := fakeFS(m.bs, e.fm.csum)
	in := &inode{ino: testDirIno, csumSeed: e.fm.seed}
	end := e.end()
	got := map[string]uint32{}
	collect := func(lblk uint32, lo, hi uint64) {
		b := m.blocks[lblk]
		if err := f.checkLeaf(in, b, end, fmt.Sprint("leaf ", lblk)); err != nil {
			t.Fatal(err)
		}
		for _, en := range leafEntries(b, end) {
			if lblk == 0 && (string(en.name) == "." || string(en.name) == "..") {
				continue
			}
			if _, dup := got[string(en.name)]; dup {
				t.Fatalf("%q twice", en.name)
			}
			got[string(en.name)] = en.ino
			if m.index {
				h := uint64(e.hasher(m.blocks[0])(en.name))
				if h < lo || h > hi {
					t.Fatalf("%q (hash %#x) in leaf %d of range %#x..%#x", en.name, h, lblk, lo, hi)
				}
			}
		}
	}
	if !m.index {
		for i := range m.blocks {
			collect(uint32(i), 0, 0)
		}
	} else {
		if err := f.checkDxRoot(in, m.blocks[0], "root"); err != nil {
			t.Fatal(err)
		}
		var walk func(a dxArray, level, levels int, lo, hi uint64)
		walk = func(a dxArray, level, levels int, lo, hi uint64) {
			for i := 0; i < a.count(); i++ {
				l, h := lo, hi
				if i > 0 {
					l = uint64(a.hash(i) &^ 1)
				}
				if i+1 < a.count() {
					h = uint64(a.hash(i+1) &^ 1) // equal only with a continuation
				}
				blk := a.block(i)
				if level+1 == levels {
					collect(blk, l, h)
					continue
				}
				b := m.blocks[blk]
				if !isDxNode(b) {
					t.Fatalf("block %d is not an index node", blk)
				}
				if _, _, err := f.checkDx(in, b, dxNodeCountOff, "node"); err != nil {
					t.Fatal(err)
				}
				walk(dxArray{b, dxNodeCountOff}, level+1, levels, l, h)
			}
		}
		walk(dxArray{m.blocks[0], dxRootCountOff}, 0, int(m.blocks[0][30])+1, 0, 1<<32)
	}
	if len(got) != len(want) {
		t.Fatalf("%d names in the directory, want %d", len(got), len(want))
	}
	for name, ino := range want {
		if got[name] != ino {
			t.Fatalf("%q -> %d, want %d", name, got[name], ino)
		}
		loc, ok, err := e.find([]byte(name))
		if err != nil || !ok || loc.ino != ino {
			t.Fatalf("find %q = %+v %v %v", name, loc, ok, err)
		}
	}
}

func randName(rng *rand.Rand, i int) string {
	return fmt.Sprintf("n%d-%s", i, strings.Repeat("x", rng.IntN(60)))
}

// TestDirEditorManyNames adds 10,000 names to a directory, which turns
// into an htree with a level of index nodes, deletes half, and adds
// them back, checking the blocks and every lookup after each phase.
func TestDirEditorManyNames(t *testing.T) {
	for _, bs := range []int{1024, 4096} {
		for _, csum := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d-csum=%v", bs, csum), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(bs), 7))
				e, m := newMemDir(bs, csum)
				want := map[string]uint32{}
				var names []string
				for i := range 10000 {
					n := randName(rng, i)
					if _, ok, _ := e.find([]byte(n)); ok {
						t.Fatalf("%q found before it was added", n)
					}
					if err := e.add([]byte(n), uint32(i+11), ftReg); err != nil {
						t.Fatal(err)
					}
					want[n] = uint32(i + 11)
					names = append(names, n)
				}
				if !m.index {
					t.Fatal("10,000 names and still linear")
				}
				if bs == 1024 && m.blocks[0][30] != 1 {
					t.Fatalf("indirect levels %d with 1 KiB blocks, want 1", m.blocks[0][30])
				}
				checkMemDir(t, e, m, want)
				for i, n := range names {
					if i%2 == 0 {
						continue
					}
					loc, ok, err := e.find([]byte(n))
					if !ok || err != nil {
						t.Fatal(n, ok, err)
					}
					if err := e.remove(loc); err != nil {
						t.Fatal(err)
					}
					delete(want, n)
				}
				checkMemDir(t, e, m, want)
				blocks := len(m.blocks)
				for i, n := range names {
					if i%2 == 1 {
						if err := e.add([]byte(n), uint32(i+11), ftReg); err != nil {
							t.Fatal(err)
						}
						want[n] = uint32(i + 11)
					}
				}
				checkMemDir(t, e, m, want)
				t.Logf("%d blocks, %d after re-adding", blocks, len(m.blocks))
			})
		}
	}
}

// TestDirEditorLinear keeps a directory without dir_index linear: it
// grows a block at a time, and deleted space is reused.
func TestDirEditorLinear(t *testing.T) {
	e, m := newMemDir(1024, true)
	e.fm.dirIndex = false
	want := map[string]uint32{}
	for i := range 300 {
		n := fmt.Sprintf("file-%03d", i)
		if err := e.add([]byte(n), uint32(100+i), ftReg); err != nil {
			t.Fatal(err)
		}
		want[n] = uint32(100 + i)
	}
	if m.index || len(m.blocks) < 2 {
		t.Fatalf("index %v, %d blocks", m.index, len(m.blocks))
	}
	checkMemDir(t, e, m, want)
	blocks := len(m.blocks)
	for i := range 100 {
		n := fmt.Sprintf("file-%03d", i)
		loc, _, _ := e.find([]byte(n))
		if err := e.remove(loc); err != nil {
			t.Fatal(err)
		}
		delete(want, n)
	}
	if empty, _ := e.empty(); empty {
		t.Fatal("empty with 200 names")
	}
	for i := range 100 {
		n := fmt.Sprintf("new-%03d", i)
		if err := e.add([]byte(n), uint32(1000+i), ftReg); err != nil {
			t.Fatal(err)
		}
		want[n] = uint32(1000 + i)
	}
	if len(m.blocks) != blocks {
		t.Fatalf("%d blocks after reusing deleted space, want %d", len(m.blocks), blocks)
	}
	checkMemDir(t, e, m, want)
}

// TestDirEditorLargeDirLimit fills a 1 KiB-block htree with 255-byte
// names until the root and every node are full: the next split needs a
// third level (large_dir), which is ENOSPC naming it.
func TestDirEditorLargeDirLimit(t *testing.T) {
	e, m := newMemDir(1024, true)
	want := map[string]uint32{}
	for i := 0; ; i++ {
		n := fmt.Sprintf("%08d", i) + strings.Repeat("L", 247)
		err := e.add([]byte(n), uint32(i+11), ftReg)
		if err != nil {
			if ErrnoOf(err) != linux.ENOSPC || !strings.Contains(err.Error(), "large_dir") {
				t.Fatalf("after %d names: %v", i, err)
			}
			t.Logf("full after %d names, %d blocks", i, len(m.blocks))
			break
		}
		want[n] = uint32(i + 11)
		if i > 100000 {
			t.Fatal("no limit")
		}
	}
	checkMemDir(t, e, m, want)
}

// TestDirEditorEmptyAndDotDot covers empty (for rmdir) and ".." on both
// kinds of directory.
func TestDirEditorEmptyAndDotDot(t *testing.T) {
	for _, grow := range []int{0, 1, 200} {
		e, m := newMemDir(1024, true)
		for i := range grow {
			e.add([]byte(fmt.Sprintf("entry-%d", i)), 20, ftReg)
		}
		for i := range grow {
			loc, ok, _ := e.find([]byte(fmt.Sprintf("entry-%d", i)))
			if !ok {
				t.Fatal("lost", i)
			}
			if empty, _ := e.empty(); empty {
				t.Fatalf("empty with %d names left", grow-i)
			}
			e.remove(loc)
		}
		if empty, err := e.empty(); !empty || err != nil {
			t.Fatalf("after %d names: not empty (%v)", grow, err)
		}
		if err := e.setDotDot(77); err != nil {
			t.Fatal(err)
		}
		if got := binary.LittleEndian.Uint32(m.blocks[0][12:]); got != 77 {
			t.Fatalf(".. = %d", got)
		}
		checkMemDir(t, e, m, map[string]uint32{})
	}
}

// TestSplitLeafCollisions splits a leaf whose entries mostly share one
// hash: the split hash carries the continuation bit, and both halves
// keep every entry.
func TestSplitLeafCollisions(t *testing.T) {
	const bs = 1024
	src, dst := make([]byte, bs), make([]byte, bs)
	initLeaf(src, false)
	initLeaf(dst, false)
	var names []string
	for i := 0; leafHasRoom(src, bs, 20); i++ {
		n := fmt.Sprintf("name-%02d-%s", i, strings.Repeat("c", 11))
		leafInsert(src, bs, uint32(i+1), ftReg, []byte(n))
		names = append(names, n)
	}
	// Every name but the first hashes alike.
	hash := func(name []byte) uint32 {
		if bytes.HasPrefix(name, []byte("name-00")) {
			return 2
		}
		return 100
	}
	split := splitLeaf(src, dst, bs, hash)
	if split != 101 {
		t.Fatalf("split hash %#x, want 0x65 (100 with the continuation bit)", split)
	}
	var got []string
	for _, b := range [][]byte{src, dst} {
		if err := checkDirents(b, bs, bs, 1<<20, "leaf"); err != nil {
			t.Fatal(err)
		}
		for _, en := range leafEntries(b, bs) {
			got = append(got, string(en.name))
		}
	}
	sort.Strings(got)
	sort.Strings(names)
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("after the split %v, want %v", got, names)
	}
}

// TestLeafInsertDelete checks the record arithmetic: slack reuse, the
// merge into the previous record, and an emptied first entry.
func TestLeafInsertDelete(t *testing.T) {
	const bs = 1024
	b := make([]byte, bs)
	initLeaf(b, true)
	end := leafEnd(bs, true)
	for i, n := range []string{"a", "bbbbb", "cccccccc"} {
		if !leafInsert(b, end, uint32(i+1), ftReg, []byte(n)) {
			t.Fatal("no room in an empty leaf")
		}
	}
	recs := leafRecords(b, end)
	if len(recs) != 3 || recs[0].rl != 12 || recs[1].rl != 16 || recs[2].rl != end-28 {
		t.Fatalf("records %+v", recs)
	}
	off, prev, ok := leafFind(b, end, []byte("bbbbb"))
	if !ok || off != 12 || prev != 0 {
		t.Fatal(off, prev, ok)
	}
	leafDelete(b, off, prev)
	if recs = leafRecords(b, end); len(recs) != 2 || recs[0].rl != 28 {
		t.Fatalf("after deleting the middle %+v", recs)
	}
	off, prev, _ = leafFind(b, end, []byte("a"))
	leafDelete(b, off, prev)
	if recs = leafRecords(b, end); recs[0].ino != 0 || recs[0].nameLen != 1 || recs[0].rl != 28 {
		t.Fatalf("after deleting the first %+v", recs)
	}
	// The freed first record takes a name that fits it whole.
	if !leafInsert(b, end, 9, ftDir, []byte("dddddddddddddddddddd")) || leafRecords(b, end)[0].ino != 9 {
		t.Fatalf("first record not reused: %+v", leafRecords(b, end))
	}
	sealLeaf(b, 5)
	f := fakeFS(bs, true)
	if err := f.checkLeaf(&inode{csumSeed: 5}, b, end, "leaf"); err != nil {
		t.Fatal(err)
	}
}

// TestLookupCostLinearVsHtree measures what a lookup costs in a
// directory of 10,000 names, in blocks read, linear and as an htree:
// the reason a directory that outgrows a block becomes an htree.
func TestLookupCostLinearVsHtree(t *testing.T) {
	const n = 10000
	for _, bs := range []int{1024, 4096} {
		cost := map[bool]float64{}
		for _, index := range []bool{false, true} {
			e, m := newMemDir(bs, true)
			for i := range n {
				name := []byte(fmt.Sprintf("name-%05d", i))
				if index {
					if err := e.add(name, uint32(i+11), ftReg); err != nil {
						t.Fatal(err)
					}
					continue
				}
				// Linear: fill block after block, as add would, without
				// its search of every block for room.
				last := m.blocks[len(m.blocks)-1]
				if !leafInsert(last, e.end(), uint32(i+11), ftReg, name) {
					_, last, _ = m.grow()
					initLeaf(last, true)
					leafInsert(last, e.end(), uint32(i+11), ftReg, name)
				}
				e.sealLeaf(last)
			}
			m.reads = 0
			start := time.Now()
			const every = 10 // a sample of the names
			for i := 0; i < n; i += every {
				if _, ok, err := e.find([]byte(fmt.Sprintf("name-%05d", i))); !ok || err != nil {
					t.Fatal(i, ok, err)
				}
			}
			cost[index] = float64(m.reads) / (n / every)
			t.Logf("%d-byte blocks, htree %v: %d blocks, %.1f blocks read and %v per lookup",
				bs, index, len(m.blocks), cost[index], time.Since(start)/(n/every))
		}
		if cost[true] > 3 || cost[false] < 10*cost[true] {
			t.Errorf("%d-byte blocks: %.1f blocks per htree lookup, %.1f per linear one", bs, cost[true], cost[false])
		}
	}
}
