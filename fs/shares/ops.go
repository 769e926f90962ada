package shares

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"syscall"

	p9linux "github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"

	svc "github.com/coracle-os/coracle/fs/service"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// errno is a Linux errno as an error: the file service's own type, so
// that the errors of its helpers (svc.CreateTarget) map as this
// package's do.
type errno = svc.Errno

// errnoOf is the Linux errno for err: the server's own, or EIO.
func errnoOf(err error) uint32 {
	var e errno
	if errors.As(err, &e) {
		return uint32(e)
	}
	return uint32(p9linux.ExtractErrno(err))
}

// Errno implements svc.Backend.
func (s *service) Errno(err error) uint32 { return errnoOf(err) }

// Do implements svc.Backend: it carries out req, filling res.
func (s *service) Do(req *shares.Request, res *shares.Result) error {
	if req.Op == shares.OpClose {
		return s.close(req.Handle)
	}
	if int(req.Share) >= len(s.shares) || s.shares[req.Share] == nil || s.shares[req.Share].root == nil {
		return errno(syscall.ENODEV)
	}
	switch req.Op {
	case shares.OpOpen:
		return s.open(req, res)
	case shares.OpStat:
		f, err := s.resolve(req, req.Dir, string(req.PathBytes()), req.Flags&0x100 == 0) // AT_SYMLINK_NOFOLLOW
		if err != nil {
			return err
		}
		f.file.Close()
		attr := f.attr
		if req.Flags&shares.StatAccess != 0 {
			const xOK = 1
			if req.Mode&xOK != 0 && attr.Mode.FileType() != p9.ModeDirectory && attr.Mode&0o111 == 0 {
				return errno(syscall.EACCES)
			}
			return nil
		}
		res.Stat = statOf(attr, f.ino)
		return nil
	case shares.OpFstat:
		h, err := s.handle(req.Handle)
		if err != nil {
			return err
		}
		qid, _, attr, err := h.file.GetAttr(p9.AttrMaskAll)
		res.Stat = statOf(attr, qid.Path)
		return err
	case shares.OpRead, shares.OpWrite:
		return s.readWrite(req, res)
	case shares.OpReaddir:
		return s.readdir(req, res)
	case shares.OpReadlink:
		f, _, err := s.walk(req, string(req.PathBytes()), false)
		if err != nil {
			return err
		}
		defer f.Close()
		target, err := f.Readlink()
		if err != nil {
			return err
		}
		res.N = int64(copy(svc.UserBuf(req.Buf, req.Len), target))
		return nil
	case shares.OpFsync:
		h, err := s.handle(req.Handle)
		if err != nil {
			return err
		}
		return h.file.FSync()
	case shares.OpTruncate, shares.OpChmod, shares.OpSetTimes:
		var f p9.File
		if req.PathLen == 0 && req.Handle >= 0 {
			h, err := s.handle(req.Handle)
			if err != nil {
				return err
			}
			f = h.file
		} else {
			follow := req.Op != shares.OpSetTimes || req.Flags&0x100 == 0 // AT_SYMLINK_NOFOLLOW
			w, attr, err := s.walk(req, string(req.PathBytes()), follow)
			if err != nil {
				return err
			}
			defer w.Close()
			if req.Op == shares.OpTruncate && attr.Mode.FileType() == p9.ModeDirectory {
				return errno(syscall.EISDIR)
			}
			f = w
		}
		switch req.Op {
		case shares.OpTruncate:
			return f.SetAttr(p9.SetAttrMask{Size: true}, p9.SetAttr{Size: uint64(req.Offset)})
		case shares.OpSetTimes:
			var mask p9.SetAttrMask
			var attr p9.SetAttr
			if req.Mode&shares.OmitAtime == 0 {
				mask.ATime, mask.ATimeNotSystemTime = true, true
				attr.ATimeSeconds, attr.ATimeNanoSeconds = uint64(req.Offset/1e9), uint64(req.Offset%1e9)
			}
			if req.Mode&shares.OmitMtime == 0 {
				mtime := int64(req.Len)
				mask.MTime, mask.MTimeNotSystemTime = true, true
				attr.MTimeSeconds, attr.MTimeNanoSeconds = uint64(mtime/1e9), uint64(mtime%1e9)
			}
			return f.SetAttr(mask, attr)
		}
		return f.SetAttr(p9.SetAttrMask{Permissions: true}, p9.SetAttr{Permissions: p9.FileMode(req.Mode)})
	case shares.OpLink:
		return s.link(req)
	}
	return s.change(req)
}

// change does the calls that make, remove or rename a name: each in
// the directory that holds the path's last component.
func (s *service) change(req *shares.Request) error {
	dir, name, err := s.parent(req, req.Dir, string(req.PathBytes()))
	if err != nil {
		return err
	}
	defer dir.Close()
	switch req.Op {
	case shares.OpMkdir:
		if name == "" {
			return errno(syscall.EEXIST)
		}
		_, err = dir.Mkdir(name, p9.FileMode(req.Mode), 0, 0)
	case shares.OpUnlink:
		if name == "" {
			return errno(syscall.EBUSY) // the share's root
		}
		err = dir.UnlinkAt(name, req.Flags)
	case shares.OpSymlink:
		if name == "" {
			return errno(syscall.EEXIST)
		}
		_, err = dir.Symlink(string(req.Path2Bytes()), name, 0, 0)
	case shares.OpRename:
		var dir2 p9.File
		var name2 string
		dir2, name2, err = s.parent(req, req.Dir2, string(req.Path2Bytes()))
		if err != nil {
			return err
		}
		defer dir2.Close()
		if name == "" || name2 == "" {
			return errno(syscall.EBUSY)
		}
		err = dir.RenameAt(name, dir2, name2)
	default:
		return errno(syscall.ENOSYS)
	}
	return err
}

// link makes a hard link at Dir2, Path2 to the file at Dir, Path.
func (s *service) link(req *shares.Request) error {
	const atSymlinkFollow = 0x400
	old, err := s.resolve(req, req.Dir, string(req.PathBytes()), req.Flags&atSymlinkFollow != 0)
	if err != nil {
		return err
	}
	defer old.file.Close()
	if old.attr.Mode.FileType() == p9.ModeDirectory {
		return errno(syscall.EPERM)
	}
	dir, name, err := s.parent(req, req.Dir2, string(req.Path2Bytes()))
	if err != nil {
		return err
	}
	defer dir.Close()
	if name == "" {
		return errno(syscall.EEXIST)
	}
	return dir.Link(old.file, name)
}

// open opens (or makes) a file and keeps it as a new handle.
func (s *service) open(req *shares.Request, res *shares.Result) error {
	const (
		oCreat     = 0x40
		oExcl      = 0x80
		oTrunc     = 0x200
		oAppend    = 0x400
		oDirectory = 0x10000
		oNofollow  = 0x20000
		oPath      = 0x200000
	)
	flags := req.Flags
	path := string(req.PathBytes())
	var f p9.File
	var attr p9.Attr
	var comps []string
	var err error
	at := req.Dir
	if flags&(oCreat|oExcl|oNofollow) == oCreat {
		if at, path, err = s.createTarget(req, at, path); err != nil {
			return err
		}
	}
	if flags&oCreat != 0 {
		dir, name, perr := s.parent(req, at, path)
		if perr != nil {
			return perr
		}
		defer dir.Close()
		if name == "" {
			return errno(syscall.EISDIR)
		}
		_, f, _, attr, err = dir.WalkGetAttr([]string{name})
		switch {
		case err == nil && flags&oExcl != 0:
			f.Close()
			return errno(syscall.EEXIST)
		case err == nil && attr.Mode.FileType() == p9.ModeSymlink && flags&oNofollow != 0:
			f.Close()
			return errno(syscall.ELOOP)
		case err == nil && attr.Mode.FileType() == p9.ModeSymlink:
			f.Close()
			var r found
			r, err = s.resolve(req, at, path, true)
			f, attr, comps = r.file, r.attr, r.comps
		case errnoOf(err) == uint32(syscall.ENOENT):
			if strings.HasSuffix(path, "/") {
				return errno(syscall.EISDIR)
			}
			_, clone, cerr := dir.Walk(nil)
			if cerr != nil {
				return cerr
			}
			created, _, _, cerr := clone.Create(name, p9.OpenFlags(flags&^(oCreat|oExcl|oDirectory|oNofollow)), p9.FileMode(req.Mode), 0, 0)
			if cerr != nil {
				clone.Close()
				return cerr
			}
			return s.keep(int(req.Share), created, nil, false, flags&oAppend != 0, res)
		}
		if err != nil {
			return err
		}
	} else {
		r, err := s.resolve(req, req.Dir, path, flags&oNofollow == 0)
		if err != nil {
			return err
		}
		f, attr, comps = r.file, r.attr, r.comps
	}
	isDir := attr.Mode.FileType() == p9.ModeDirectory
	switch {
	case attr.Mode.FileType() == p9.ModeSymlink && flags&oPath == 0:
		f.Close()
		return errno(syscall.ELOOP)
	case !isDir && flags&oDirectory != 0:
		f.Close()
		return errno(syscall.ENOTDIR)
	case isDir && (flags&3 != 0 || flags&oCreat != 0):
		f.Close()
		return errno(syscall.EISDIR)
	}
	if flags&oPath == 0 {
		if _, _, err := f.Open(p9.OpenFlags(flags & (3 | oTrunc | oAppend))); err != nil {
			f.Close()
			return err
		}
	}
	return s.keep(int(req.Share), f, comps, isDir, flags&oAppend != 0, res)
}

// keep makes f a handle and puts it in res.
func (s *service) keep(share int, f p9.File, comps []string, dir, appendOnly bool, res *shares.Result) error {
	res.Handle = s.handles.Add(&handle{share: share, file: f, comps: comps, dir: dir, append: appendOnly})
	if dir {
		res.PathLen = uint32(copy(res.Path[:], strings.Join(comps, "/")))
	}
	return nil
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
	return h.file.Close()
}

// readWrite reads or writes at req.Offset (the end, for O_APPEND) until
// done, the end of the file, or an error after some bytes.
func (s *service) readWrite(req *shares.Request, res *shares.Result) error {
	h, err := s.handle(req.Handle)
	if err != nil {
		return err
	}
	if h.dir {
		return errno(syscall.EISDIR)
	}
	buf := svc.UserBuf(req.Buf, req.Len)
	off := req.Offset
	if req.Op == shares.OpWrite && h.append {
		_, _, attr, err := h.file.GetAttr(p9.AttrMask{Size: true})
		if err != nil {
			return err
		}
		off = int64(attr.Size)
	}
	done := 0
	for done < len(buf) {
		var n int
		if req.Op == shares.OpRead {
			n, err = h.file.ReadAt(buf[done:], off+int64(done))
		} else {
			n, err = h.file.WriteAt(buf[done:], off+int64(done))
		}
		done += n
		if err != nil || n == 0 {
			break
		}
	}
	if err == io.EOF || done > 0 {
		err = nil
	}
	res.N, res.Offset = int64(done), off+int64(done)
	return err
}

// readdir fills the program's buffer with linux_dirent64 records from
// req.Offset on; res.Offset is where the next call goes on.
func (s *service) readdir(req *shares.Request, res *shares.Result) error {
	h, err := s.handle(req.Handle)
	if err != nil {
		return err
	}
	if !h.dir {
		return errno(syscall.ENOTDIR)
	}
	buf := svc.UserBuf(req.Buf, req.Len)
	ents, err := h.entries(uint64(req.Offset))
	if err != nil {
		return err
	}
	n, off := 0, req.Offset
	for _, e := range ents {
		size := (19 + len(e.Name) + 1 + 7) &^ 7
		if n+size > len(buf) {
			break
		}
		rec := buf[n : n+size]
		binary.LittleEndian.PutUint64(rec[0:], e.QID.Path)
		binary.LittleEndian.PutUint64(rec[8:], e.Offset)
		binary.LittleEndian.PutUint16(rec[16:], uint16(size))
		rec[18] = direntType(e)
		copy(rec[19:], e.Name)
		clear(rec[19+len(e.Name):])
		n += size
		off = int64(e.Offset)
	}
	if n == 0 && len(ents) > 0 {
		return errno(syscall.EINVAL) // the buffer cannot hold one entry
	}
	h.keepEntries(uint64(off), ents)
	res.N, res.Offset = int64(n), off
	return nil
}

// readdirAsk is how many bytes of entries one 9P readdir asks for: a
// whole message's worth, more than a program's getdents64 buffer
// usually holds; the rest waits in the handle for the next call.
const readdirAsk = 60 << 10

// entries returns the directory's entries from offset on: those a
// previous call read and did not hand out, if it stopped there, or a
// new 9P readdir's.
func (h *handle) entries(offset uint64) ([]p9.Dirent, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.pending) > 0 && h.pendingFrom == offset {
		return h.pending, nil
	}
	return h.file.Readdir(offset, readdirAsk)
}

// keepEntries keeps the entries of ents after the one at offset off for
// the next call, which goes on from off.
func (h *handle) keepEntries(off uint64, ents []p9.Dirent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending, h.pendingFrom = nil, off
	for i, e := range ents {
		if e.Offset == off {
			h.pending = ents[i+1:]
			return
		}
	}
	if off == 0 || len(ents) == 0 {
		h.pending = ents // nothing handed out yet
	}
}

// direntType is an entry's d_type: a 9P2000.L server sends Linux's
// (QEMU does), else it follows from the entry's QID.
func direntType(e p9.Dirent) uint8 {
	switch {
	case e.Type != 0:
		return uint8(e.Type)
	case e.QID.Type&p9.TypeDir != 0:
		return syscall.DT_DIR
	case e.QID.Type&p9.TypeSymlink != 0:
		return syscall.DT_LNK
	}
	return syscall.DT_REG
}

// statOf is a file's attributes as the kernel reports them.
func statOf(a p9.Attr, ino uint64) shares.Stat {
	return shares.Stat{
		Ino: ino, Nlink: uint64(a.NLink), Rdev: uint64(a.RDev),
		Mode: uint32(a.Mode), UID: uint32(a.UID), GID: uint32(a.GID),
		Size: int64(a.Size), Blocks: int64(a.Blocks),
		Atime: int64(a.ATimeSeconds)*1e9 + int64(a.ATimeNanoSeconds),
		Mtime: int64(a.MTimeSeconds)*1e9 + int64(a.MTimeNanoSeconds),
		Ctime: int64(a.CTimeSeconds)*1e9 + int64(a.CTimeNanoSeconds),
	}
}
