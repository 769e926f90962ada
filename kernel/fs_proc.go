package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/procfs"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// /proc and /sys, the parts Go programs, their libraries and their tools
// read (proc(5), sysfs(5)), as files of the root tmpfs made at boot, not
// file systems of their own:
//
//   - generated files (procFileTable): regular files whose contents are
//     written again, from the kernel's state then, each time the file at
//     that path is opened (procRefresh, from openat), a buffer at a time
//     (procOut), so a descriptor reads what was true when it was opened,
//     as a read of Linux's file from its start does; stat reports their
//     size as 0, as Linux does (statProcSize);
//   - /proc/1, the one process, with /proc/self a link to "1", exe a link
//     to the program's path, and fd/, whose entries are made as they are
//     looked up or listed (fs_proc_fd.go);
//   - links: /proc/mounts to self/mounts, and in /dev (fs_dev.go) fd,
//     stdin, stdout and stderr, to /proc/self/fd, as on Linux.
//
// Like the rest of the root they can be changed or removed; a file put
// in place of a generated one is not regenerated.

var _ [9 - pid]struct{} // /proc's directory for the process is one digit

// procGen names how a generated file is generated.
type procGen uint8

const (
	genNone procGen = iota
	genMeminfo
	genCpuinfo
	genVersion
	genUptime
	genHostname
	genOSRelease
	genCmdline
	genEnviron
	genAuxv
	genComm
	genMaps
	genStat
	genStatus
	genMounts
	genMountinfo
	genCgroup
	genTHPSize
	genTHPEnabled
	genCPUList
	procGenCount
)

// procFile is where a generated file is: its directory and its inode.
type procFile struct{ dir, ino tmpfs.Ino }

// procFileTable lists the generated files. Directories on the way are
// made with mode 0555 under /proc and 0755 under /sys, as on Linux.
var procFileTable = [...]struct {
	path string
	mode uint32
	gen  procGen
}{
	{"proc/meminfo", 0o444, genMeminfo},
	{"proc/cpuinfo", 0o444, genCpuinfo},
	{"proc/version", 0o444, genVersion},
	{"proc/uptime", 0o444, genUptime},
	{"proc/sys/kernel/hostname", 0o444, genHostname},
	{"proc/sys/kernel/osrelease", 0o444, genOSRelease},
	{"proc/1/cmdline", 0o444, genCmdline},
	{"proc/1/environ", 0o400, genEnviron},
	{"proc/1/auxv", 0o400, genAuxv},
	{"proc/1/comm", 0o444, genComm},
	{"proc/1/maps", 0o444, genMaps},
	{"proc/1/stat", 0o444, genStat},
	{"proc/1/status", 0o444, genStatus},
	{"proc/1/mounts", 0o444, genMounts},
	{"proc/1/mountinfo", 0o444, genMountinfo},
	{"proc/1/cgroup", 0o444, genCgroup},
	{"sys/kernel/mm/transparent_hugepage/hpage_pmd_size", 0o444, genTHPSize},
	{"sys/kernel/mm/transparent_hugepage/enabled", 0o444, genTHPEnabled},
	{"sys/devices/system/cpu/online", 0o444, genCPUList},
	{"sys/devices/system/cpu/possible", 0o444, genCPUList},
	{"sys/devices/system/cpu/present", 0o444, genCPUList},
}

// procLinks are the symbolic links of /proc and /dev.
var procLinks = [...]struct{ path, target string }{
	{"proc/self", "1"},
	{"proc/mounts", "self/mounts"},
	{"dev/fd", "/proc/self/fd"},
	{"dev/stdin", "/proc/self/fd/0"},
	{"dev/stdout", "/proc/self/fd/1"},
	{"dev/stderr", "/proc/self/fd/2"},
}

// strBytes is s as a byte slice without a copy (neither the boot path
// nor trap context can allocate); the calls it is passed to only read
// it.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// bootParent makes the directories of path (relative to the root) on
// the way to its last element, those under /proc with mode 0555 and the
// others 0755, and returns the last directory and the last name. Boot
// path.
func bootParent(path string, now int64) (tmpfs.Ino, []byte) {
	dir := tmpfs.Ino(tmpfs.RootIno)
	mode := uint32(0o755)
	if len(path) >= 5 && path[:5] == "proc/" {
		mode = 0o555
	}
	for {
		i := 0
		for i < len(path) && path[i] != '/' {
			i++
		}
		if i == len(path) {
			return dir, strBytes(path)
		}
		name := strBytes(path[:i])
		n, e := rootFS.Lookup(inoNode(dir), name)
		if e == linux.ENOENT {
			n.Ino, e = rootFS.Mkdir(dir, name, mode, now)
		}
		if e != 0 {
			bootFailure("no memory for /proc and /sys")
		}
		dir, path = n.Ino, path[i+1:]
	}
}

// setupProc makes /proc and /sys with their generated files and links,
// and the links of /dev. Boot path, after setupDev.
func setupProc(now int64) {
	for i, f := range procFileTable {
		dir, name := bootParent(f.path, now)
		ino, e := rootFS.Create(dir, name, f.mode, now)
		if e != 0 {
			bootFailure("no memory for /proc and /sys")
		}
		procFiles[i] = procFile{dir, ino}
	}
	for _, l := range procLinks {
		dir, name := bootParent(l.path, now)
		if _, e := rootFS.Symlink(dir, name, strBytes(l.target), now); e != 0 {
			bootFailure("no memory for /proc")
		}
	}
	self, name := bootParent("proc/1/exe", now)
	exe := argv0(bootCmdline)
	if _, e := rootFS.Symlink(self, name, strBytes(exe), now); e != 0 {
		bootFailure("no memory for /proc")
	}
	dir, name := bootParent("proc/1/fd", now)
	fdDir, e := rootFS.Mkdir(dir, name, 0o500, now)
	if e != 0 {
		bootFailure("no memory for /proc")
	}
	procFDDir = fdDir
}

// procGenOf says how ino is generated: genNone unless it is one of the
// generated files and still at its path.
func procGenOf(ino tmpfs.Ino) procGen {
	if i := procFileIndex(ino); i >= 0 {
		return procFileTable[i].gen
	}
	return genNone
}

// procFileIndex is ino's index in procFileTable, or -1 unless it is one
// of the generated files and still at its path (a file put in its
// place, or the inode reused after the file was removed, is the
// program's).
func procFileIndex(ino tmpfs.Ino) int {
	if ino == 0 {
		return -1
	}
	for i := range procFileTable {
		if procFiles[i].ino != ino {
			continue
		}
		path := procFileTable[i].path
		name := path
		for j := len(path) - 1; j >= 0; j-- {
			if path[j] == '/' {
				name = path[j+1:]
				break
			}
		}
		if n, e := rootFS.Lookup(inoNode(procFiles[i].dir), strBytes(name)); e != 0 || n.Ino != ino {
			return -1
		}
		return i
	}
	return -1
}

// statProcSize reports a generated file's size as Linux does: 0 for
// the files of /proc, whose contents exist only once read, and a page
// for the attributes of /sys (sysfs gives every attribute PAGE_SIZE).
func statProcSize(st *stat, ino tmpfs.Ino) {
	i := procFileIndex(ino)
	if i < 0 {
		return
	}
	st.size, st.blks = 0, 0
	if procFileTable[i].path[:4] == "sys/" {
		st.size = 4096
	}
}

// procRefresh generates the contents of ino again if it is one of the
// generated files, or lists the descriptors again if it is /proc/1/fd:
// ENOSPC if the pages run out.
func procRefresh(ino tmpfs.Ino) linux.Errno {
	if ino != 0 && ino == procFDDir {
		return procListFDs()
	}
	g := procGenOf(ino)
	if g == genNone {
		return 0
	}
	o := procOut{Text: procfs.Text{B: procBuf[:]}, ino: ino, now: walltime()}
	defer kernelOwned()()
	if e := rootFS.Truncate(ino, 0, o.now); e != 0 {
		return e
	}
	switch g {
	case genMeminfo:
		meminfo(&o)
	case genCpuinfo:
		cpuinfo(&o)
	case genVersion:
		procVersion(&o)
	case genUptime:
		procfs.Uptime(&o.Text, nanotime(), idleNs)
	case genHostname:
		o.Str(utsNode)
		o.Byte('\n')
	case genOSRelease:
		o.Str(utsRelease)
		o.Byte('\n')
	case genCmdline:
		procStrings(&o, false)
	case genEnviron:
		procStrings(&o, true)
	case genAuxv:
		o.Write(procAuxv[:procAuxvLen])
	case genComm:
		o.Write(procfs.Comm(strBytes(argv0(bootCmdline))))
		o.Byte('\n')
	case genMaps:
		procMaps(&o)
	case genStat:
		procStat(&o)
	case genStatus:
		procStatus(&o)
	case genMounts, genMountinfo:
		procMounts(&o, g == genMountinfo)
	case genCgroup:
		// No cgroups: the process is in the root of the (unmounted)
		// version 2 hierarchy, as on a Linux without cgroup mounts.
		o.Str("0::/\n")
	case genTHPSize:
		o.Dec(largePage)
		o.Byte('\n')
	case genTHPEnabled:
		// User memory is mapped with 4 KiB pages only.
		o.Str("always madvise [never]\n")
	case genCPUList:
		procfs.CPUList(&o.Text, schedCPUs)
		o.Byte('\n')
	}
	o.flush()
	if o.e != 0 {
		rootFS.Truncate(ino, 0, o.now)
	}
	return o.e
}

// procOut streams a generated file into its inode a buffer (procBuf)
// at a time. Generators call need before each record, with the most
// the record can take.
type procOut struct {
	procfs.Text
	ino tmpfs.Ino
	off int64
	now int64
	e   linux.Errno
}

// need flushes the buffer unless n more bytes fit.
func (o *procOut) need(n int) {
	if o.Room() < n {
		o.flush()
	}
}

// flush writes the buffer to the file: ENOSPC once a write falls short.
func (o *procOut) flush() {
	if o.e == 0 && o.N > 0 {
		n, e := rootFS.Write(o.ino, o.off, o.Bytes(), o.now)
		if e == 0 && n < o.N {
			e = linux.ENOSPC
		}
		o.off += int64(n)
		o.e = e
	}
	o.Reset()
}

// long writes b, which may be longer than the buffer.
func (o *procOut) long(b []byte) {
	for len(b) > 0 {
		o.need(1)
		n := copy(o.B[o.N:], b)
		o.N += n
		b = b[n:]
	}
}
