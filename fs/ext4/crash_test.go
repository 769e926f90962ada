package ext4

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
)

// cutDevice is a Device whose writes stop at a point, as if the machine
// lost power there: the first limit writes reach the image, every later
// write and flush fails.
type cutDevice struct {
	*FileDevice
	limit  int // writes allowed; < 0 for no limit
	writes int
}

var errCut = errors.New("the device was cut")

func (d *cutDevice) WriteAt(p []byte, off int64) (int, error) {
	if d.limit >= 0 && d.writes >= d.limit {
		return 0, errCut
	}
	d.writes++
	return d.FileDevice.WriteAt(p, off)
}

func (d *cutDevice) Flush() error {
	if d.limit >= 0 && d.writes >= d.limit {
		return errCut
	}
	return d.FileDevice.Flush()
}

func (d *cutDevice) cut() { d.limit = d.writes }

// mountCut mounts img read-write through a cutDevice.
func mountCut(t *testing.T, img string) (*FS, *cutDevice) {
	t.Helper()
	file, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	fd, err := NewFileDevice(file)
	if err != nil {
		t.Fatal(err)
	}
	dev := &cutDevice{FileDevice: fd, limit: -1}
	f, err := Mount(dev, false)
	if err != nil {
		t.Fatal(err)
	}
	return f, dev
}

// afterCrash checks a crashed image two ways and returns the contents
// of path after each: e2fsck's replay (-E journal_only) followed by a
// clean e2fsck -fn and debugfs, and Mount's own replay followed by a
// read, Unmount and a clean e2fsck -fn.
func afterCrash(t *testing.T, img, path string) (byE2fsck, byMount []byte) {
	t.Helper()
	a := copyImage(t, img)
	run(t, nil, "e2fsck", []int{1}, "-E", "journal_only", "-y", a)
	fsck(t, a)
	byE2fsck = dump(t, a, path)

	b := copyImage(t, img)
	f := mountImage(t, b)
	ino := mustResolve(t, f, path)
	data, err := readAll(f, ino, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	byMount = data
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	fsck(t, b)
	return byE2fsck, byMount
}

// TestCrashAfterSync writes, Syncs, writes more and crashes: both
// replays must give back every Sync'd write.
func TestCrashAfterSync(t *testing.T) {
	tool(t, "debugfs")
	blockSizes(t, func(t *testing.T, bs string) {
		img := mkfsImage(t, "", "32M", "-b", bs, "-d", writeTree(t))
		f, dev := mountCut(t, img)
		ino := mustResolve(t, f, "empty")
		var m model
		for i := range 20 {
			p := pattern(byte(i), 10000+i*777)
			off := int64(len(m)) + int64(i%3)*5000
			if _, err := f.WriteAt(ino, p, off); err != nil {
				t.Fatal(err)
			}
			m.write(p, off)
		}
		if err := f.Truncate(ino, int64(len(m))-30000); err != nil {
			t.Fatal(err)
		}
		m.truncate(int64(len(m)) - 30000)
		if err := f.Sync(ino); err != nil {
			t.Fatal(err)
		}
		// Not synced: another file changes; it may or may not survive.
		if _, err := f.WriteAt(mustResolve(t, f, "medium"), pattern(1, 50000), 1<<20); err != nil {
			t.Fatal(err)
		}
		dev.cut()
		f.Unmount() // fails: it only stops the commit timer
		if _, err := openFile(img); err == nil || !bytes.Contains([]byte(err.Error()), []byte("needs recovery")) {
			t.Fatalf("after the crash, Open = %v, want a journal that needs recovery", err)
		}
		byE2fsck, byMount := afterCrash(t, img, "empty")
		if !bytes.Equal(byE2fsck, m) {
			t.Errorf("after e2fsck's replay: %d bytes, want %d (first difference at %d)", len(byE2fsck), len(m), firstDiff(byE2fsck, m))
		}
		if !bytes.Equal(byMount, m) {
			t.Errorf("after Mount's replay: %d bytes, want %d (first difference at %d)", len(byMount), len(m), firstDiff(byMount, m))
		}
	})
}

// TestCrashAnywhere cuts the device's writes at random points of a run
// of appends and block-aligned truncates, each followed by Sync. The
// file system must replay to a consistent state, and the file must hold
// what the last successful Sync saw, or the state of the operation the
// cut interrupted (whose commit may have reached the disk).
func TestCrashAnywhere(t *testing.T) {
	tool(t, "debugfs")
	base := mkfsImage(t, "", "16M", "-b", "1024", "-d", writeTree(t))
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 6 {
		img := copyImage(t, base)
		f, dev := mountCut(t, img)
		dev.limit = 5 + rng.IntN(250)
		ino := mustResolve(t, f, "small")
		var synced model = []byte("hello, world\n")
		var next model
		for i := 0; ; i++ {
			next = append(model(nil), synced...)
			var err error
			if i%5 == 4 {
				size := int64(len(next)) / 2048 * 1024
				err = f.Truncate(ino, size)
				next.truncate(size)
			} else {
				p := pattern(byte(i+round), 1000+rng.IntN(40000))
				_, err = f.WriteAt(ino, p, int64(len(next)))
				next.write(p, int64(len(next)))
			}
			if err == nil {
				err = f.Sync(ino)
			}
			if err != nil {
				break
			}
			synced = next
		}
		f.Unmount()
		byE2fsck, byMount := afterCrash(t, img, "small")
		for _, c := range []struct {
			who  string
			data []byte
		}{{"e2fsck", byE2fsck}, {"Mount", byMount}} {
			if !bytes.Equal(c.data, synced) && !bytes.Equal(c.data, next) {
				t.Errorf("round %d (cut after %d writes): after %s's replay the file has %d bytes, want the %d synced or the %d of the interrupted operation",
					round, dev.limit, c.who, len(c.data), len(synced), len(next))
			}
		}
	}
}

func openRW(img string) (*FileDevice, error) {
	file, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return NewFileDevice(file)
}

// TestCrashAfterManyCommits syncs hundreds of small appends, so that the
// log wraps around several times with a checkpoint at every quarter,
// and then crashes: the replays must give back the last Sync'd state.
func TestCrashAfterManyCommits(t *testing.T) {
	tool(t, "debugfs")
	img := mkfsImage(t, "", "16M", "-b", "1024", "-J", "size=1", "-d", writeTree(t))
	f, dev := mountCut(t, img)
	ino := mustResolve(t, f, "small")
	m := model("hello, world\n")
	seq0 := f.w.journal.Sequence()
	for i := range 800 {
		p := pattern(byte(i), 700)
		if _, err := f.WriteAt(ino, p, int64(len(m))); err != nil {
			t.Fatal(err)
		}
		m.write(p, int64(len(m)))
		if err := f.Sync(ino); err != nil {
			t.Fatal(err)
		}
	}
	jsb := f.w.journal.Superblock()
	if commits, logLen := int(f.w.journal.Sequence()-seq0), int(jsb.MaxLen-jsb.First); commits*3 < 2*logLen {
		t.Fatalf("%d commits of at least 3 blocks do not wrap a log of %d blocks twice", commits, logLen)
	}
	dev.cut()
	f.Unmount()
	byE2fsck, byMount := afterCrash(t, img, "small")
	if !bytes.Equal(byE2fsck, m) || !bytes.Equal(byMount, m) {
		t.Errorf("after the crash: %d and %d bytes, want %d", len(byE2fsck), len(byMount), len(m))
	}
}
