package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// The file service's private calls (fs_share.go has the design).

// sysShareRegister (devcall.ShareRegister) makes an eventfd the file
// service's work descriptor and returns it.
func sysShareRegister(t *Thread, f *amd64.TrapFrame) uint64 {
	return registerWorkFD(&shareWorkFD)
}

// sysShareTake (devcall.ShareTake) copies the oldest queued request
// into the service's shares.Request at f.RDI; EAGAIN when there is none.
func sysShareTake(t *Thread, f *amd64.TrapFrame) uint64 {
	b, ok := userBytes(f.RDI, uint64(unsafe.Sizeof(shares.Request{})), true)
	if !ok || f.RDI%8 != 0 {
		return linux.EFAULT.Ret()
	}
	for i := range shareCloses {
		if c := shareCloses[i]; c != 0 {
			if s := shareSlotFree(); s != nil {
				shareCloses[i] = 0
				s.queueClose(c - 1)
			}
		}
	}
	for i := range shareSlots {
		s := &shareSlots[i]
		if s.state != slotQueued {
			continue
		}
		*(*shares.Request)(unsafe.Pointer(&b[0])) = s.req
		s.state = slotTaken
		return 0
	}
	return linux.EAGAIN.Ret()
}

// sysShareDone (devcall.ShareDone) ends the request the service's
// shares.Result at f.RDI names.
func sysShareDone(t *Thread, f *amd64.TrapFrame) uint64 {
	b, ok := userBytes(f.RDI, uint64(unsafe.Sizeof(shares.Result{})), false)
	if !ok || f.RDI%8 != 0 {
		return linux.EFAULT.Ret()
	}
	// Read in place: nothing else runs while the kernel does, and the
	// result is 4 KiB.
	res := (*shares.Result)(unsafe.Pointer(&b[0]))
	if uint64(res.ID) >= uint64(len(shareSlots)) || shareSlots[res.ID].state != slotTaken {
		return linux.EINVAL.Ret()
	}
	s := &shareSlots[res.ID]
	// The waiter, taken before finishShare, which may turn the slot
	// into a close of the handle an open made when no descriptor was
	// free: the open's thread must still be woken, with EMFILE.
	waiter := -1
	if s.done != doneNoWaiter {
		waiter = int(s.thread)
	}
	ret := finishShare(s, res)
	if waiter >= 0 {
		if w := &threads[waiter]; w.state == threadBlocked && w.wait == waitShare {
			wake(w, ret)
		}
	}
	if s.state == slotTaken {
		s.state = slotFree
	}
	wakeShareSlotWaiters()
	return 0
}

// The calls on shares, in the order of sys_path.go and sys_file.go.
// Each handler there passes a call on to one of these when the path
// leads into a share (sharePath) or the descriptor is open in one.

// sharePath reads the path at addr and reports whether, from dirfd, it
// leads into a share, and where (walker w).
func sharePath(w int, dirfd, addr uint64, follow bool) (shareTarget, bool) {
	if shareCount == 0 {
		return shareTarget{}, false
	}
	path, e := userPath(addr)
	if e != 0 {
		return shareTarget{}, false // the caller reports it
	}
	flags := vfs.Flags(0)
	if !follow {
		flags = vfs.NoFollow
	}
	return intoShare(w, dirfd, path, flags)
}

// shareOpen is openat on a share: the service opens (or makes) the file
// and the kernel makes the descriptor when it answers.
func shareOpen(t *Thread, f *amd64.TrapFrame, tg shareTarget, flags, mode uint32) uint64 {
	if flags&linux.O_TMPFILE == linux.O_TMPFILE {
		return linux.EOPNOTSUPP.Ret()
	}
	if shareReadOnly(tg.share, shares.OpOpen, flags) {
		return linux.EROFS.Ret()
	}
	return sharePathCall(t, f, shares.OpOpen, tg, flags, mode&^umask&0o7777, func(s *shareSlot) linux.Errno {
		s.done, s.cloexec = doneOpen, flags&linux.O_CLOEXEC != 0
		s.keep = flags&^(linux.O_CREAT|linux.O_EXCL|linux.O_NOCTTY|linux.O_TRUNC|linux.O_CLOEXEC) | linux.O_LARGEFILE
		return 0
	})
}

// shareStatPath is newfstatat on a share.
func shareStatPath(t *Thread, f *amd64.TrapFrame, tg shareTarget, buf uint64, flags uint32) uint64 {
	if _, ok := userStat(buf); !ok {
		return linux.EFAULT.Ret()
	}
	return sharePathCall(t, f, shares.OpStat, tg, flags&linux.AT_SYMLINK_NOFOLLOW, 0, func(s *shareSlot) linux.Errno {
		s.done, s.req.Buf = doneStat, buf
		return 0
	})
}

// shareReadlink is readlinkat on a share.
func shareReadlink(t *Thread, f *amd64.TrapFrame, tg shareTarget, buf, size uint64) uint64 {
	if int64(size) <= 0 {
		return linux.EINVAL.Ret()
	}
	if _, ok := userBytes(buf, size, true); !ok {
		return linux.EFAULT.Ret()
	}
	return sharePathCall(t, f, shares.OpReadlink, tg, 0, 0, func(s *shareSlot) linux.Errno {
		s.req.Buf, s.req.Len = buf, size
		return 0
	})
}

// shareSimple makes op, one that only succeeds or fails, on a share.
func shareSimple(t *Thread, f *amd64.TrapFrame, op shares.Op, tg shareTarget, flags, mode uint32, size int64) uint64 {
	if shareReadOnly(tg.share, op, flags) {
		return linux.EROFS.Ret()
	}
	return sharePathCall(t, f, op, tg, flags, mode, func(s *shareSlot) linux.Errno {
		s.req.Offset = size
		return 0
	})
}

// shareRename is renameat2 within one share or disk (EXDEV between it
// and anything else, as between two mounts). A disk's service takes
// RENAME_NOREPLACE and RENAME_EXCHANGE; 9P has no way to ask them.
func shareRename(t *Thread, f *amd64.TrapFrame, from, to shareTarget, flags uint32) uint64 {
	if from.share != to.share {
		return linux.EXDEV.Ret()
	}
	if flags != 0 && shareMounts[from.share].kind != shares.KindDisk {
		return linux.EINVAL.Ret() // RENAME_NOREPLACE and the rest: 9P has no way to ask
	}
	if shareReadOnly(from.share, shares.OpRename, 0) {
		return linux.EROFS.Ret()
	}
	return sharePathCall(t, f, shares.OpRename, from, flags, 0, func(s *shareSlot) linux.Errno {
		s.req.Dir2 = to.dir
		return s.setPath(2, to.rest)
	})
}

// shareSymlink is symlinkat with the new link in a share.
func shareSymlink(t *Thread, f *amd64.TrapFrame, tg shareTarget, target []byte) uint64 {
	if shareReadOnly(tg.share, shares.OpSymlink, 0) {
		return linux.EROFS.Ret()
	}
	return sharePathCall(t, f, shares.OpSymlink, tg, 0, 0, func(s *shareSlot) linux.Errno {
		return s.setPath(2, target)
	})
}

// shareAccess is faccessat2 on a share: the program is root, so the file
// must exist, be writable unless the share is read-only, and have an
// execute bit for X_OK (the service checks that from the mode).
func shareAccess(t *Thread, f *amd64.TrapFrame, tg shareTarget, mode, flags uint32) uint64 {
	if mode&linux.W_OK != 0 && shareMounts[tg.share].readOnly {
		return linux.EROFS.Ret()
	}
	return sharePathCall(t, f, shares.OpStat, tg, flags&linux.AT_SYMLINK_NOFOLLOW|shares.StatAccess, mode, nil)
}

// shareRead is read (pos < 0: at the file offset, which moves) and
// pread64 on a share file.
func shareRead(t *Thread, f *amd64.TrapFrame, fd uint64, d *openFile, buf, n uint64, pos int64, in bool) uint64 {
	if id := cacheID(d); id != 0 {
		return cacheRW(t, f, d, id, buf, n, pos, in)
	}
	switch {
	case d.Flags&linux.O_PATH != 0, in && !canRead(d), !in && !canWrite(d):
		return linux.EBADF.Ret()
	}
	if _, ok := userBytes(buf, n, in); !ok {
		return linux.EFAULT.Ret()
	}
	op, done := shares.OpRead, doneReturnN
	if !in {
		op = shares.OpWrite
	}
	if pos < 0 {
		done, pos = doneMoveOff, d.Off
	}
	return shareFileCall(t, f, op, fd, d, done, func(s *shareSlot) {
		s.req.Buf, s.req.Len, s.req.Offset = buf, n, pos
	})
}

// shareSeek is lseek on a share file: SEEK_END asks the service for the
// size.
func shareSeek(t *Thread, f *amd64.TrapFrame, fd uint64, d *openFile, off int64, whence uint64) uint64 {
	if d.Flags&linux.O_PATH != 0 {
		return linux.EBADF.Ret()
	}
	switch whence {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		off += d.Off
	case linux.SEEK_END:
		if id := cacheID(d); id != 0 {
			off += pcache.Size(id)
			break
		}
		return shareFileCall(t, f, shares.OpFstat, fd, d, doneSeekEnd, func(s *shareSlot) { s.req.Offset = off })
	default:
		return linux.EINVAL.Ret()
	}
	if off < 0 {
		return linux.EINVAL.Ret()
	}
	d.Off = off
	return uint64(off)
}

// shareGetdents is getdents64 on a share directory: the offset is the
// service's cookie.
func shareGetdents(t *Thread, f *amd64.TrapFrame, fd uint64, d *openFile, buf, n uint64) uint64 {
	if d.Flags&linux.O_PATH != 0 {
		return linux.EBADF.Ret()
	}
	if _, ok := userBytes(buf, n, true); !ok {
		return linux.EFAULT.Ret()
	}
	return shareFileCall(t, f, shares.OpReaddir, fd, d, doneMoveOff, func(s *shareSlot) {
		s.req.Buf, s.req.Len, s.req.Offset = buf, n, d.Off
	})
}

// shareFstat is fstat on a share file.
func shareFstat(t *Thread, f *amd64.TrapFrame, fd uint64, d *openFile, buf uint64) uint64 {
	if _, ok := userStat(buf); !ok {
		return linux.EFAULT.Ret()
	}
	return shareFileCall(t, f, shares.OpFstat, fd, d, doneStat, func(s *shareSlot) { s.req.Buf = buf })
}

// shareFileOp makes op, one that only succeeds or fails, on a share
// file: fsync, ftruncate (size) and fchmod (mode).
func shareFileOp(t *Thread, f *amd64.TrapFrame, op shares.Op, fd uint64, d *openFile, size int64, mode uint32) uint64 {
	if d.Flags&linux.O_PATH != 0 {
		return linux.EBADF.Ret()
	}
	if shareReadOnly(shareOfObj(d.Obj), op, 0) {
		return linux.EROFS.Ret()
	}
	return shareFileCall(t, f, op, fd, d, doneReturnN, func(s *shareSlot) { s.req.Offset, s.req.Mode = size, mode })
}

// renameInShares is rename with either path in a share: within one
// share the service renames; across a share's edge it is EXDEV.
func renameInShares(t *Thread, f *amd64.TrapFrame, odirfd, oaddr, ndirfd, naddr uint64, flags uint32) (uint64, bool) {
	from, inFrom := sharePath(0, odirfd, oaddr, false)
	to, inTo := sharePath(1, ndirfd, naddr, false)
	switch {
	case inFrom && inTo:
		return shareRename(t, f, from, to, flags), true
	case inFrom || inTo:
		return linux.EXDEV.Ret(), true
	}
	return 0, false
}

// symlinkInShare is symlinkat with the new link in a share.
func symlinkInShare(t *Thread, f *amd64.TrapFrame, tg shareTarget, taddr uint64) uint64 {
	target, e := userPath(taddr)
	if e != 0 {
		return e.Ret()
	}
	return shareSymlink(t, f, tg, target)
}

// linkInShares is linkat with either path in a share: within one share
// the service links; across a share's edge it is EXDEV.
func linkInShares(t *Thread, f *amd64.TrapFrame, odirfd, oaddr, ndirfd, naddr uint64, flags uint32) (uint64, bool) {
	from, inFrom := sharePath(0, odirfd, oaddr, flags&linux.AT_SYMLINK_FOLLOW != 0)
	to, inTo := sharePath(1, ndirfd, naddr, false)
	switch {
	case inFrom && inTo && from.share == to.share:
		if shareReadOnly(from.share, shares.OpLink, 0) {
			return linux.EROFS.Ret(), true
		}
		return sharePathCall(t, f, shares.OpLink, from, flags&linux.AT_SYMLINK_FOLLOW, 0, func(s *shareSlot) linux.Errno {
			s.req.Dir2 = to.dir
			return s.setPath(2, to.rest)
		}), true
	case inFrom || inTo:
		return linux.EXDEV.Ret(), true
	}
	return 0, false
}

// statxInShare is statx (checked flags) on a share's file: by path, or
// by descriptor with AT_EMPTY_PATH.
func statxInShare(t *Thread, f *amd64.TrapFrame, flags uint32) (uint64, bool) {
	if shareCount == 0 {
		return 0, false
	}
	buf := f.R8
	if flags&linux.AT_EMPTY_PATH != 0 {
		empty := f.RSI == 0
		if !empty {
			p, e := userPath(f.RSI)
			empty = e == 0 && len(p) == 0
		}
		if d := lookupFD(fdArg(f.RDI)); empty && d != nil && d.Kind == fdShare {
			if _, ok := userBytes(buf, uint64(unsafe.Sizeof(statxT{})), true); !ok {
				return linux.EFAULT.Ret(), true
			}
			return shareFileCall(t, f, shares.OpFstat, fdArg(f.RDI), d, doneStatx, func(s *shareSlot) { s.req.Buf = buf }), true
		}
	}
	if f.RSI == 0 {
		return 0, false
	}
	tg, ok := sharePath(0, f.RDI, f.RSI, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if !ok {
		return 0, false
	}
	if _, ok := userBytes(buf, uint64(unsafe.Sizeof(statxT{})), true); !ok {
		return linux.EFAULT.Ret(), true
	}
	return sharePathCall(t, f, shares.OpStat, tg, flags&linux.AT_SYMLINK_NOFOLLOW, 0, func(s *shareSlot) linux.Errno {
		s.done, s.req.Buf = doneStatx, buf
		return 0
	}), true
}

// shareVectoredAt is preadv and pwritev at offset off on a share file:
// one buffer per call, the first that is not empty (a short transfer).
func shareVectoredAt(t *Thread, f *amd64.TrapFrame, d *openFile, in bool, off int64) uint64 {
	iov, e := loadIOV(f.RSI, f.RDX)
	if e != 0 {
		return e.Ret()
	}
	if _, ok := iov.total(); !ok {
		return linux.EINVAL.Ret()
	}
	for i := range iov.vecs {
		if v := iov.vecs[i]; v.len > 0 {
			return shareRead(t, f, f.RDI, d, v.base, v.len, off, in)
		}
	}
	return 0
}

// utimesInShare is utimensat (checked flags, times worked out) on a
// share's file: by path, or by descriptor with a NULL path.
func utimesInShare(t *Thread, f *amd64.TrapFrame, flags uint32, times [2]int64, omit [2]bool) (uint64, bool) {
	if shareCount == 0 {
		return 0, false
	}
	mode := uint32(0)
	if omit[0] {
		mode |= shares.OmitAtime
	}
	if omit[1] {
		mode |= shares.OmitMtime
	}
	fill := func(s *shareSlot) { s.req.Offset, s.req.Len, s.req.Mode = times[0], uint64(times[1]), mode }
	if f.RSI == 0 {
		d := lookupFD(fdArg(f.RDI))
		if d == nil || d.Kind != fdShare {
			return 0, false
		}
		if shareReadOnly(shareOfObj(d.Obj), shares.OpSetTimes, 0) {
			return linux.EROFS.Ret(), true
		}
		return shareFileCall(t, f, shares.OpSetTimes, fdArg(f.RDI), d, doneReturnN, fill), true
	}
	tg, ok := sharePath(0, f.RDI, f.RSI, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if !ok {
		return 0, false
	}
	if shareReadOnly(tg.share, shares.OpSetTimes, 0) {
		return linux.EROFS.Ret(), true
	}
	return sharePathCall(t, f, shares.OpSetTimes, tg, flags&linux.AT_SYMLINK_NOFOLLOW, mode, func(s *shareSlot) linux.Errno {
		fill(s)
		return 0
	}), true
}

// shareMmap is mmap of a share file: MAP_PRIVATE only, as a copy read
// into new anonymous memory when the call is made (the file's later
// changes do not show, and pages past its end read zeros instead of
// raising SIGBUS); MAP_SHARED answers ENODEV.
func shareMmap(t *Thread, f *amd64.TrapFrame, fd uint64, d *openFile, addr, length, prot, flags, off uint64) uint64 {
	switch {
	case d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	case flags&linux.MAP_TYPE != linux.MAP_PRIVATE:
		if flags&linux.MAP_TYPE == linux.MAP_SHARED || flags&linux.MAP_TYPE == linux.MAP_SHARED_VALIDATE {
			return linux.ENODEV.Ret()
		}
		return linux.EINVAL.Ret()
	case !canRead(d):
		return linux.EACCES.Ret()
	case prot&^(linux.PROT_READ|linux.PROT_WRITE|linux.PROT_EXEC) != 0, length == 0, int64(off) < 0:
		return linux.EINVAL.Ret()
	case shareWorkFD < 0:
		return linux.ENODEV.Ret()
	}
	length = (length + 4095) &^ 4095
	fixed := flags&(linux.MAP_FIXED|linux.MAP_FIXED_NOREPLACE) != 0
	if flags&linux.MAP_FIXED_NOREPLACE != 0 {
		if gap, kernel := vmas.Coverage(addr, addr+length); !gap || kernel {
			return linux.EEXIST.Ret()
		}
	}
	if !canCommit(addr, length, true) { // every page is written now
		return linux.ENOMEM.Ret()
	}
	s := shareSlotFor(t, f)
	if s == nil {
		return f.RAX
	}
	got, e := vmas.MapFile(addr, length, mm.Prot(linux.PROT_READ|linux.PROT_WRITE), fixed, mm.Backing{})
	if e != 0 {
		s.state = slotFree
		return linux.Errno(e).Ret()
	}
	if fixed {
		discard(got, got+length)
		releaseUnmappedFiles()
	}
	s.req.Dir, s.req.Handle, s.req.Flags = shares.Root, handleOfObj(d.Obj), d.Flags
	s.done, s.fd, s.obj, s.keep = doneMmap, int32(fd), d.Obj, uint32(prot)
	s.req.Buf, s.req.Len, s.req.Offset = got, length, int64(off)
	return s.post(t, shares.OpRead, shareOfObj(d.Obj))
}

// shareChdir is chdir (and fchdir) into a share: the service opens the
// directory (O_PATH), and its handle becomes the working directory.
func shareChdir(t *Thread, f *amd64.TrapFrame, tg shareTarget) uint64 {
	return sharePathCall(t, f, shares.OpOpen, tg, linux.O_PATH|linux.O_DIRECTORY, 0, func(s *shareSlot) linux.Errno {
		s.done = doneChdir
		return 0
	})
}

// getcwdInShare is getcwd while the working directory is in a share.
func getcwdInShare(buf, size uint64) uint64 {
	n := cwdSharePathLen
	if size < uint64(n+1) {
		return linux.ERANGE.Ret()
	}
	b, ok := userBytes(buf, uint64(n+1), true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	copy(b, cwdSharePath[:n])
	b[n] = 0
	return uint64(n + 1)
}
