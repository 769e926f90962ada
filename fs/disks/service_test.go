package disks

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// testDisk makes an ext4 image of tree with the host's mkfs.ext4 -d and
// opens it as the disk mounted at /mnt/d (mount index 3), read-only or
// not, and returns the service and the disk's device.
func testDisk(t *testing.T, tree string, readOnly bool) (*service, *memDev) {
	t.Helper()
	mkfs, err := exec.LookPath("mkfs.ext4")
	if err != nil {
		if mkfs, err = exec.LookPath("/usr/sbin/mkfs.ext4"); err != nil {
			t.Skip("no mkfs.ext4 (e2fsprogs)")
		}
	}
	img := filepath.Join(t.TempDir(), "disk.img")
	out, err := exec.Command(mkfs, "-q", "-F", "-b", "4096", "-d", tree, img, "16M").CombinedOutput()
	if err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	dev := &memDev{data: data, bs: 512}
	d, err := openDisk(dev, "/mnt/d", readOnly)
	if err != nil {
		t.Fatal(err)
	}
	s := newService()
	s.disks[3] = d
	return s, dev
}

// call makes one request on mount 3 and returns the result and errno.
func call(s *service, req shares.Request) (shares.Result, syscall.Errno) {
	req.Share = 3
	var res shares.Result
	if err := s.Do(&req, &res); err != nil {
		return res, syscall.Errno(s.Errno(err))
	}
	return res, 0
}

func pathReq(op shares.Op, dir int32, path string, flags uint32) shares.Request {
	r := shares.Request{Op: op, Dir: dir, Handle: -1, Flags: flags}
	r.PathLen = uint32(copy(r.Path[:], path))
	return r
}

func bufOf(b []byte) (uint64, uint64) { return uint64(uintptr(unsafe.Pointer(&b[0]))), uint64(len(b)) }

func TestDiskService(t *testing.T) {
	tree := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(tree, "a/b"), 0o755))
	must(os.WriteFile(filepath.Join(tree, "a/b/f.txt"), []byte("hello"), 0o640))
	must(os.Symlink("b/f.txt", filepath.Join(tree, "a/rel")))
	must(os.Symlink("/mnt/d/a/b", filepath.Join(tree, "abs")))
	must(os.Symlink("/etc/passwd", filepath.Join(tree, "out")))
	must(os.Symlink("loop", filepath.Join(tree, "loop")))
	must(os.MkdirAll(filepath.Join(tree, "many"), 0o755))
	for i := range 500 {
		must(os.WriteFile(filepath.Join(tree, "many", fmt.Sprintf("entry-%04d", i)), nil, 0o644))
	}
	s, _ := testDisk(t, tree, true)

	for _, c := range []struct {
		path   string
		follow bool
		size   int64
		errno  syscall.Errno
	}{
		{"a/b/f.txt", true, 5, 0},
		{"a/rel", true, 5, 0},
		{"a/rel", false, 7, 0},
		{"abs/f.txt", true, 5, 0},
		{"a/b/../../a/./b/f.txt", true, 5, 0},
		{"../../a/b/f.txt", true, 5, 0}, // ".." stops at the root
		{"out", true, 0, syscall.EXDEV},
		{"loop", true, 0, syscall.ELOOP},
		{"a/b/f.txt/", true, 0, syscall.ENOTDIR},
		{"a/b/f.txt/x", true, 0, syscall.ENOTDIR},
		{"a/nothing", true, 0, syscall.ENOENT},
	} {
		flags := uint32(0)
		if !c.follow {
			flags = linux.AT_SYMLINK_NOFOLLOW
		}
		res, e := call(s, pathReq(shares.OpStat, shares.Root, c.path, flags))
		if e != c.errno || e == 0 && res.Stat.Size != c.size {
			t.Errorf("stat %q (follow %v) = size %d, %v; want %d, %v", c.path, c.follow, res.Stat.Size, e, c.size, c.errno)
		}
	}

	// Open a directory, then a file relative to it, and read it.
	res, e := call(s, pathReq(shares.OpOpen, shares.Root, "abs", linux.O_DIRECTORY))
	if e != 0 || string(res.PathBytes()) != "a/b" {
		t.Fatalf("open abs: %v, path %q", e, res.PathBytes())
	}
	dir := res.Handle
	res, e = call(s, pathReq(shares.OpOpen, dir, "f.txt", 0))
	if e != 0 {
		t.Fatalf("open f.txt: %v", e)
	}
	buf := make([]byte, 100)
	r := shares.Request{Op: shares.OpRead, Handle: res.Handle, Offset: 1}
	r.Buf, r.Len = bufOf(buf)
	if res, e := call(s, r); e != 0 || string(buf[:res.N]) != "ello" || res.Offset != 5 {
		t.Errorf("read = %q, offset %d, %v", buf[:res.N], res.Offset, e)
	}
	if _, e := call(s, pathReq(shares.OpOpen, dir, "..", 0)); e != 0 {
		t.Errorf("open .. from a/b: %v", e)
	}

	// On a read-only disk changes fail with EROFS; a missing parent
	// still fails first.
	for _, c := range []struct {
		req   shares.Request
		errno syscall.Errno
	}{
		{pathReq(shares.OpOpen, shares.Root, "new", linux.O_CREAT|linux.O_WRONLY), syscall.EROFS},
		{pathReq(shares.OpOpen, shares.Root, "a/b/f.txt", linux.O_WRONLY), syscall.EROFS},
		{pathReq(shares.OpOpen, shares.Root, "a/b/f.txt", linux.O_CREAT|linux.O_EXCL), syscall.EEXIST},
		{pathReq(shares.OpMkdir, shares.Root, "x", 0), syscall.EROFS},
		{pathReq(shares.OpMkdir, shares.Root, "nope/x", 0), syscall.ENOENT},
		{pathReq(shares.OpUnlink, shares.Root, "a/b/f.txt", 0), syscall.EROFS},
		{pathReq(shares.OpOpen, shares.Root, "a", linux.O_RDWR), syscall.EISDIR},
	} {
		if _, e := call(s, c.req); e != c.errno {
			t.Errorf("%v %q: %v, want %v", c.req.Op, c.req.PathBytes(), e, c.errno)
		}
	}

	// Read the big directory with a small buffer, across many calls.
	res, e = call(s, pathReq(shares.OpOpen, shares.Root, "many", linux.O_DIRECTORY))
	if e != 0 {
		t.Fatal(e)
	}
	var names []string
	dbuf := make([]byte, 300)
	off := int64(0)
	for calls := 0; ; calls++ {
		r := shares.Request{Op: shares.OpReaddir, Handle: res.Handle, Offset: off}
		r.Buf, r.Len = bufOf(dbuf)
		got, e := call(s, r)
		if e != 0 {
			t.Fatal(e)
		}
		if got.N == 0 {
			break
		}
		for p := 0; p < int(got.N); {
			reclen := int(binary.LittleEndian.Uint16(dbuf[p+16:]))
			name := dbuf[p+19 : p+reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			names = append(names, string(name))
			p += reclen
		}
		off = got.Offset
	}
	sort.Strings(names)
	if len(names) != 502 || names[0] != "." || names[1] != ".." || names[2] != "entry-0000" || names[501] != "entry-0499" {
		t.Errorf("readdir gave %d names: %v ... ", len(names), names[:min(5, len(names))])
	}
	if _, e := call(s, shares.Request{Op: shares.OpClose, Handle: res.Handle}); e != 0 {
		t.Errorf("close: %v", e)
	}
	if _, e := call(s, shares.Request{Op: shares.OpFstat, Handle: res.Handle}); !errors.Is(e, syscall.EBADF) {
		t.Errorf("fstat after close: %v", e)
	}
}
