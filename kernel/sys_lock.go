package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/filelock"
)

// Advisory file locks: flock(2) and fcntl(2)'s record locks (F_GETLK,
// F_SETLK, F_SETLKW and their open-file-description forms), kept in
// package filelock's tables (state.go). A lock names its file by
// lockKey and its owner by number: the process (POSIX record locks) is
// ownerProcess, an open-file description (flock and OFD locks) its index
// in the description table.
//
// Within the one process POSIX locks never conflict; OFD and flock
// locks of two descriptions do, and an OFD lock conflicts with the
// process's POSIX locks, as on Linux. A blocking request (flock without
// LOCK_NB, F_SETLKW, F_OFD_SETLKW) that meets a conflict parks the
// thread (waitLock); only another thread of the program can release the
// lock it waits for. Whenever a lock is released or weakened every
// waiter makes its call again (RIP moved back over SYSCALL, as for
// pipes), and the ones that still meet a conflict wait again. Linux
// detects deadlocks only between POSIX lock owners, which here are one
// process and so never wait for each other: no call answers EDEADLK.
//
// Files of shared host directories cannot be locked (ENOLCK, as Linux
// answers where a network file system has no lock service): two opens of
// one host file are two unrelated handles here, which could not tell
// that their locks conflict. Files of a disk can: the disk's service
// names the inode at open (the description's Ident), and only this
// guest uses the disk (coracle run locks the image).
//
// Closing any descriptor of a file drops the process's POSIX locks on
// it; releasing a description (its last descriptor closed) drops its
// OFD and flock locks (dropFileLocks, from closeFD and dupTo).

// ownerProcess is the owner of the process's POSIX record locks.
const ownerProcess filelock.Owner = -1

// lockKey is the file description d is open on, as the lock tables name
// it: a root inode, or a pipe, socket, eventfd, ... by kind and object
// (both ends of a pipe are one file).
func lockKey(d *openFile) filelock.Key {
	if d.Kind == fdShare {
		return filelock.Key(uint64(fdShare)<<56 | d.Ident&(1<<identCacheShift-1)) // mount and inode (fs_share.go), without the cache ID
	}
	obj := uint64(uint32(d.Obj))
	if d.Kind == fdPipe {
		id, _ := pipeOf(d)
		obj = uint64(id)
	}
	return filelock.Key(uint64(d.Kind)<<32 | obj)
}

// fileLockID is descriptor fd's lock key and the owner number of its
// description (zero values if fd is not open), taken before a close.
func fileLockID(fd uint64) (filelock.Key, filelock.Owner) {
	d := lookupFD(fd)
	if d == nil {
		return 0, 0
	}
	return lockKey(d), filelock.Owner(fdt.FileIndex(fd))
}

// dropFileLocks runs what closing a descriptor of file key, whose
// description is desc, does to locks: the process's POSIX locks on the
// file go, and with the description's last descriptor (last) its OFD
// and flock locks too. Waiters try again if anything went.
func dropFileLocks(key filelock.Key, desc filelock.Owner, last bool) {
	dropped := recordLocks.DropKey(key, ownerProcess)
	if last {
		dropped = recordLocks.DropOwner(desc) || dropped
		dropped = flockLocks.DropOwner(desc) || dropped
	}
	if dropped {
		wakeLockWaiters()
	}
}

// flock(fd, operation)
func sysFlock(t *Thread, f *amd64.TrapFrame) uint64 {
	op := uint32(f.RSI)
	if op&linux.LOCK_MAND != 0 {
		return 0 // Linux ignores LOCK_MAND requests since 5.15
	}
	var typ filelock.Type
	switch op &^ linux.LOCK_NB {
	case linux.LOCK_SH:
		typ = filelock.Read
	case linux.LOCK_EX:
		typ = filelock.Write
	case linux.LOCK_UN:
		typ = filelock.Unlock
	default:
		return linux.EINVAL.Ret()
	}
	fd := fdArg(f.RDI)
	d := lookupFD(fd)
	switch {
	case d == nil, d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	case d.Kind == fdShare && d.Ident == 0:
		return linux.ENOLCK.Ret()
	}
	key, owner := lockKey(d), filelock.Owner(fdt.FileIndex(fd))
	// Any change of a held lock (an unlock, a downgrade, a conversion,
	// which gives the old lock up even when the new one is refused)
	// may let a waiter in.
	if old := flockLocks.Held(key, owner); old != filelock.Unlock && old != typ {
		defer wakeLockWaiters()
	}
	e := flockLocks.Set(key, owner, typ)
	if e == linux.EAGAIN && op&linux.LOCK_NB == 0 {
		return waitLockThenRetry(t, f)
	}
	return e.Ret0()
}

// fcntlLock serves fcntl's lock commands on descriptor fd (description
// d): F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ forms, with the struct
// flock at f.RDX.
func fcntlLock(t *Thread, f *amd64.TrapFrame, fd uint64, d *openFile) uint64 {
	cmd := f.RSI
	switch {
	case d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	case d.Kind == fdShare && d.Ident == 0:
		return linux.ENOLCK.Ret()
	}
	get := cmd == linux.F_GETLK || cmd == linux.F_OFD_GETLK
	b, ok := userBytes(f.RDX, linux.SizeofFlock, get)
	if !ok {
		return linux.EFAULT.Ret()
	}
	ltype := int16(binary.LittleEndian.Uint16(b))
	lpid := int32(binary.LittleEndian.Uint32(b[24:]))
	if get && ltype != linux.F_RDLCK && ltype != linux.F_WRLCK {
		return linux.EINVAL.Ret()
	}
	l, e := lockRange(d, b)
	if e != 0 {
		return e.Ret()
	}
	switch ltype {
	case linux.F_RDLCK:
		l.Type = filelock.Read
	case linux.F_WRLCK:
		l.Type = filelock.Write
	case linux.F_UNLCK:
		l.Type = filelock.Unlock
	default:
		return linux.EINVAL.Ret()
	}
	ofd := cmd == linux.F_OFD_GETLK || cmd == linux.F_OFD_SETLK || cmd == linux.F_OFD_SETLKW
	if !get && (l.Type == filelock.Read && !canRead(d) || l.Type == filelock.Write && !canWrite(d)) {
		return linux.EBADF.Ret()
	}
	if ofd && lpid != 0 {
		return linux.EINVAL.Ret()
	}
	l.Key, l.Owner = lockKey(d), ownerProcess
	if ofd {
		l.Owner = filelock.Owner(fdt.FileIndex(fd))
	}
	if get {
		putLockConflict(b, l)
		return 0
	}
	held := recordLocks.Holds(l)
	e = recordLocks.Set(l)
	switch {
	case e == linux.EAGAIN && (cmd == linux.F_SETLKW || cmd == linux.F_OFD_SETLKW):
		return waitLockThenRetry(t, f)
	case e == 0 && held:
		wakeLockWaiters() // what the owner held there was replaced
	}
	return e.Ret0()
}

// lockRange is the bytes struct flock b names in d's file: from
// l_whence (SEEK_SET, SEEK_CUR: d's offset, SEEK_END: the file's size)
// plus l_start, for l_len bytes (0: to the end, however far the file
// grows; negative: the bytes before), with Linux's errors: EINVAL for
// another whence or a range that starts before 0, EOVERFLOW for one
// past the largest offset.
func lockRange(d *openFile, b []byte) (filelock.Lock, linux.Errno) {
	whence := int16(binary.LittleEndian.Uint16(b[2:]))
	start := int64(binary.LittleEndian.Uint64(b[8:]))
	length := int64(binary.LittleEndian.Uint64(b[16:]))
	var base int64
	switch whence {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		base = d.Off
	case linux.SEEK_END:
		if d.Kind == fdFile {
			base = rootFS.Getattr(fileIno(d)).Size
		}
	default:
		return filelock.Lock{}, linux.EINVAL
	}
	if start > filelock.MaxOffset-base {
		return filelock.Lock{}, linux.EOVERFLOW
	}
	l := filelock.Lock{Start: base + start}
	switch {
	case l.Start < 0:
		return l, linux.EINVAL
	case length > 0:
		if length-1 > filelock.MaxOffset-l.Start {
			return l, linux.EOVERFLOW
		}
		l.End = l.Start + length - 1
	case length < 0:
		if l.Start+length < 0 {
			return l, linux.EINVAL
		}
		l.End = l.Start - 1
		l.Start += length
	default:
		l.End = filelock.MaxOffset
	}
	return l, 0
}

// putLockConflict answers F_GETLK in struct flock b: the first lock
// that would keep l out (l_whence SEEK_SET, l_len 0 for a lock to the
// end, l_pid the process's pid for a POSIX lock and -1 for an OFD
// lock), or only l_type F_UNLCK when nothing would.
func putLockConflict(b []byte, l filelock.Lock) {
	c, found := recordLocks.Test(l)
	if !found {
		binary.LittleEndian.PutUint16(b, linux.F_UNLCK)
		return
	}
	typ, length, owner := uint16(linux.F_RDLCK), int64(0), int32(-1)
	if c.Type == filelock.Write {
		typ = linux.F_WRLCK
	}
	if c.End != filelock.MaxOffset {
		length = c.End - c.Start + 1
	}
	if c.Owner == ownerProcess {
		owner = int32(pid)
	}
	binary.LittleEndian.PutUint16(b, typ)
	binary.LittleEndian.PutUint16(b[2:], linux.SEEK_SET)
	binary.LittleEndian.PutUint64(b[8:], uint64(c.Start))
	binary.LittleEndian.PutUint64(b[16:], uint64(length))
	binary.LittleEndian.PutUint32(b[24:], uint32(owner))
}

// waitLockThenRetry parks t until a lock is released and returns the
// call's own number for RAX: with RIP moved back over SYSCALL, the woken
// thread makes the call again.
func waitLockThenRetry(t *Thread, f *amd64.TrapFrame) uint64 {
	f.RIP -= syscallInsnLen
	block(t, waitLock, 0)
	return f.RAX
}

// wakeLockWaiters makes every thread waiting for a lock make its call
// again.
func wakeLockWaiters() {
	for i := range liveSlots() {
		if t := &threads[i]; t.state == threadBlocked && t.wait == waitLock {
			wake(t, t.Frame.RAX) // RAX stays the call's number
		}
	}
}
