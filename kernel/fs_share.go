package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// Service mounts: shared host directories (coracle run -v) and disks
// (coracle run --disk). Each is mounted on a directory of the root file
// system, named by a coracle.share or coracle.disk word of the command
// line; both kinds share one table (shareMounts) and one index space,
// and the kernel treats them alike: it knows neither 9P nor ext4. A
// call whose path leads into a mount, or that is made on a descriptor
// open in one, cannot be answered in trap context: the kernel queues a
// shares.Request, parks the thread (waitShare) and rings the services'
// work descriptor; the request loop (fs/service, a goroutine) takes the
// request (sysShareTake), has the mount's backend do it (fs/shares over
// 9P, fs/disks over ext4), and hands back a shares.Result
// (sysShareDone), with which the kernel finishes the call and wakes the
// thread. Requests wait in shareSlots; a call that finds none free
// waits for one (waitShareSlot) and is made again. "Share" in the names
// below means any service mount.
//
// A thread parked here is not interrupted by signals, as a Linux thread
// in a local file system's call is not.

// maxShareRequests is how many calls may wait for the service at once.
const maxShareRequests = 16

// shareMount is one service mount's mount point.
type shareMount struct {
	ino      tmpfs.Ino
	kind     shares.Kind
	readOnly bool
}

// Request slot states.
const (
	slotFree uint8 = iota
	slotQueued
	slotTaken // the service has it
)

// Completions: what the kernel does with a slot's result, besides
// waking its thread with Result.N or the errno.
const (
	doneReturnN  uint8 = iota // return N
	doneOpen                  // make a descriptor for Result.Handle
	doneStat                  // store Result.Stat at Request.Buf
	doneMoveOff               // return N, and Result.Offset becomes fd's offset
	doneSeekEnd               // fd's offset becomes Result.Stat.Size + Request.Offset
	doneStatx                 // store Result.Stat as a struct statx at Request.Buf
	doneNoWaiter              // nobody waits (close)
	doneChdir                 // the working directory becomes the opened directory Result.Handle
	doneMmap                  // a read into a new private mapping at Request.Buf: give it the protection in keep, return its address
	doneTransfer              // a page cache transfer (fs_cache.go): end it, make the call again
)

// shareSlot is a queued or taken request.
type shareSlot struct {
	state   uint8
	done    uint8
	cloexec bool
	thread  int16 // the waiting thread's slot
	fd      int32 // the descriptor a doneMoveOff or doneSeekEnd call moves
	obj     int32 // and its description's Obj when the call was made
	keep    uint32
	req     shares.Request
}

// shareObj packs a share and a service handle into a description's Obj.
func shareObj(share int, handle int32) int32 { return int32(share)<<24 | handle&0xffffff }

func shareOfObj(obj int32) int    { return int(obj >> 24) }
func handleOfObj(obj int32) int32 { return obj & 0xffffff }
func shareOfIno(ino tmpfs.Ino) int {
	for i := range shareCount {
		if shareMounts[i].ino == ino {
			return i
		}
	}
	return -1
}

// setupShareMemory gives shareSlots and pcBounce their memory, in frames
// of their own, once the command line names a share or disk. Without one
// no file service runs, so neither is ever touched, and they stay empty:
// they took 190 KiB of every image when they were fixed arrays.
//
// Boot path: no allocation.
func setupShareMemory() {
	slotBytes := uint64(maxShareRequests) * uint64(unsafe.Sizeof(shareSlot{}))
	shareSlots = unsafe.Slice((*shareSlot)(bootZeroedPages(slotBytes, "the share and disk request slots")), maxShareRequests)
	pcBounce = unsafe.Slice((*byte)(bootZeroedPages(pcBounceSize, "the page cache's bounce buffer")), pcBounceSize)
}

// shareMountPoints names the shares' mount points to a walk. The
// mounts take effect when the file service registers (shareWorkFD):
// until then a path through a mount point resolves in the root file
// system's directory beneath it, as on Linux before a mount is made.
// Package initializers that run before the service's (the standard
// library's own, and any the Go runtime orders first) see there what
// the image or a boot module put there (coracle test's early copy of
// the package directory) instead of failing with ENODEV, and a program
// whose image has no file service sees the directory, not an error.
type shareMountPoints struct{}

// MountPoint implements vfs.MountPoints.
func (shareMountPoints) MountPoint(n vfs.Node) bool {
	return shareWorkFD >= 0 && n.FS == rootFSID && shareOfIno(n.Ino) >= 0
}

// setupShares mounts the shares and disks the command line names, in
// order (shares.ParseMount): coracle.share=TAG:PATH[:ro] and
// coracle.disk=PATH[:ro], PATH absolute and percent-encoded as
// coracle.arg values are. A bad word is reported and skipped.
func setupShares(cmd string) {
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key != shares.Key && w.Key != shares.DiskKey {
			continue
		}
		if shareSlots == nil {
			setupShareMemory()
		}
		m, ok := shares.ParseMount(w.Key, w.Value)
		if !ok {
			console.str("coracle: malformed ")
			console.str(w.Key)
			console.str(" word; left out\n")
			continue // the file services leave it out too
		}
		if shareCount == shares.MaxMounts {
			console.str("coracle: too many shares and disks; the rest are left out\n")
			return
		}
		buf := shareSlots[0].req.Path[:] // free until the program runs
		p := buf[:cmdline.Decode(buf, m.Path)]
		if e := mountShare(p, m.Kind, m.ReadOnly); e != 0 {
			shareCount++ // unmounted (inode 0 is none), but numbered as the services number it
			console.str("coracle: cannot mount a share or disk on ")
			console.str(unsafe.String(&p[0], len(p)))
			console.str(": errno ")
			console.dec(uint64(e))
			console.str("\n")
		}
	}
}

// mountShare makes the mount point at absolute path (and the
// directories on the way) and records the next service mount there.
func mountShare(path []byte, kind shares.Kind, ro bool) linux.Errno {
	if len(path) < 2 || path[0] != '/' {
		return linux.EINVAL
	}
	now := walltime()
	dir, name, e := makeParents(path, now)
	if e != 0 {
		return e
	}
	n, e := rootFS.Lookup(inoNode(dir), name)
	if e == linux.ENOENT {
		n.Ino, e = rootFS.Mkdir(dir, name, 0o755, now)
		n.FS = rootFSID
	}
	switch {
	case e != 0:
		return e
	case rootFS.Kind(n) != vfs.KindDir:
		return linux.ENOTDIR
	case shareOfIno(n.Ino) >= 0:
		return linux.EBUSY
	}
	rootFS.Open(n.Ino) // a mount point is never freed
	shareMounts[shareCount] = shareMount{ino: n.Ino, kind: kind, readOnly: ro}
	shareCount++
	return 0
}

// shareTarget is where a path that leads into a share goes on: the
// share, the directory the rest starts from (a handle, or shares.Root),
// and the rest.
type shareTarget struct {
	share int
	dir   int32
	rest  []byte
}

// intoShare reports whether path, from dirfd, leads into a share, and
// where. It walks the root with walker w far enough to see; a path that
// fails there, or stays in the root, is the caller's as before.
func intoShare(w int, dirfd uint64, path []byte, flags vfs.Flags) (shareTarget, bool) {
	if shareCount == 0 || len(path) == 0 {
		return shareTarget{}, false
	}
	if path[0] != '/' && int32(dirfd) != linux.AT_FDCWD {
		if d := lookupFD(fdArg(dirfd)); d != nil && d.Kind == fdShare {
			return shareTarget{share: shareOfObj(d.Obj), dir: handleOfObj(d.Obj), rest: path}, true
		}
	}
	if path[0] != '/' && int32(dirfd) == linux.AT_FDCWD && cwdShare >= 0 && !leavesShareRoot(path) {
		return shareTarget{share: shareOfObj(cwdShare), dir: handleOfObj(cwdShare), rest: path}, true
	}
	start, e := startDir(dirfd, path)
	if e != 0 {
		return shareTarget{}, false
	}
	r, e := walkers[w].WalkMounts(&rootFS, shareMountPoints{}, start, path, flags&^vfs.Parent)
	if e != 0 || r.Last != vfs.LastMount {
		return shareTarget{}, false
	}
	return shareTarget{share: shareOfIno(r.Node.Ino), dir: shares.Root, rest: r.Rest}, true
}

// shareSlotFor takes a free request slot for t, or parks t until one
// frees and returns nil: the caller then returns f.RAX, and the call is
// made again.
func shareSlotFor(t *Thread, f *amd64.TrapFrame) *shareSlot {
	if s := shareSlotFree(); s != nil {
		s.thread = int16(t.slot())
		return s
	}
	f.RIP -= syscallInsnLen
	block(t, waitShareSlot, 0)
	return nil
}

// post queues slot s's request for the service and parks its thread.
// It returns what the handler returns (the thread's result comes from
// the service).
func (s *shareSlot) post(t *Thread, op shares.Op, share int) uint64 {
	if shareWorkFD < 0 {
		s.state = slotFree
		return linux.ENODEV.Ret() // no file service in this image
	}
	s.req.Op, s.req.Share = op, uint32(share)
	s.state = slotQueued
	if s.done != doneNoWaiter {
		block(t, waitShare, 0)
	}
	ringShareDoorbell()
	return 0
}

// setPath copies p into the request's first (second: 2) path.
func (s *shareSlot) setPath(which int, p []byte) linux.Errno {
	dst, n := &s.req.Path, &s.req.PathLen
	if which == 2 {
		dst, n = &s.req.Path2, &s.req.Path2Len
	}
	if len(p) >= shares.PathMax {
		return linux.ENAMETOOLONG
	}
	*n = uint32(copy(dst[:], p))
	return 0
}

// ringShareDoorbell makes the file service's work descriptor readable.
func ringShareDoorbell() { ringWorkFD(shareWorkFD) }

// sharePathCall queues op on target tg for t, with flags and mode;
// fill, if not nil, adds what else the request needs.
func sharePathCall(t *Thread, f *amd64.TrapFrame, op shares.Op, tg shareTarget, flags, mode uint32, fill func(*shareSlot) linux.Errno) uint64 {
	s := shareSlotFor(t, f)
	if s == nil {
		return f.RAX
	}
	s.req.Dir, s.req.Handle, s.req.Flags, s.req.Mode = tg.dir, -1, flags, mode
	if e := s.setPath(1, tg.rest); e != 0 {
		s.state = slotFree
		return e.Ret()
	}
	if fill != nil {
		if e := fill(s); e != 0 {
			s.state = slotFree
			return e.Ret()
		}
	}
	return s.post(t, op, tg.share)
}

// shareFileCall queues op on the file open as description d (descriptor
// fd) for t.
func shareFileCall(t *Thread, f *amd64.TrapFrame, op shares.Op, fd uint64, d *openFile, done uint8, fill func(*shareSlot)) uint64 {
	s := shareSlotFor(t, f)
	if s == nil {
		return f.RAX
	}
	s.req.Dir, s.req.Handle, s.req.Flags = shares.Root, handleOfObj(d.Obj), d.Flags
	s.done, s.fd, s.obj = done, int32(fd), d.Obj
	if fill != nil {
		fill(s)
	}
	return s.post(t, op, shareOfObj(d.Obj))
}

// shareReadOnly reports whether op on share may not be made because the
// share is read-only (EROFS).
func shareReadOnly(share int, op shares.Op, flags uint32) bool {
	if !shareMounts[share].readOnly {
		return false
	}
	switch op {
	case shares.OpOpen:
		return flags&linux.O_ACCMODE != linux.O_RDONLY || flags&(linux.O_CREAT|linux.O_TRUNC) != 0
	case shares.OpMkdir, shares.OpUnlink, shares.OpRename, shares.OpSymlink, shares.OpTruncate, shares.OpChmod, shares.OpWrite, shares.OpLink, shares.OpSetTimes:
		return true
	}
	return false
}

// shareRelease queues the closing of a share file's handle when its
// description's last descriptor closes. Nobody waits; if every slot is
// busy the handle waits in shareCloses.
func shareRelease(obj int32) {
	if s := shareSlotFree(); s != nil {
		s.queueClose(obj)
		ringShareDoorbell()
		return
	}
	for i := range shareCloses {
		if shareCloses[i] == 0 {
			shareCloses[i] = obj + 1 // never 0: obj is not negative
			return
		}
	}
	// Every slot and every close entry is busy: the handle stays open
	// on the host until the program ends.
}

// queueClose makes s, free or just ended, a queued request to close
// obj's handle, which nobody waits for.
func (s *shareSlot) queueClose(obj int32) {
	id := s.req.ID
	*s = shareSlot{done: doneNoWaiter, thread: -1, fd: -1}
	s.req = shares.Request{ID: id, Op: shares.OpClose, Share: uint32(shareOfObj(obj)), Handle: handleOfObj(obj), Dir: shares.Root}
	s.state = slotQueued
}

// shareSlotFree returns a free slot, reset, or nil.
func shareSlotFree() *shareSlot {
	for i := range shareSlots {
		if s := &shareSlots[i]; s.state == slotFree {
			*s = shareSlot{fd: -1}
			s.req.ID = uint32(i)
			return s
		}
	}
	return nil
}

// finishShare does what the end of slot s's call does in the kernel and
// returns the call's result.
func finishShare(s *shareSlot, res *shares.Result) uint64 {
	if s.done == doneTransfer {
		return cacheTransferDone(s, res)
	}
	if res.Errno == 0 && s.req.Op == shares.OpTruncate {
		cacheTruncated(int(s.req.Share), res.Stat.Ino, s.req.Offset)
	}
	if res.Errno != 0 {
		if s.done == doneMmap {
			vmas.Unmap(s.req.Buf, s.req.Len)
			discard(s.req.Buf, s.req.Buf+s.req.Len)
		}
		return linux.Errno(res.Errno).Ret()
	}
	switch s.done {
	case doneOpen:
		fd := allocFD(fdShare, int(shareObj(int(s.req.Share), res.Handle)), s.keep, s.cloexec)
		if fd < 0 {
			// Close the handle the service opened, in this slot.
			s.queueClose(shareObj(int(s.req.Share), res.Handle))
			ringShareDoorbell()
			return linux.EMFILE.Ret()
		}
		if ino := res.Stat.Ino; ino != 0 && ino < 1<<40 {
			d := lookupFD(uint64(fd))
			d.Ident = uint64(s.req.Share+1)<<40 | ino // the file, for locks
			if shareMounts[s.req.Share].kind == shares.KindDisk && res.Stat.Mode&linux.S_IFMT == linux.S_IFREG && s.keep&linux.O_PATH == 0 {
				cacheOpened(d, int(s.req.Share), ino, res.Stat.Size, s.req.Flags&linux.O_TRUNC != 0)
			}
		}
		return uint64(fd)
	case doneChdir:
		return shareChdirDone(int(s.req.Share), res)
	case doneStat:
		st, ok := userStat(s.req.Buf)
		if !ok {
			return linux.EFAULT.Ret()
		}
		shareStat(st, int(s.req.Share), &res.Stat)
		return 0
	case doneStatx:
		b, ok := userBytes(s.req.Buf, uint64(unsafe.Sizeof(statxT{})), true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		var st stat
		shareStat(&st, int(s.req.Share), &res.Stat)
		fillStatx((*statxT)(unsafe.Pointer(&b[0])), &st, false)
		return 0
	case doneMmap:
		prot := mm.Prot(s.keep)
		if vmas.Protect(s.req.Buf, s.req.Len, prot) == 0 && mm.ProtectPages(&space, s.req.Buf, s.req.Buf+s.req.Len, prot) > 0 {
			flushTLB(s.req.Buf, s.req.Buf+s.req.Len)
		}
		return s.req.Buf
	case doneMoveOff, doneSeekEnd:
		d := lookupFD(uint64(s.fd))
		if d == nil || d.Kind != fdShare || d.Obj != s.obj {
			return uint64(res.N) // closed meanwhile: the result still stands
		}
		if s.done == doneSeekEnd {
			off := res.Stat.Size + s.req.Offset
			if off < 0 {
				return linux.EINVAL.Ret()
			}
			d.Off = off
			return uint64(off)
		}
		d.Off = res.Offset
	}
	return uint64(res.N)
}

// shareStat fills st from a share file's attributes. Each share is a
// device of its own, as a mount is on Linux.
func shareStat(st *stat, share int, a *shares.Stat) {
	*st = stat{dev: shareDev + uint64(share), ino: a.Ino, nlink: a.Nlink, mode: a.Mode, uid: a.UID, gid: a.GID,
		rdev: a.Rdev, size: a.Size, blksize: 4096, blks: a.Blocks,
		atime: nsTimespec(a.Atime), mtime: nsTimespec(a.Mtime), ctime: nsTimespec(a.Ctime)}
	if size, ok := cacheSize(share, a); ok {
		st.size = size // writes the disk has not seen yet
	}
}

// shareDev is the first share's st_dev: minor numbers after the root's.
const shareDev = rootFSDev + 1

// wakeShareSlotWaiters lets the calls that found every slot busy try
// again.
func wakeShareSlotWaiters() {
	for i := range liveSlots() {
		if w := &threads[i]; w.state == threadBlocked && w.wait == waitShareSlot {
			wake(w, w.Frame.RAX)
		}
	}
}

// shareChdirDone makes the directory the service opened (res.Handle, at
// res.Path in share) the working directory, and lets the previous one
// in a share go.
func shareChdirDone(share int, res *shares.Result) uint64 {
	n, e := dirPath(shareMounts[share].ino, linkBuf[:vfs.PathMax-1])
	rel := res.PathBytes()
	obj := shareObj(share, res.Handle)
	if e == 0 && vfs.PathMax-1-n+1+len(rel) >= len(cwdSharePath) {
		e = linux.ENAMETOOLONG
	}
	if e != 0 {
		shareRelease(obj)
		return e.Ret()
	}
	m := copy(cwdSharePath[:], linkBuf[n:vfs.PathMax-1])
	if len(rel) > 0 {
		cwdSharePath[m] = '/'
		m++
		m += copy(cwdSharePath[m:], rel)
	}
	leaveShareCwd()
	cwdShare, cwdSharePathLen, cwdAtShareRoot = obj, m, len(rel) == 0
	return 0
}

// leavesShareRoot reports whether path, relative to a working directory
// at a share's root, starts with "..": it leaves the share, which the
// walk from the mount point (startDir) does as on Linux.
func leavesShareRoot(path []byte) bool {
	return cwdAtShareRoot && len(path) >= 2 && path[0] == '.' && path[1] == '.' && (len(path) == 2 || path[2] == '/')
}

// leaveShareCwd lets go of a working directory in a share, if there is
// one: chdir into the root does it, as does a new one in a share.
func leaveShareCwd() {
	if cwdShare >= 0 {
		shareRelease(cwdShare)
		cwdShare = -1
	}
}
