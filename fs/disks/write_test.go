package disks

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// Changes to names made through the service are on the image afterwards
// as the host's e2fsprogs read it: debugfs dumps what was written, and
// e2fsck finds the file system clean once it is unmounted.
func TestDiskNameChanges(t *testing.T) {
	tree := t.TempDir()
	if err := os.WriteFile(filepath.Join(tree, "old.txt"), []byte("old contents\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, dev := testDisk(t, tree, false)
	d := s.disks[3]
	if d.readOnly {
		t.Fatal("the disk is read-only")
	}
	open := func(path string, flags uint32) int32 {
		t.Helper()
		r := pathReq(shares.OpOpen, shares.Root, path, flags)
		r.Mode = 0o640
		res, e := call(s, r)
		if e != 0 {
			t.Fatalf("open %s: %v", path, e)
		}
		return res.Handle
	}
	write := func(h int32, data []byte, off int64) {
		t.Helper()
		r := shares.Request{Op: shares.OpWrite, Handle: h, Offset: off}
		r.Buf, r.Len = bufOf(data)
		if res, e := call(s, r); e != 0 || res.N != int64(len(data)) {
			t.Fatalf("write: %d, %v", res.N, e)
		}
	}
	simple := func(r shares.Request, want syscall.Errno) {
		t.Helper()
		if _, e := call(s, r); e != want {
			t.Errorf("%v %q: %v, want %v", r.Op, r.PathBytes(), e, want)
		}
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 300_000/16)
	h := open("new.bin", linux.O_CREAT|linux.O_EXCL|linux.O_WRONLY)
	write(h, big, 0)
	write(h, []byte("tail"), int64(len(big)))
	simple(shares.Request{Op: shares.OpFsync, Handle: h}, 0)
	simple(shares.Request{Op: shares.OpClose, Handle: h}, 0)
	simple(pathReq(shares.OpOpen, shares.Root, "new.bin", linux.O_CREAT|linux.O_EXCL|linux.O_WRONLY), syscall.EEXIST)

	h = open("old.txt", linux.O_WRONLY|linux.O_APPEND)
	write(h, []byte("more\n"), 0)
	simple(shares.Request{Op: shares.OpClose, Handle: h}, 0)
	h = open("trunc.txt", linux.O_CREAT|linux.O_WRONLY)
	write(h, []byte("to be cut"), 0)
	simple(shares.Request{Op: shares.OpClose, Handle: h}, 0)
	tr := pathReq(shares.OpTruncate, shares.Root, "trunc.txt", 0)
	tr.Offset = 5
	simple(tr, 0)

	simple(pathReq(shares.OpMkdir, shares.Root, "dir", 0), 0)
	simple(pathReq(shares.OpMkdir, shares.Root, "dir", 0), syscall.EEXIST)
	h = open("dir/inner.txt", linux.O_CREAT|linux.O_WRONLY)
	write(h, []byte("inner\n"), 0)
	simple(shares.Request{Op: shares.OpClose, Handle: h}, 0)
	ren := pathReq(shares.OpRename, shares.Root, "dir/inner.txt", 0)
	ren.Dir2, ren.Path2Len = shares.Root, uint32(copy(ren.Path2[:], "moved.txt"))
	simple(ren, 0)
	sym := pathReq(shares.OpSymlink, shares.Root, "link", 0)
	sym.Path2Len = uint32(copy(sym.Path2[:], "moved.txt"))
	simple(sym, 0)
	ln := pathReq(shares.OpLink, shares.Root, "moved.txt", 0)
	ln.Dir2, ln.Path2Len = shares.Root, uint32(copy(ln.Path2[:], "hard.txt"))
	simple(ln, 0)
	simple(pathReq(shares.OpUnlink, shares.Root, "dir", linux.AT_REMOVEDIR), 0)
	simple(pathReq(shares.OpUnlink, shares.Root, "nothing", 0), syscall.ENOENT)

	// An unlinked file that is still open lives until it is closed.
	h = open("gone.txt", linux.O_CREAT|linux.O_RDWR)
	simple(pathReq(shares.OpUnlink, shares.Root, "gone.txt", 0), 0)
	write(h, []byte("still here"), 0)
	simple(shares.Request{Op: shares.OpClose, Handle: h}, 0)

	if err := d.fs.Unmount(); err != nil {
		t.Fatal(err)
	}
	img := checkImage(t, dev)
	for name, want := range map[string]string{
		"new.bin":   string(big) + "tail",
		"old.txt":   "old contents\nmore\n",
		"trunc.txt": "to be",
		"moved.txt": "inner\n",
		"hard.txt":  "inner\n",
	} {
		if got := dump(t, img, name); got != want {
			t.Errorf("%s on the host: %d bytes, want %d", name, len(got), len(want))
		}
	}
	if b, _ := exec.Command("/usr/sbin/debugfs", "-R", "stat /link", img).CombinedOutput(); !strings.Contains(string(b), `Fast link dest: "moved.txt"`) {
		t.Errorf("link on the host:\n%s", b)
	}
}

// checkImage writes the device's contents to an image file and checks
// it with e2fsck -fn.
func checkImage(t *testing.T, dev *memDev) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "after.img")
	if err := os.WriteFile(img, dev.data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/usr/sbin/e2fsck", "-fn", img).CombinedOutput(); err != nil {
		t.Errorf("e2fsck -fn: %v\n%s", err, out)
	}
	return img
}

// dump returns file name of image img, as debugfs dumps it.
func dump(t *testing.T, img, name string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dump")
	if b, err := exec.Command("/usr/sbin/debugfs", "-R", "dump /"+name+" "+out, img).CombinedOutput(); err != nil {
		t.Fatalf("debugfs: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

// Writes to existing files through the service (overwrite, extend,
// append, O_TRUNC, truncate, chmod, utimensat, fsync) are on the image
// afterwards as debugfs reads it, and e2fsck finds it clean.
func TestDiskFileWrites(t *testing.T) {
	tree := t.TempDir()
	for name, data := range map[string]string{
		"f.txt": "0123456789", "log.txt": "one\n", "gone.txt": "all of this", "cut.txt": "keep this not", "big.bin": "",
	} {
		if err := os.WriteFile(filepath.Join(tree, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, dev := testDisk(t, tree, false)
	d := s.disks[3]
	if d.readOnly {
		t.Fatal("the disk is read-only")
	}
	do := func(r shares.Request) shares.Result {
		t.Helper()
		res, e := call(s, r)
		if e != 0 {
			t.Fatalf("%v %q: %v", r.Op, r.PathBytes(), e)
		}
		return res
	}
	open := func(path string, flags uint32) int32 {
		return do(pathReq(shares.OpOpen, shares.Root, path, flags)).Handle
	}
	write := func(h int32, data []byte, off int64) {
		t.Helper()
		r := shares.Request{Op: shares.OpWrite, Handle: h, Offset: off}
		r.Buf, r.Len = bufOf(data)
		if res := do(r); res.N != int64(len(data)) {
			t.Fatalf("write: %d of %d bytes", res.N, len(data))
		}
	}
	h := open("f.txt", linux.O_WRONLY)
	write(h, []byte("abc"), 2)
	write(h, []byte("XYZ"), 12) // past the end: a hole of two zeros
	do(shares.Request{Op: shares.OpFsync, Handle: h})
	do(shares.Request{Op: shares.OpClose, Handle: h})
	h = open("log.txt", linux.O_WRONLY|linux.O_APPEND)
	write(h, []byte("two\n"), 0)
	do(shares.Request{Op: shares.OpClose, Handle: h})
	h = open("gone.txt", linux.O_WRONLY|linux.O_TRUNC)
	do(shares.Request{Op: shares.OpClose, Handle: h})
	big := bytes.Repeat([]byte("coracle!"), 1<<17) // 1 MiB
	h = open("big.bin", linux.O_RDWR)
	write(h, big, 0)
	do(shares.Request{Op: shares.OpClose, Handle: h})
	tr := pathReq(shares.OpTruncate, shares.Root, "cut.txt", 0)
	tr.Offset = 4
	do(tr)
	ch := pathReq(shares.OpChmod, shares.Root, "f.txt", 0)
	ch.Mode = 0o600
	do(ch)
	ut := pathReq(shares.OpSetTimes, shares.Root, "f.txt", 0)
	ut.Len, ut.Mode = uint64(1_500_000_000*1e9+7), shares.OmitAtime // extra nsec field: 7<<2
	do(ut)
	if err := d.fs.Unmount(); err != nil {
		t.Fatal(err)
	}
	img := checkImage(t, dev)
	for name, want := range map[string]string{
		"f.txt": "01abc56789\x00\x00XYZ", "log.txt": "one\ntwo\n", "gone.txt": "", "cut.txt": "keep", "big.bin": string(big),
	} {
		if got := dump(t, img, name); got != want {
			t.Errorf("%s on the host: %q, want %q", name, limit(got), limit(want))
		}
	}
	st, _ := exec.Command("/usr/sbin/debugfs", "-R", "stat /f.txt", img).CombinedOutput()
	for _, want := range []string{"Mode:  0600", "mtime: 0x59682f00:0000001c"} {
		if !strings.Contains(string(st), want) {
			t.Errorf("f.txt's inode lacks %q:\n%s", want, st)
		}
	}
}

func limit(s string) string { return s[:min(len(s), 40)] }
