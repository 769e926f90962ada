package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/pagecache"
)

// Memory system calls over mm: anonymous memory, which is all the Go
// runtime asks for (docs/linux-abi.md §5), and mappings of the root's
// regular files (mem_file.go).

func sysMmap(t *Thread, f *amd64.TrapFrame) uint64 {
	addr, length, prot, flags, fd, off := f.RDI, f.RSI, f.RDX, f.R10, int32(f.R8), f.R9 // Linux reads fd as an int
	if off%4096 != 0 {
		return linux.EINVAL.Ret()
	}
	if flags&linux.MAP_ANONYMOUS == 0 {
		if d := lookupFD(uint64(uint32(fd))); fd >= 0 && d != nil && d.Kind == fdShare && cacheID(d) == 0 {
			return shareMmap(t, f, uint64(uint32(fd)), d, addr, length, prot, flags, off)
		}
	}
	var b mm.Backing
	if flags&linux.MAP_ANONYMOUS == 0 {
		var anon bool
		var e linux.Errno
		if b, anon, e = fileBacking(fd, flags, prot, off); e != 0 {
			return e.Ret()
		}
		if anon {
			flags |= linux.MAP_ANONYMOUS
		}
		if b.File >= pcFileBase && length > 0 && length <= pagecache.MaxFileSize {
			// A fault cannot wait for the disk: fetch first.
			if r, parked := cacheMmapPrefetch(t, f, pagecache.ID(b.File-pcFileBase), off, (length+4095)&^4095); parked {
				return r
			}
		}
	}
	if b.File == 0 && flags&linux.MAP_SHARED != 0 {
		// Shared anonymous memory is private memory when there is
		// one process and no fork.
		flags = flags&^linux.MAP_SHARED | linux.MAP_PRIVATE
	}
	if prot&^(linux.PROT_READ|linux.PROT_WRITE|linux.PROT_EXEC) != 0 {
		return linux.EINVAL.Ret()
	}
	fixed := flags&(linux.MAP_FIXED|linux.MAP_FIXED_NOREPLACE) != 0
	if flags&linux.MAP_FIXED_NOREPLACE != 0 {
		if gap, kernel := vmas.Coverage(addr, addr+length); !gap || kernel {
			return linux.EEXIST.Ret()
		}
	}
	if prot&linux.PROT_WRITE != 0 && !b.Shared && !canCommit(addr, length, fixed) {
		return linux.ENOMEM.Ret()
	}
	if b.File != 0 && !holdFile(b.File) {
		return linux.ENOMEM.Ret()
	}
	if fixed && addr%4096 == 0 {
		takeAllMappedDirty(addr, addr+length) // before the areas it replaces go
	}
	got, e := vmas.MapFile(addr, length, mm.Prot(prot), fixed, b)
	if e != 0 {
		releaseUnmappedFiles()
		return linux.Errno(e).Ret()
	}
	if fixed {
		discard(got, got+length)
		releaseUnmappedFiles()
	}
	return got
}

func sysMunmap(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI%4096 == 0 && f.RSI > 0 {
		takeAllMappedDirty(f.RDI, f.RDI+f.RSI)
	}
	if e := vmas.Unmap(f.RDI, f.RSI); e != 0 {
		return linux.Errno(e).Ret()
	}
	discard(f.RDI, f.RDI+f.RSI)
	releaseUnmappedFiles()
	return 0
}

func sysMprotect(t *Thread, f *amd64.TrapFrame) uint64 {
	addr, length := f.RDI, f.RSI
	if e := vmas.Protect(addr, length, mm.Prot(f.RDX)); e != 0 {
		return linux.Errno(e).Ret()
	}
	if mm.ProtectPages(&space, addr, addr+length, mm.Prot(f.RDX)) > 0 {
		flushTLB(addr, addr+length)
	}
	return 0
}

// msync(addr, length, flags): a shared mapping's pages are the file's
// own. A root file has nothing to write back; a disk file's pages the
// mapping changed become dirty in the page cache, and MS_SYNC writes
// them home and has the disk make them durable, as fsync. The call
// checks its arguments as Linux does.
func sysMsync(t *Thread, f *amd64.TrapFrame) uint64 {
	addr, length, flags := f.RDI, f.RSI, f.RDX
	switch {
	case addr%4096 != 0,
		flags&^(linux.MS_ASYNC|linux.MS_INVALIDATE|linux.MS_SYNC) != 0,
		flags&linux.MS_ASYNC != 0 && flags&linux.MS_SYNC != 0:
		return linux.EINVAL.Ret()
	}
	end := addr + (length+4095)&^4095
	switch {
	case end < addr:
		return linux.ENOMEM.Ret()
	case end == addr:
		return 0
	}
	if gap, kernel := vmas.Coverage(addr, end); gap || kernel {
		return linux.ENOMEM.Ret()
	}
	takeAllMappedDirty(addr, end)
	if flags&linux.MS_SYNC != 0 {
		// Write home the first cached disk file mapped there and make
		// it durable.
		for _, a := range vmas.Areas() {
			if a.File >= pcFileBase && a.Start < end && addr < a.End && a.Shared {
				return cacheSync(t, f, pagecache.ID(a.File-pcFileBase), false)
			}
		}
	}
	return 0
}

// takeAllMappedDirty marks dirty the cached pages that shared mappings
// in [start, end) changed (msync, munmap).
func takeAllMappedDirty(start, end uint64) {
	if !pcMapped() {
		return
	}
	for _, a := range vmas.Areas() {
		if a.File >= pcFileBase && a.Start < end && start < a.End {
			takeMappedDirty(pagecache.ID(a.File-pcFileBase), start, end)
		}
	}
}

func sysMadvise(t *Thread, f *amd64.TrapFrame) uint64 {
	addr, length := f.RDI, f.RSI
	if addr%4096 != 0 {
		return linux.EINVAL.Ret()
	}
	switch f.RDX {
	case linux.MADV_DONTNEED, linux.MADV_FREE:
		// Both give the pages back now; the next touch reads zeros,
		// which the runtime relies on for DONTNEED, or the file's
		// page again in a file mapping.
		gap, kernel := vmas.Coverage(addr, addr+length)
		if kernel {
			return linux.EINVAL.Ret()
		}
		if gap {
			return linux.ENOMEM.Ret()
		}
		takeAllMappedDirty(addr, addr+length) // a disk file's changed pages stay changed
		discard(addr, addr+length)
		return 0
	case linux.MADV_NORMAL, linux.MADV_RANDOM, linux.MADV_SEQUENTIAL, linux.MADV_WILLNEED,
		linux.MADV_HUGEPAGE, linux.MADV_NOHUGEPAGE, linux.MADV_COLLAPSE:
		// Advice only: bbolt, for one, asks MADV_RANDOM of its
		// database mapping and fails to open on EINVAL.
		return 0
	}
	return linux.EINVAL.Ret()
}
