package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/pagecache"
)

// The page cache of disk files (kernel/pagecache). A regular file
// opened on a disk mount is read and written through pcache: read,
// write, their positioned and vectored forms, lseek's SEEK_END and stat
// are answered in trap context from the cache's pages, and mmap maps
// those same pages (mem_file.go), so that each sees the others at once.
// The disk service is asked only for what the cache lacks or must send
// home, a run of pages at a time:
//
//   - a miss (a page not yet fetched, or being fetched) takes a run of
//     frames (StartFill), maps them into the request slot's piece of
//     xferWindow, queues an OpFill and parks the thread; when the
//     service ends it, the run is clean (EndFill) and the call is made
//     again from the start (nothing moved the offset or returned);
//   - write-back (StartWriteback, OpWriteback) is made by fsync,
//     fdatasync, syncfs, sync, msync and close, and by writers when
//     dirty pages pass dirtyLimit, or when a page is needed and Evict
//     finds only dirty ones;
//   - a call that finds the page it needs in flight for another waits
//     (waitPageCache) and is made again when any transfer ends.
//
// Each cached file keeps one service handle of its own for its
// transfers (pcHandles): that of the description that opened it first,
// which the description's close then leaves open; the cache closes it
// when the file is neither open nor mapped and all its pages are home.
// A description names its cached file in Ident's bits from
// identCacheShift up (its mount and inode are below, for locks).

// pcRunPages is the most pages one transfer moves: 128 KiB, which is
// also the read-ahead of a miss.
const pcRunPages = 32

// xferWindowSize is the transfer window (mem_layout.go): one run's
// worth of address space per request slot.
const xferWindowSize = maxShareRequests * pcRunPages * pagecache.PageSize

// identCacheShift places a description's cache ID in its Ident, above
// the mount (bits 40-43) and the inode (below 40).
const identCacheShift = 44

// pcFileBase numbers cached files for the areas of kernel/mm (Backing.File):
// above every tmpfs inode.
const pcFileBase = 1 << 24

// pcXfer is a transfer in flight in a request slot.
type pcXfer struct {
	op     shares.Op
	id     pagecache.ID
	off    int64
	n      int
	frames [pcRunPages]uint64
}

// pcBounceSize is the size of the page cache's bounce buffer: a
// read or write of a cached file moves at most this much at a time.
const pcBounceSize = 16 * pagecache.PageSize

// cachePages gives the cache frames from the kernel's allocator, keeping
// commitReserve back for the kernel and the runtime.
type cachePages struct{}

// Alloc implements pagecache.Pages.
func (*cachePages) Alloc() (uint64, bool) {
	if frames.FreeCount() <= commitReserve/4096 {
		return 0, false
	}
	return frames.AllocZeroed()
}

// Free implements pagecache.Pages.
func (*cachePages) Free(pa uint64) { frames.Free(pa) }

// Page implements pagecache.Pages.
func (*cachePages) Page(pa uint64) *[pagecache.PageSize]byte { return physMem.Page(pa) }

// setupPageCache makes the empty cache and keeps mmap out of the
// transfer window.
func setupPageCache() {
	pcache.Init(&pcPageSource)
	if vmas.Reserve(xferWindow, xferWindow+xferWindowSize, mm.PROT_READ|mm.PROT_WRITE) != 0 {
		bootFailure("cannot reserve the page cache's transfer window")
	}
}

// cacheID returns the cached file description d reads and writes
// through, or 0.
func cacheID(d *openFile) pagecache.ID {
	if d == nil || d.Kind != fdShare {
		return 0
	}
	return pagecache.ID(d.Ident >> identCacheShift)
}

// cacheOpened makes the new description d of a regular file of disk
// share (inode ino, size at home size) read and write through the
// cache. A file the cache cannot take (every slot live) is served by
// the service as before. trunc says the open truncated it.
func cacheOpened(d *openFile, share int, ino uint64, size int64, trunc bool) {
	id, e := pcache.Open(pagecache.Key{Mount: uint32(share), Ino: ino}, size)
	if e != 0 {
		return
	}
	d.Ident |= uint64(id) << identCacheShift
	if pcHandles[id] == 0 {
		pcHandles[id] = d.Obj + 1
	}
	if trunc {
		cacheTruncate(id, 0)
	}
}

// cacheReleased ends description obj's use of cached file id when its
// last descriptor closes; it reports whether the description's service
// handle is the cache's, to be closed later by cacheIdle.
func cacheReleased(id pagecache.ID, obj int32) bool {
	pcache.Close(id)
	kept := pcHandles[id] == obj+1
	cacheIdle(id)
	return kept
}

// cacheIdle lets go of cached file id if nothing holds it: no
// description, no mapping, no page to write home or in flight. Its
// pages go (a later open fetches again: the cache cannot tell whether
// the inode number has meanwhile been given to another file) and so
// does its service handle.
func cacheIdle(id pagecache.ID) {
	if id == 0 || pcache.Live(id) || pcache.Dirty(id) > 0 || pcache.Busy(id) > 0 {
		return
	}
	h := pcHandles[id]
	pcHandles[id] = 0
	pcache.Forget(id)
	if h != 0 {
		shareRelease(h - 1)
	}
}

// cacheSize returns the size of the cached file that shareStat's
// attributes describe, if the cache has it.
func cacheSize(share int, a *shares.Stat) (int64, bool) {
	if a.Mode&linux.S_IFMT != linux.S_IFREG || shareMounts[share].kind != shares.KindDisk {
		return 0, false
	}
	id := pcache.Lookup(pagecache.Key{Mount: uint32(share), Ino: a.Ino})
	if id == 0 {
		return 0, false
	}
	return pcache.Size(id), true
}

// cacheRW is read (pos < 0: at the file offset, which moves), pread64,
// write and pwrite64 on a cached file.
func cacheRW(t *Thread, f *amd64.TrapFrame, d *openFile, id pagecache.ID, buf, n uint64, pos int64, in bool) uint64 {
	switch {
	case d.Flags&linux.O_PATH != 0, in && !canRead(d), !in && !canWrite(d):
		return linux.EBADF.Ret()
	}
	b, ok := userBytes(buf, n, in)
	if !ok {
		return linux.EFAULT.Ret()
	}
	off := pos
	if pos < 0 {
		off = d.Off
	}
	if in {
		got, miss := cacheRead(id, off, b)
		if got == 0 && miss >= 0 {
			return cacheFetch(t, f, id, miss)
		}
		if pos < 0 {
			d.Off += int64(got)
		}
		return uint64(got)
	}
	if d.Flags&linux.O_APPEND != 0 {
		off = pcache.Size(id) // pwrite too, as on Linux
	}
	if len(b) == 0 {
		return 0
	}
	if off+int64(len(b)) > pagecache.MaxFileSize || off+int64(len(b)) < off {
		return linux.EFBIG.Ret()
	}
	if r, parked := cacheThrottle(t, f); parked {
		return r
	}
	// Pages the write covers only in part must be fetched first; the
	// ones between are overwritten whole.
	if off%pagecache.PageSize != 0 || len(b) < pagecache.PageSize {
		if miss := pcache.Missing(id, off, 1); miss >= 0 {
			return cacheFetch(t, f, id, miss)
		}
	}
	if end := off + int64(len(b)); end%pagecache.PageSize != 0 {
		if miss := pcache.Missing(id, end-1, 1); miss >= 0 {
			return cacheFetch(t, f, id, miss)
		}
	}
	w, miss, e := cacheWrite(id, off, b)
	if w == 0 {
		switch {
		case e == linux.ENOMEM:
			return cacheMakeRoom(t, f)
		case miss >= 0:
			return cacheFetch(t, f, id, miss)
		case e != 0:
			return e.Ret()
		}
	}
	if pos < 0 {
		d.Off = off + int64(w)
	}
	return uint64(w)
}

// cacheRead copies file id's bytes at off into the program's buffer b
// through pcBounce, a piece at a time, so that no fault on b (which may
// evict, or map a cached page) lands inside a pagecache call. It stops
// at the first page that must be fetched (miss >= 0) or at the end of
// the file; a call that got something returns it (a short read), and
// one that got nothing fetches and is made again.
func cacheRead(id pagecache.ID, off int64, b []byte) (n int, miss int64) {
	for n < len(b) {
		at := off + int64(n)
		chunk := min(len(b)-n, len(pcBounce)-int(at%pagecache.PageSize))
		got, m := pcache.Read(id, at, pcBounce[:chunk])
		copy(b[n:], pcBounce[:got])
		n += got
		if m >= 0 {
			return n, m
		}
		if got < chunk {
			break // the end of the file
		}
	}
	return n, -1
}

// cacheWrite copies the program's buffer b into file id at off through
// pcBounce, in pieces that end on page boundaries (a page the write
// covers whole is never fetched), and returns what pagecache.Write
// does for the first piece that stops short.
func cacheWrite(id pagecache.ID, off int64, b []byte) (n int, miss int64, e linux.Errno) {
	for n < len(b) {
		at := off + int64(n)
		chunk := min(len(b)-n, len(pcBounce)-int(at%pagecache.PageSize))
		copy(pcBounce[:chunk], b[n:])
		w, m, we := pcache.Write(id, at, pcBounce[:chunk])
		n += w
		if w < chunk {
			if n > 0 {
				we = 0
			}
			return n, m, we
		}
	}
	return n, -1, 0
}

// cacheRestart makes the running call be made again from the start
// when its thread next runs; it returns what the handler returns.
func cacheRestart(f *amd64.TrapFrame) uint64 {
	f.RIP -= syscallInsnLen
	return f.RAX
}

// cacheWait parks t until a transfer ends, then makes its call again.
func cacheWait(t *Thread, f *amd64.TrapFrame) uint64 {
	block(t, waitPageCache, 0)
	return cacheRestart(f)
}

// wakeCacheWaiters makes the calls that wait for a transfer again.
func wakeCacheWaiters() {
	for i := range liveSlots() {
		if w := &threads[i]; w.state == threadBlocked && w.wait == waitPageCache {
			wake(w, w.Frame.RAX)
		}
	}
}

// cacheFetch fetches the run of file id's pages from byte off on and
// makes t's call again when it is in: it parks t, or, if the page is in
// flight for another call, waits for that.
func cacheFetch(t *Thread, f *amd64.TrapFrame, id pagecache.ID, off int64) uint64 {
	if shareWorkFD < 0 {
		return linux.ENODEV.Ret()
	}
	s := shareSlotFor(t, f)
	if s == nil {
		return f.RAX
	}
	x := &pcXfers[s.req.ID]
	n, e := pcache.StartFill(id, off, x.frames[:])
	switch {
	case e == linux.EAGAIN:
		s.state = slotFree
		return cacheWait(t, f)
	case e == linux.ENOMEM:
		s.state = slotFree
		return cacheMakeRoom(t, f)
	case e != 0:
		s.state = slotFree
		return e.Ret()
	case n == 0:
		s.state = slotFree
		return cacheRestart(f) // cached meanwhile
	}
	x.op, x.id, x.off, x.n = shares.OpFill, id, off&^(pagecache.PageSize-1), n
	return x.post(t, f, s, int64(n)*pagecache.PageSize)
}

// pcWritebackRuns is the most runs one write-back puts in flight at
// once: the service writes them concurrently, and the thread that
// started them parks once rather than once a run.
const pcWritebackRuns = 8

// pcSlotReserve is how many request slots a write-back leaves free for
// other calls when it takes more than one.
const pcSlotReserve = 4

// cacheWriteback starts writing home the runs of file id's dirty pages
// at or after byte from, up to pcWritebackRuns of them, and parks t
// until the last of them is home, when its call is made again; started
// is false (and t runs on) if there was no such run. The other runs end
// without a waiter (their slot's thread is -1): a call that must see
// them home (fsync) finds them busy when it is made again and waits.
func cacheWriteback(t *Thread, f *amd64.TrapFrame, id pagecache.ID, from int64) (ret uint64, started bool) {
	if shareWorkFD < 0 || pcHandles[id] == 0 {
		return 0, false
	}
	s := shareSlotFor(t, f)
	if s == nil {
		return f.RAX, true
	}
	x := &pcXfers[s.req.ID]
	off, n := pcache.StartWriteback(id, from, x.frames[:])
	if n == 0 {
		s.state = slotFree
		return 0, false
	}
	x.op, x.id, x.off, x.n = shares.OpWriteback, id, off, n
	s.state = slotQueued // held while more slots are taken; queued below
	next := off + int64(n)*pagecache.PageSize
	for range pcWritebackRuns - 1 {
		if shareSlotsFree() <= pcSlotReserve {
			break
		}
		o := shareSlotFree()
		y := &pcXfers[o.req.ID]
		yoff, yn := pcache.StartWriteback(id, next, y.frames[:])
		if yn == 0 {
			o.state = slotFree
			break
		}
		y.op, y.id, y.off, y.n = shares.OpWriteback, id, yoff, yn
		o.thread = -1
		if y.queue(o, y.size()) != 0 {
			break
		}
		next = yoff + int64(yn)*pagecache.PageSize
	}
	if e := x.queue(s, x.size()); e != 0 {
		ringShareDoorbell()
		return e.Ret(), true
	}
	block(t, waitShare, 0)
	ringShareDoorbell()
	return cacheRestart(f), true
}

// size is how many bytes write-back x sends home: its pages, but not
// past the end of the file.
func (x *pcXfer) size() int64 {
	return max(min(int64(x.n)*pagecache.PageSize, pcache.Size(x.id)-x.off), 0)
}

// shareSlotsFree counts the free request slots.
func shareSlotsFree() int {
	n := 0
	for i := range shareSlots {
		if shareSlots[i].state == slotFree {
			n++
		}
	}
	return n
}

// post maps x's frames into slot s's piece of the transfer window and
// queues x.op on them (size bytes) for the service, parking t; the call
// is made again when the service ends it.
func (x *pcXfer) post(t *Thread, f *amd64.TrapFrame, s *shareSlot, size int64) uint64 {
	if e := x.queue(s, size); e != 0 {
		return e.Ret()
	}
	block(t, waitShare, 0)
	ringShareDoorbell()
	return cacheRestart(f)
}

// queue maps x's frames into slot s's piece of the transfer window and
// queues x.op on them (size bytes) for the service, without parking
// anyone or ringing the doorbell. On failure the transfer has ended
// (failed) and the slot is free.
func (x *pcXfer) queue(s *shareSlot, size int64) linux.Errno {
	va := xferWindow + uint64(s.req.ID)*pcRunPages*pagecache.PageSize
	for i, pa := range x.frames[:x.n] {
		if space.Map(va+uint64(i)*pagecache.PageSize, pa, mm.P|mm.RW|mm.US|mm.XD) != 0 {
			x.end(s, false)
			s.state = slotFree
			return linux.ENOMEM
		}
	}
	h := pcHandles[x.id] - 1
	s.req.Dir, s.req.Handle = shares.Root, handleOfObj(h)
	s.req.Offset, s.req.Buf, s.req.Len = x.off, va, uint64(size)
	s.req.Op, s.req.Share = x.op, uint32(shareOfObj(h))
	s.done = doneTransfer
	s.state = slotQueued
	return 0
}

// end unmaps transfer x of slot s from the window and ends it in the
// cache, as done (ok) or failed.
func (x *pcXfer) end(s *shareSlot, ok bool) {
	va := xferWindow + uint64(s.req.ID)*pcRunPages*pagecache.PageSize
	for i := range x.n {
		space.Unmap(va + uint64(i)*pagecache.PageSize)
	}
	flushTLB(va, va+uint64(x.n)*pagecache.PageSize)
	if x.op == shares.OpFill {
		pcache.EndFill(x.id, x.off, x.frames[:x.n], ok)
	} else {
		pcache.EndWriteback(x.id, x.off, x.frames[:x.n], ok)
	}
}

// cacheTransferDone ends slot s's transfer with the service's result
// and returns the waiting call's: made again, or the error.
func cacheTransferDone(s *shareSlot, res *shares.Result) uint64 {
	x := &pcXfers[s.req.ID]
	x.end(s, res.Errno == 0)
	wakeCacheWaiters()
	cacheIdle(x.id)
	if s.thread < 0 {
		// One of a write-back's further runs: nobody waits for it. If
		// it failed, its pages are dirty again and go home with the
		// next write-back, whose caller sees the error if it recurs.
		return 0
	}
	w := &threads[s.thread]
	if res.Errno != 0 {
		w.Frame.RIP += syscallInsnLen // not made again: it fails
		if w.Frame.RAX == linux.SYS_CLOSE {
			// close closes even when what it wrote home failed, as
			// on Linux; the pages stay dirty.
			closeFD(fdArg(w.Frame.RDI))
		}
		return linux.Errno(res.Errno).Ret()
	}
	return w.Frame.RAX
}

// cacheInFlight reports whether a transfer is in flight.
func cacheInFlight() bool {
	for i := range shareSlots {
		if s := &shareSlots[i]; s.state != slotFree && s.done == doneTransfer {
			return true
		}
	}
	return false
}

// dirtyLimit is how many dirty pages the cache may hold before writers
// write some home first: an eighth of the memory free or cached, so
// that memory pressure always finds clean pages to evict.
func dirtyLimit() int {
	return max(int((frames.FreeCount()+uint64(pcache.Pages()))/8), 2*pcRunPages)
}

// cacheThrottle writes a run home, parking t, if the dirty pages are
// past dirtyLimit.
func cacheThrottle(t *Thread, f *amd64.TrapFrame) (uint64, bool) {
	if pcache.DirtyPages() <= dirtyLimit() {
		return 0, false
	}
	if id := pcache.NextDirty(); id != 0 {
		return cacheWriteback(t, f, id, 0)
	}
	return 0, false
}

// cacheMakeRoom frees pages for a call that found none and makes it
// again: clean pages are evicted; if there are none, dirty ones are
// written home first, or the call waits for a transfer to end. ENOMEM
// when the cache holds nothing it could give.
func cacheMakeRoom(t *Thread, f *amd64.TrapFrame) uint64 {
	if pcache.Evict(pcRunPages) > 0 {
		return cacheRestart(f)
	}
	if id := pcache.NextDirty(); id != 0 {
		if r, ok := cacheWriteback(t, f, id, 0); ok {
			return r
		}
	}
	if cacheInFlight() {
		return cacheWait(t, f)
	}
	return linux.ENOMEM.Ret()
}

// reclaimFrames evicts clean cached pages when the frame allocator runs
// dry, before anything answers ENOMEM or ends the program for want of
// memory: page faults, tmpfs, pipes. It reports whether it freed any.
//
// Trap context: those allocations; not the cache's own (pagecache
// calls must not nest).
func reclaimFrames() bool { return pcache.Evict(4*pcRunPages) > 0 }

// freeFrames is the memory free for a commit: the allocator's free
// frames and the cached pages reclaimFrames could give back.
func freeFrames() uint64 { return frames.FreeCount() + uint64(pcache.Evictable()) }

// cacheSync writes every dirty page of file id home, waits for every
// transfer of it to end, and then has the service make the file
// durable (OpFsync with the cache's handle): fsync, fdatasync and
// msync(MS_SYNC). With data (fdatasync), the request carries
// shares.FsyncData.
func cacheSync(t *Thread, f *amd64.TrapFrame, id pagecache.ID, data bool) uint64 {
	takeMappedDirty(id, 0, ^uint64(0))
	if r, ok := cacheWriteback(t, f, id, 0); ok {
		return r
	}
	if pcache.Busy(id) > 0 {
		return cacheWait(t, f)
	}
	s := shareSlotFor(t, f)
	if s == nil {
		return f.RAX
	}
	h := pcHandles[id] - 1
	s.req.Dir, s.req.Handle = shares.Root, handleOfObj(h)
	if data {
		s.req.Flags = shares.FsyncData
	}
	return s.post(t, shares.OpFsync, shareOfObj(h))
}

// cacheWritebackAll writes home every dirty page of the cache (of share,
// or of every disk if share < 0) and waits for the transfers; it
// reports whether t was parked (its call is made again).
func cacheWritebackAll(t *Thread, f *amd64.TrapFrame, share int) (uint64, bool) {
	busy := false
	for i := 1; i <= pagecache.MaxFiles; i++ {
		id := pagecache.ID(i)
		if pcHandles[id] == 0 || share >= 0 && int(pcache.Key(id).Mount) != share {
			continue
		}
		takeMappedDirty(id, 0, ^uint64(0))
		if r, ok := cacheWriteback(t, f, id, 0); ok {
			return r, true
		}
		busy = busy || pcache.Busy(id) > 0
	}
	if busy {
		return cacheWait(t, f), true
	}
	return 0, false
}

// takeMappedDirty marks dirty the cached pages of file id that a shared
// mapping in [start, end) changed since the last look (the PTEs' D
// bits).
func takeMappedDirty(id pagecache.ID, start, end uint64) {
	if !pcache.Mapped(id) {
		return
	}
	took := false
	for _, a := range vmas.Areas() {
		if a.File != pcFileBase+uint32(id) || !a.Shared || a.Prot&mm.PROT_WRITE == 0 {
			continue
		}
		lo, hi := max(a.Start, start), min(a.End, end)
		for va := lo &^ 4095; va < hi; va += 4096 {
			if space.TakeDirty(va) {
				amd64.Invlpg(uintptr(va))
				pcache.MarkDirty(id, int64(a.FileOffset(va)))
				took = true
			}
		}
	}
	if took {
		shootdown() // another CPU's TLB would write on without setting D again
	}
}

// cacheTruncate cuts cached file id to size: pages past it leave every
// mapping first, then the cache.
func cacheTruncate(id pagecache.ID, size int64) {
	fileMaps.Unmap(pcFileBase+uint32(id), (size+4095)&^4095, pagecache.MaxFileSize, true)
	pcache.Truncate(id, size)
}

// cacheTruncated follows a truncation the service made of inode ino of
// share to size, if the cache has the file.
func cacheTruncated(share int, ino uint64, size int64) {
	if ino == 0 {
		return
	}
	if id := pcache.Lookup(pagecache.Key{Mount: uint32(share), Ino: ino}); id != 0 {
		cacheTruncate(id, size)
	}
}

// cacheMmapPrefetch fetches the pages of file id that a mapping of
// [off, off+length) would show before the mapping is made, since a
// fault cannot wait for the service. It reports whether t was parked.
func cacheMmapPrefetch(t *Thread, f *amd64.TrapFrame, id pagecache.ID, off, length uint64) (uint64, bool) {
	if miss := pcache.Missing(id, int64(off), int64(length)); miss >= 0 {
		return cacheFetch(t, f, id, miss), true
	}
	return 0, false
}

// cacheFilePage is mm.Files' FilePage for a cached file: the page a
// fault maps, made if it lies past the home size. A page that must be
// fetched cannot be (mmap fetched them all, and a mapping keeps them),
// so false: SIGBUS, as past the end of the file.
func cacheFilePage(id pagecache.ID, off uint64) (uint64, bool) {
	if off >= pagecache.MaxFileSize {
		return 0, false
	}
	pa, e := pcache.MapPage(id, int64(off), false)
	if e == linux.ENOMEM && pcache.Evict(pcRunPages) > 0 {
		pa, e = pcache.MapPage(id, int64(off), false)
	}
	return pa, e == 0
}

// pcMapped reports whether any cached file is mapped.
func pcMapped() bool {
	for _, ino := range mappedFiles[:mappedCount] {
		if ino >= pcFileBase {
			return true
		}
	}
	return false
}

// cacheCloseWriteback writes file id's dirty pages home when a
// description of it closes for the last time, unless a mapping still
// holds the file, and waits for them: what a program wrote is then on
// the disk as it was before the cache, for the journal's next commit
// (an fsync of any file, syncfs, or the service's own, every few
// seconds). It reports whether t was parked (close is made again).
func cacheCloseWriteback(t *Thread, f *amd64.TrapFrame, id pagecache.ID) (uint64, bool) {
	if pcache.Mapped(id) {
		return 0, false
	}
	if r, ok := cacheWriteback(t, f, id, 0); ok {
		return r, true
	}
	if pcache.Busy(id) > 0 {
		return cacheWait(t, f), true
	}
	return 0, false
}
