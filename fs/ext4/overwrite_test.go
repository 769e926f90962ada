package ext4

import (
	"bytes"
	"sync"
	"testing"
)

// TestConcurrentOverwrite overwrites distinct pages of one file from
// many goroutines at once (the data goes out with the lock released)
// while others truncate and extend a second file, whose freed blocks a
// third file's writes may take: every file must end as written, and
// e2fsck must find the image clean.
func TestConcurrentOverwrite(t *testing.T) {
	blockSizes(t, func(t *testing.T, bs string) {
		tree := writeTree(t)
		img := mkfsImage(t, "", "32M", "-b", bs, "-d", tree)
		f := mountImage(t, img)
		medium := mustResolve(t, f, "medium")
		small := mustResolve(t, f, "small")
		empty := mustResolve(t, f, "empty")
		st, err := f.Stat(medium)
		if err != nil {
			t.Fatal(err)
		}
		const page = 4096
		pages := int(st.Size) / page
		want := make([]byte, pages*page)
		for i := range pages {
			copy(want[i*page:], pattern(byte(i), page))
		}
		var wg sync.WaitGroup
		const workers = 8
		errs := make(chan error, workers+2)
		for w := range workers {
			wg.Go(func() {
				for i := w; i < pages; i += workers {
					if _, err := f.WriteAt(medium, want[i*page:(i+1)*page], int64(i*page)); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		var smallWant, emptyWant model
		wg.Go(func() {
			for i := range 20 {
				p := pattern(byte(100+i), 40000)
				if _, err := f.WriteAt(small, p, 0); err != nil {
					errs <- err
					return
				}
				smallWant = model{}
				smallWant.write(p, 0)
				if err := f.Truncate(small, 1000); err != nil {
					errs <- err
					return
				}
				smallWant.truncate(1000)
			}
		})
		wg.Go(func() {
			for i := range 20 {
				p := pattern(byte(200+i), 20000)
				if _, err := f.WriteAt(empty, p, int64(i)*20000); err != nil {
					errs <- err
					return
				}
				emptyWant.write(p, int64(i)*20000)
			}
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		want = append(want, mustRead(t, f, medium)[len(want):]...)
		f = remount(t, f, img)
		checkFile(t, f, "medium", want)
		checkFile(t, f, "small", smallWant)
		checkFile(t, f, "empty", emptyWant)
	})
}

// mustRead returns all of file ino.
func mustRead(t *testing.T, f *FS, ino uint32) []byte {
	t.Helper()
	b, err := readAll(f, ino, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCrashAfterSyncData overwrites a file in place and SyncDatas it:
// that writes the data and commits nothing (one device write); then it
// extends the file and SyncDatas again, which must commit the new size.
// After a crash both replays must give back everything SyncData saw.
func TestCrashAfterSyncData(t *testing.T) {
	tool(t, "debugfs")
	blockSizes(t, func(t *testing.T, bs string) {
		img := mkfsImage(t, "", "32M", "-b", bs, "-d", writeTree(t))
		f, dev := mountCut(t, img)
		ino := mustResolve(t, f, "medium")
		m := model(mustRead(t, f, ino))
		if err := f.Sync(ino); err != nil { // nothing running from here on
			t.Fatal(err)
		}
		p := pattern(9, 4096)
		before := dev.writes
		if _, err := f.WriteAt(ino, p, 8192); err != nil {
			t.Fatal(err)
		}
		m.write(p, 8192)
		if err := f.SyncData(ino); err != nil {
			t.Fatal(err)
		}
		if got := dev.writes - before; got != 1 {
			t.Errorf("an overwrite and SyncData made %d device writes, want 1 (the data; no commit)", got)
		}
		q := pattern(10, 3000)
		if _, err := f.WriteAt(ino, q, int64(len(m))); err != nil {
			t.Fatal(err)
		}
		m.write(q, int64(len(m)))
		if err := f.SyncData(ino); err != nil {
			t.Fatal(err)
		}
		dev.cut()
		f.Unmount() // fails: it only stops the commit timer
		byE2fsck, byMount := afterCrash(t, img, "medium")
		if !bytes.Equal(byE2fsck, m) {
			t.Errorf("after e2fsck's replay: %d bytes, want %d (first difference at %d)", len(byE2fsck), len(m), firstDiff(byE2fsck, m))
		}
		if !bytes.Equal(byMount, m) {
			t.Errorf("after Mount's replay: %d bytes, want %d (first difference at %d)", len(byMount), len(m), firstDiff(byMount, m))
		}
	})
}
