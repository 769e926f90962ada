package ext4

import (
	"strings"
	"testing"
	"time"
)

// newOrphans allocates n regular files with data near parent, holds them
// open and drops their only (never made) link: they go on the orphan
// list.
func newOrphans(t *testing.T, f *FS, parent uint32, n int) []uint32 {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var inos []uint32
	for i := range n {
		tx := f.begin()
		ino, err := tx.allocInode(parent, sIFREG|0o600)
		if err != nil {
			t.Fatal(err)
		}
		in := tx.newInode(ino, sIFREG|0o600, 1000, 1000)
		in.size = uint64(f.sb.blockSize) * 3
		if _, _, err := tx.mapBlocks(in, uint32(i), 3, true); err != nil {
			t.Fatal(err)
		}
		f.w.held[ino]++
		in.links = 0
		if err := tx.dropInode(in); err != nil {
			t.Fatal(err)
		}
		if err := tx.end(); err != nil {
			t.Fatal(err)
		}
		inos = append(inos, ino)
	}
	return inos
}

// TestOrphansReleased puts new inodes (some in a group whose inode table
// was never used) on the orphan list and frees them at Release.
func TestOrphansReleased(t *testing.T) {
	blockSizes(t, func(t *testing.T, bs string) {
		size := map[string]string{"1024": "64M", "4096": "300M"}[bs]
		img := mkfsImage(t, "", size, "-b", bs, "-d", writeTree(t))
		f := mountImage(t, img)
		last := (f.sb.groupCount-1)*f.sb.inodesPerGroup + 1
		if f.groups[f.sb.groupCount-1].flags&bgInodeUninit == 0 {
			t.Fatalf("the last group's inode table is in use; the test wants an INODE_UNINIT group")
		}
		inos := append(newOrphans(t, f, RootIno, 3), newOrphans(t, f, last, 3)...)
		if got := (inos[3] - 1) / f.sb.inodesPerGroup; got != f.sb.groupCount-1 {
			t.Errorf("inode %d is in group %d, want the parent's %d", inos[3], got, f.sb.groupCount-1)
		}
		if err := f.SyncFS(); err != nil {
			t.Fatal(err)
		}
		f.mu.RLock()
		head := le32(f.w.sbRaw, sbLastOrphan)
		f.mu.RUnlock()
		if head != inos[len(inos)-1] {
			t.Errorf("s_last_orphan = %d, want the last orphan %d", head, inos[len(inos)-1])
		}
		for _, ino := range inos {
			if _, err := f.WriteAt(ino, []byte("still open"), 10); err != nil {
				t.Errorf("WriteAt to open orphan %d: %v", ino, err)
			}
			if st, err := f.Stat(ino); err != nil || st.Nlink != 0 {
				t.Errorf("Stat of open orphan %d: nlink %d, %v", ino, st.Nlink, err)
			}
		}
		for _, ino := range inos {
			if err := f.Release(ino); err != nil {
				t.Fatal(err)
			}
		}
		f.mu.RLock()
		head = le32(f.w.sbRaw, sbLastOrphan)
		f.mu.RUnlock()
		if head != 0 {
			t.Errorf("s_last_orphan = %d after the last Release, want 0", head)
		}
		if err := f.Unmount(); err != nil {
			t.Fatal(err)
		}
		fsck(t, img)
	})
}

// TestOrphansAfterCrash crashes with inodes on the orphan list: Mount
// frees them (and e2fsck, replaying the same journal, agrees).
func TestOrphansAfterCrash(t *testing.T) {
	img := mkfsImage(t, "", "64M", "-b", "1024", "-d", writeTree(t))
	f, dev := mountCut(t, img)
	last := (f.sb.groupCount-1)*f.sb.inodesPerGroup + 1
	newOrphans(t, f, RootIno, 2)
	newOrphans(t, f, last, 2)
	if err := f.SyncFS(); err != nil {
		t.Fatal(err)
	}
	dev.cut()
	f.Unmount()
	afterCrash(t, img, "small")
}

// TestCommitTimer checks that a change commits by itself after the
// commit interval: it survives a crash without a Sync.
func TestCommitTimer(t *testing.T) {
	defer func(d time.Duration) { commitInterval = d }(commitInterval)
	commitInterval = 50 * time.Millisecond
	img := mkfsImage(t, "", "16M", "-d", writeTree(t))
	f, dev := mountCut(t, img)
	p := []byte(strings.Repeat("timer ", 1000))
	if _, err := f.WriteAt(mustResolve(t, f, "empty"), p, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	f.mu.Lock()
	dev.cut()
	f.mu.Unlock()
	f.Unmount()
	byE2fsck, byMount := afterCrash(t, img, "empty")
	if string(byE2fsck) != string(p) || string(byMount) != string(p) {
		t.Errorf("after the crash: %d and %d bytes, want the %d written before the commit interval passed", len(byE2fsck), len(byMount), len(p))
	}
}

// TestMountRefuses checks what a read-write or read-only Mount refuses,
// naming the reason.
func TestMountRefuses(t *testing.T) {
	tool(t, "debugfs")
	img := mkfsImage(t, "", "16M", "-d", writeTree(t))
	for _, c := range []struct{ feature, ro, want string }{
		{"needs_recovery", "ro", "journal needs recovery"},
		{"quota", "rw", "quota"},
		{"^has_journal", "rw", "no journal"},
	} {
		copyImg := copyImage(t, img)
		run(t, nil, "debugfs", nil, "-w", "-R", "feature "+c.feature, copyImg)
		file, err := openRW(copyImg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Mount(file, c.ro == "ro")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("feature %s, %s: Mount = %v, want an error about %q", c.feature, c.ro, err, c.want)
		}
	}
}
