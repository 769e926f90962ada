package disks

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"syscall"

	"github.com/coracle-os/coracle/fs/ext4"
	svc "github.com/coracle-os/coracle/fs/service"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// errno is a Linux errno as an error: the file service's own type, so
// that the errors of its helpers (svc.CreateTarget) map as this
// package's do.
type errno = svc.Errno

// Errno implements svc.Backend: this package's errnos, fs/ext4's (its
// *Error's, EIO for a device's failure).
func (s *service) Errno(err error) uint32 {
	var e errno
	if errors.As(err, &e) {
		return uint32(e)
	}
	return uint32(ext4.ErrnoOf(err))
}

// handle is a file or directory the program has open on a disk.
type handle struct {
	disk   *disk
	ino    uint32
	comps  []string // its path from the disk's root (for directories: where relative paths start)
	inos   []uint32 // the inodes of comps
	dir    bool
	append bool
}

// Do implements svc.Backend: it carries out req, filling res.
func (s *service) Do(req *shares.Request, res *shares.Result) error {
	if req.Op == shares.OpClose {
		return s.close(req.Handle)
	}
	if int(req.Share) >= len(s.disks) || s.disks[req.Share] == nil {
		return errno(syscall.ENODEV)
	}
	d := s.disks[req.Share]
	switch req.Op {
	case shares.OpOpen:
		return s.open(req, res)
	case shares.OpStat:
		f, err := s.resolve(req, req.Dir, string(req.PathBytes()), req.Flags&linux.AT_SYMLINK_NOFOLLOW == 0)
		if err != nil {
			return err
		}
		if req.Flags&shares.StatAccess != 0 {
			if req.Mode&linux.X_OK != 0 && !f.isDir() && f.st.Mode&0o111 == 0 {
				return errno(syscall.EACCES)
			}
			if req.Mode&linux.W_OK != 0 && d.readOnly {
				return errno(syscall.EROFS)
			}
			return nil
		}
		res.Stat = statOf(f.st)
		return nil
	case shares.OpFstat:
		h, err := s.handle(req.Handle)
		if err != nil {
			return err
		}
		st, err := d.fs.Stat(h.ino)
		res.Stat = statOf(st)
		return err
	case shares.OpRead:
		return s.read(d, req, res)
	case shares.OpReaddir:
		return s.readdir(d, req, res)
	case shares.OpReadlink:
		f, err := s.resolve(req, req.Dir, string(req.PathBytes()), false)
		if err != nil {
			return err
		}
		if f.st.Mode&linux.S_IFMT != linux.S_IFLNK {
			return errno(syscall.EINVAL)
		}
		target, err := d.fs.Readlink(f.ino)
		if err != nil {
			return err
		}
		res.N = int64(copy(svc.UserBuf(req.Buf, req.Len), target))
		return nil
	case shares.OpFsync:
		h, err := s.handle(req.Handle)
		if err != nil || d.readOnly {
			return err // nothing of a read-only disk is waiting to be written
		}
		if req.Flags&shares.FsyncData != 0 {
			return d.fs.SyncData(h.ino)
		}
		return d.fs.Sync(h.ino)
	case shares.OpWrite:
		return s.write(d, req, res)
	case shares.OpFill:
		return s.fill(d, req, res)
	case shares.OpWriteback:
		return s.writeback(d, req, res)
	case shares.OpTruncate:
		return s.truncate(d, req, res)
	case shares.OpLink:
		return s.link(d, req)
	case shares.OpChmod, shares.OpSetTimes:
		return s.setAttr(d, req)
	case shares.OpMkdir, shares.OpUnlink, shares.OpRename, shares.OpSymlink:
		return s.change(d, req)
	}
	return errno(syscall.ENOSYS)
}

// change does the calls that make, remove or rename a name: each in
// the directory that holds the path's last component.
func (s *service) change(d *disk, req *shares.Request) error {
	dir, name, err := s.parent(req, req.Dir, string(req.PathBytes()))
	if err != nil {
		return err
	}
	if d.readOnly {
		return errno(syscall.EROFS)
	}
	switch req.Op {
	case shares.OpMkdir:
		if name == "" {
			return errno(syscall.EEXIST)
		}
		_, err = d.fs.Mkdir(dir.ino, name, req.Mode&0o7777, 0, 0)
	case shares.OpUnlink:
		switch {
		case name == "":
			return errno(syscall.EBUSY) // the disk's root
		case req.Flags&linux.AT_REMOVEDIR != 0:
			err = d.fs.Rmdir(dir.ino, name)
		default:
			err = d.fs.Unlink(dir.ino, name)
		}
	case shares.OpSymlink:
		if name == "" {
			return errno(syscall.EEXIST)
		}
		_, err = d.fs.Symlink(dir.ino, name, string(req.Path2Bytes()), 0, 0)
	case shares.OpRename:
		dir2, name2, perr := s.parent(req, req.Dir2, string(req.Path2Bytes()))
		if perr != nil {
			return perr
		}
		if name == "" || name2 == "" {
			return errno(syscall.EBUSY)
		}
		if req.Flags&^(linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE) != 0 {
			return errno(syscall.EINVAL)
		}
		err = d.fs.Rename(dir.ino, name, dir2.ino, name2, req.Flags)
	}
	return err
}

// target resolves the file a call names by path, or by handle when the
// path is empty (ftruncate, fchmod, futimens).
func (s *service) target(req *shares.Request, follow bool) (uint32, ext4.Stat, error) {
	if req.PathLen == 0 && req.Handle >= 0 {
		h, err := s.handle(req.Handle)
		if err != nil {
			return 0, ext4.Stat{}, err
		}
		st, err := h.disk.fs.Stat(h.ino)
		return h.ino, st, err
	}
	f, err := s.resolve(req, req.Dir, string(req.PathBytes()), follow)
	return f.ino, f.st, err
}

// truncate is truncate and ftruncate: Offset is the new size.
func (s *service) truncate(d *disk, req *shares.Request, res *shares.Result) error {
	ino, st, err := s.target(req, true)
	switch {
	case err != nil:
		return err
	case st.Mode&linux.S_IFMT == linux.S_IFDIR:
		return errno(syscall.EISDIR)
	case st.Mode&linux.S_IFMT != linux.S_IFREG:
		return errno(syscall.EINVAL)
	case d.readOnly:
		return errno(syscall.EROFS)
	}
	res.Stat.Ino = uint64(ino) // the kernel's page cache cuts the file's pages too
	return d.fs.Truncate(ino, req.Offset)
}

// setAttr is chmod (Mode) and utimensat (the access time Offset and the
// modification time Len, in ns, unless Mode omits them).
func (s *service) setAttr(d *disk, req *shares.Request) error {
	follow := req.Op == shares.OpChmod || req.Flags&linux.AT_SYMLINK_NOFOLLOW == 0
	ino, _, err := s.target(req, follow)
	switch {
	case err != nil:
		return err
	case d.readOnly:
		return errno(syscall.EROFS)
	}
	var a ext4.SetAttr
	if req.Op == shares.OpChmod {
		mode := req.Mode & 0o7777
		a.Mode = &mode
		return d.fs.SetAttr(ino, a)
	}
	ts := func(ns int64) *ext4.Timespec {
		sec, nsec := ns/1e9, ns%1e9
		if nsec < 0 {
			sec, nsec = sec-1, nsec+1e9
		}
		return &ext4.Timespec{Sec: sec, Nsec: uint32(nsec)}
	}
	if req.Mode&shares.OmitAtime == 0 {
		a.Atime = ts(req.Offset)
	}
	if req.Mode&shares.OmitMtime == 0 {
		a.Mtime = ts(int64(req.Len))
	}
	return d.fs.SetAttr(ino, a)
}

// link makes a hard link at Dir2, Path2 to the file at Dir, Path.
func (s *service) link(d *disk, req *shares.Request) error {
	old, err := s.resolve(req, req.Dir, string(req.PathBytes()), req.Flags&linux.AT_SYMLINK_FOLLOW != 0)
	if err != nil {
		return err
	}
	if old.isDir() {
		return errno(syscall.EPERM)
	}
	dir, name, err := s.parent(req, req.Dir2, string(req.Path2Bytes()))
	switch {
	case err != nil:
		return err
	case name == "":
		return errno(syscall.EEXIST)
	case d.readOnly:
		return errno(syscall.EROFS)
	}
	return d.fs.Link(old.ino, dir.ino, name)
}

// write writes the program's buffer at req.Offset, or at the end of the
// file for O_APPEND.
func (s *service) write(d *disk, req *shares.Request, res *shares.Result) error {
	h, err := s.handle(req.Handle)
	switch {
	case err != nil:
		return err
	case h.dir:
		return errno(syscall.EISDIR)
	case d.readOnly:
		return errno(syscall.EROFS)
	}
	off := req.Offset
	if h.append {
		st, err := d.fs.Stat(h.ino)
		if err != nil {
			return err
		}
		off = st.Size
	}
	n, err := d.fs.WriteAt(h.ino, svc.UserBuf(req.Buf, req.Len), off)
	if n > 0 {
		err = nil // a short write; the next one reports the error
	}
	res.N, res.Offset = int64(n), off+int64(n)
	return err
}

// open opens a file and keeps it as a new handle.
func (s *service) open(req *shares.Request, res *shares.Result) error {
	d := s.disks[req.Share]
	flags := req.Flags
	path := string(req.PathBytes())
	var f found
	var err error
	at := req.Dir
	if flags&(linux.O_CREAT|linux.O_EXCL|linux.O_NOFOLLOW) == linux.O_CREAT {
		if at, path, err = s.createTarget(req, at, path); err != nil {
			return err
		}
	}
	if flags&linux.O_CREAT != 0 {
		dir, name, perr := s.parent(req, at, path)
		if perr != nil {
			return perr
		}
		if name == "" {
			return errno(syscall.EISDIR)
		}
		_, lerr := d.fs.Lookup(dir.ino, name)
		switch {
		case lerr == nil && flags&linux.O_EXCL != 0:
			return errno(syscall.EEXIST)
		case lerr == nil:
			f, err = s.resolve(req, at, path, flags&linux.O_NOFOLLOW == 0)
		case s.Errno(lerr) == uint32(syscall.ENOENT):
			if strings.HasSuffix(path, "/") {
				return errno(syscall.EISDIR)
			}
			if d.readOnly {
				return errno(syscall.EROFS)
			}
			ino, cerr := d.fs.Create(dir.ino, name, linux.S_IFREG|req.Mode&0o7777, 0, 0)
			if cerr != nil {
				return cerr
			}
			st, cerr := d.fs.Stat(ino)
			if cerr != nil {
				return cerr
			}
			f = found{ino: ino, st: st, comps: append(dir.comps, name), inos: append(dir.inos, ino)}
		default:
			return lerr
		}
	} else {
		f, err = s.resolve(req, req.Dir, path, flags&linux.O_NOFOLLOW == 0)
	}
	if err != nil {
		return err
	}
	isDir := f.isDir()
	write := flags&linux.O_ACCMODE != linux.O_RDONLY
	switch {
	case f.st.Mode&linux.S_IFMT == linux.S_IFLNK && flags&linux.O_PATH == 0:
		return errno(syscall.ELOOP)
	case !isDir && flags&linux.O_DIRECTORY != 0:
		return errno(syscall.ENOTDIR)
	case isDir && (write || flags&linux.O_CREAT != 0):
		return errno(syscall.EISDIR)
	case flags&linux.O_PATH == 0 && (write || flags&linux.O_TRUNC != 0) && d.readOnly:
		return errno(syscall.EROFS)
	}
	if flags&linux.O_TRUNC != 0 && flags&linux.O_PATH == 0 && f.st.Mode&linux.S_IFMT == linux.S_IFREG && f.st.Size > 0 {
		if err := d.fs.Truncate(f.ino, 0); err != nil {
			return err
		}
	}
	d.fs.Hold(f.ino) // an unlinked file lives until its last close
	s.keep(&handle{disk: d, ino: f.ino, comps: f.comps, inos: f.inos, dir: isDir, append: flags&linux.O_APPEND != 0}, res)
	res.Stat = statOf(f.st) // its inode names the file for the kernel's locks
	return nil
}

// keep makes h a handle and puts it in res.
func (s *service) keep(h *handle, res *shares.Result) {
	res.Handle = s.handles.Add(h)
	if h.dir {
		res.PathLen = uint32(copy(res.Path[:], strings.Join(h.comps, "/")))
	}
}

func (s *service) handle(id int32) (*handle, error) {
	h, ok := s.handles.Get(id)
	if !ok {
		return nil, errno(syscall.EBADF)
	}
	return h, nil
}

func (s *service) close(id int32) error {
	h, ok := s.handles.Remove(id)
	if !ok {
		return errno(syscall.EBADF)
	}
	return h.disk.fs.Release(h.ino)
}

// read reads at req.Offset into the program's buffer, up to the end of
// the file.
func (s *service) read(d *disk, req *shares.Request, res *shares.Result) error {
	h, err := s.handle(req.Handle)
	if err != nil {
		return err
	}
	if h.dir {
		return errno(syscall.EISDIR)
	}
	n, err := d.fs.ReadAt(h.ino, svc.UserBuf(req.Buf, req.Len), req.Offset)
	if err == io.EOF || n > 0 {
		err = nil
	}
	res.N, res.Offset = int64(n), req.Offset+int64(n)
	return err
}

// fill reads a run of the file's pages for the kernel's page cache into
// the window the kernel mapped at req.Buf; what lies past the end of
// the file is zeros.
func (s *service) fill(d *disk, req *shares.Request, res *shares.Result) error {
	h, err := s.handle(req.Handle)
	if err != nil {
		return err
	}
	buf := svc.UserBuf(req.Buf, req.Len)
	n, err := d.fs.ReadAt(h.ino, buf, req.Offset)
	if err == io.EOF || err == nil {
		clear(buf[n:])
		err = nil
	}
	res.N = int64(n)
	return err
}

// writeback writes a run of the page cache's dirty pages home at
// req.Offset (never at the end: the kernel placed O_APPEND writes).
func (s *service) writeback(d *disk, req *shares.Request, res *shares.Result) error {
	h, err := s.handle(req.Handle)
	switch {
	case err != nil:
		return err
	case d.readOnly:
		return errno(syscall.EROFS)
	}
	n, err := d.fs.WriteAt(h.ino, svc.UserBuf(req.Buf, req.Len), req.Offset)
	res.N = int64(n)
	if err == nil && n < int(req.Len) {
		err = errno(syscall.EIO)
	}
	return err
}

// readdir fills the program's buffer with linux_dirent64 records from
// req.Offset (an entry's cookie, or 0) on; res.Offset is where the next
// call goes on.
func (s *service) readdir(d *disk, req *shares.Request, res *shares.Result) error {
	h, err := s.handle(req.Handle)
	if err != nil {
		return err
	}
	if !h.dir {
		return errno(syscall.ENOTDIR)
	}
	buf := svc.UserBuf(req.Buf, req.Len)
	const minRecord = 24 // a linux_dirent64 with a name of up to 4 bytes
	ents, err := d.fs.ReadDir(h.ino, uint64(req.Offset), len(buf)/minRecord+1)
	if err != nil && len(ents) == 0 {
		return err
	}
	n, off := 0, req.Offset
	for _, e := range ents {
		size := (19 + len(e.Name) + 1 + 7) &^ 7
		if n+size > len(buf) {
			break
		}
		rec := buf[n : n+size]
		binary.LittleEndian.PutUint64(rec[0:], uint64(e.Ino))
		binary.LittleEndian.PutUint64(rec[8:], e.Cookie)
		binary.LittleEndian.PutUint16(rec[16:], uint16(size))
		rec[18] = e.Type
		copy(rec[19:], e.Name)
		clear(rec[19+len(e.Name):])
		n += size
		off = int64(e.Cookie)
	}
	if n == 0 && len(ents) > 0 {
		return errno(syscall.EINVAL) // the buffer cannot hold one entry
	}
	res.N, res.Offset = int64(n), off
	return nil
}

// statOf is a file's attributes as the kernel reports them.
func statOf(st ext4.Stat) shares.Stat {
	ns := func(t ext4.Timespec) int64 { return t.Sec*1e9 + int64(t.Nsec) }
	return shares.Stat{
		Ino: st.Ino, Nlink: uint64(st.Nlink), Rdev: st.Rdev,
		Mode: st.Mode, UID: st.Uid, GID: st.Gid,
		Size: st.Size, Blocks: st.Blocks,
		Atime: ns(st.Atime), Mtime: ns(st.Mtime), Ctime: ns(st.Ctime),
	}
}
