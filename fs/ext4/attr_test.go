package ext4

import (
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// TestSetAttr changes permissions, owners and times; they survive a
// remount and ctime moves.
func TestSetAttr(t *testing.T) {
	img := mkfsImage(t, "", "16M", "-d", writeTree(t))
	f := mountImage(t, img)
	ino := mustResolve(t, f, "small")
	before, err := f.Stat(ino)
	if err != nil {
		t.Fatal(err)
	}
	mode, uid, gid := uint32(0o4751), uint32(70000), uint32(80000)
	at := Timespec{Sec: 1 << 33, Nsec: 123456789} // past 2038: epoch bits
	mt := Timespec{Sec: -5, Nsec: 42}             // before 1970
	if err := f.SetAttr(ino, SetAttr{Mode: &mode, UID: &uid, GID: &gid, Atime: &at, Mtime: &mt}); err != nil {
		t.Fatal(err)
	}
	f = remount(t, f, img)
	st, err := f.Stat(ino)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != sIFREG|mode || st.Uid != uid || st.Gid != gid || st.Atime != at || st.Mtime != mt {
		t.Errorf("after SetAttr: mode %#o uid %d gid %d atime %v mtime %v", st.Mode, st.Uid, st.Gid, st.Atime, st.Mtime)
	}
	if st.Ctime.Sec < before.Ctime.Sec || st.Ctime == before.Ctime {
		t.Errorf("ctime %v did not move from %v", st.Ctime, before.Ctime)
	}
	if st.Size != before.Size || st.Btime != before.Btime {
		t.Errorf("SetAttr changed size or btime: %+v, was %+v", st, before)
	}
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	fsck(t, img)
	if out := debugfsReq(t, img, "stat /small"); !strings.Contains(out, "User: 70000") {
		t.Errorf("debugfs stat does not show the new owner:\n%s", out)
	}
}

// TestWriteErrors checks the errors of the write calls.
func TestWriteErrors(t *testing.T) {
	img := mkfsImage(t, "", "16M", "-d", writeTree(t))
	ro, err := openFile(img)
	if err != nil {
		t.Fatal(err)
	}
	small := mustResolve(t, ro, "small")
	if _, err := ro.WriteAt(small, []byte("x"), 0); ErrnoOf(err) != linux.EROFS || !ro.ReadOnly() {
		t.Errorf("WriteAt on an Open FS: %v, want EROFS", err)
	}
	f := mountImage(t, img)
	if f.ReadOnly() {
		t.Error("a read-write Mount reports ReadOnly")
	}
	dir := mustResolve(t, f, "d")
	max := f.maxFileSize()
	for _, c := range []struct {
		name string
		err  error
		want linux.Errno
	}{
		{"write to a directory", second(f.WriteAt(dir, []byte("x"), 0)), linux.EISDIR},
		{"truncate a directory", f.Truncate(dir, 0), linux.EISDIR},
		{"negative offset", second(f.WriteAt(small, []byte("x"), -1)), linux.EINVAL},
		{"negative size", f.Truncate(small, -1), linux.EINVAL},
		{"write past the limit", second(f.WriteAt(small, []byte("x"), max)), linux.EFBIG},
		{"truncate past the limit", f.Truncate(small, max+1), linux.EFBIG},
		{"free inode", second(f.WriteAt(f.sb.inodesCount, []byte("x"), 0)), linux.ESTALE},
	} {
		if ErrnoOf(c.err) != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	// A write across the limit is cut short at it.
	if n, err := f.WriteAt(small, []byte("xyz"), max-2); err != nil || n != 2 {
		t.Errorf("write across the limit: %d, %v; want 2 bytes", n, err)
	}
	if err := f.Truncate(small, 5); err != nil {
		t.Fatal(err)
	}
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(small, []byte("x"), 0); err == nil || !f.ReadOnly() {
		t.Errorf("WriteAt after Unmount: %v, want an error", err)
	}
	fsck(t, img)
	checkDump(t, img, "small", []byte("hello"))
}

// TestWriteUnwritten writes into the middle of an unwritten extent
// (from debugfs fallocate): the rest of it must still read as zeros.
func TestWriteUnwritten(t *testing.T) {
	img := unwrittenImage(t, "8M")
	f := mountImage(t, img)
	ino := mustResolve(t, f, "data.bin")
	want := make([]byte, 20000)
	copy(want, strings.Repeat("data ", 1000))
	p := []byte("in the middle")
	if _, err := f.WriteAt(ino, p, 12*1024+100); err != nil {
		t.Fatal(err)
	}
	copy(want[12*1024+100:], p)
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	fsck(t, img)
	checkDump(t, img, "data.bin", want)
}
