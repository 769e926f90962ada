package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// /proc, the part Go programs and their tools read (proc(5)), as
// ordinary files of the root tmpfs made at boot, not a file system of
// its own:
//
//   - /proc/1 (the one process) with exe, a symbolic link to the
//     program's path (argv[0], coracle.argv0 on the command line), which
//     os.Executable reads; /proc/self is a link to "1";
//   - /proc/meminfo and /proc/cpuinfo, regular files (mode 0444) whose
//     contents are generated again each time the file at that path is
//     opened, from the kernel's state then: the frame allocator's frames
//     for memory, CPUID for the one CPU. A descriptor reads what was true
//     when it was opened, as a read of Linux's file at its start does.
//
// Like the rest of the root they can be changed or removed; a file put
// in their place is not regenerated.

var _ [9 - pid]struct{} // /proc's directory for the process is one digit

// setupProc makes /proc. Boot path.
func setupProc(now int64) {
	dir, e := rootFS.Mkdir(tmpfs.RootIno, []byte("proc"), 0o555, now)
	if e != 0 {
		bootFailure("no memory for /proc")
	}
	pidName := []byte{'0' + pid}
	self, e := rootFS.Mkdir(dir, pidName, 0o555, now)
	if e == 0 {
		exe := argv0(bootCmdline)
		_, e = rootFS.Symlink(self, []byte("exe"), unsafe.Slice(unsafe.StringData(exe), len(exe)), now)
	}
	if e == 0 {
		_, e = rootFS.Symlink(dir, []byte("self"), pidName, now)
	}
	if e == 0 {
		procMeminfo, e = rootFS.Create(dir, []byte("meminfo"), 0o444, now)
	}
	if e == 0 {
		procCpuinfo, e = rootFS.Create(dir, []byte("cpuinfo"), 0o444, now)
	}
	if e != 0 {
		bootFailure("no memory for /proc")
	}
}

// procRefresh generates the contents of ino again if it is one of the
// generated files of /proc and still at its path: ENOSPC if the pages
// run out.
func procRefresh(ino tmpfs.Ino) linux.Errno {
	var name []byte
	switch {
	case ino == 0:
		return 0
	case ino == procMeminfo:
		name = []byte("meminfo")
	case ino == procCpuinfo:
		name = []byte("cpuinfo")
	default:
		return 0
	}
	dir, e := rootFS.Lookup(rootFS.Root(), []byte("proc"))
	if e != 0 {
		return 0
	}
	if n, e := rootFS.Lookup(dir, name); e != 0 || n.Ino != ino {
		return 0
	}
	var w procText
	if ino == procMeminfo {
		meminfo(&w)
	} else {
		cpuinfo(&w)
	}
	b := procBuf[:w.n]
	now := walltime()
	if e := rootFS.Truncate(ino, 0, now); e != 0 {
		return e
	}
	if n, e := rootFS.Write(ino, 0, b, now); e != 0 || n < len(b) {
		rootFS.Truncate(ino, 0, now)
		return linux.ENOSPC
	}
	return 0
}

// procText writes a generated file into procBuf, dropping what does
// not fit; unlike append it never grows a slice, so it cannot allocate.
type procText struct{ n int }

func (w *procText) str(s string)   { w.n += copy(procBuf[w.n:], s) }
func (w *procText) bytes(b []byte) { w.n += copy(procBuf[w.n:], b) }

// dec writes v in decimal, right-aligned in width columns.
func (w *procText) dec(v uint64, width int) {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = '0' + byte(v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for pad := width - (len(d) - i); pad > 0; pad-- {
		w.str(" ")
	}
	w.bytes(d[i:])
}

// meminfo writes /proc/meminfo's lines: the frames the allocator
// manages as MemTotal, the free ones as MemFree, and those beyond the
// commit reserve the kernel keeps as MemAvailable.
func meminfo(w *procText) {
	total, free := frames.TotalCount()*4, frames.FreeCount()*4
	avail := uint64(0)
	if free > commitReserve/1024 {
		avail = free - commitReserve/1024
	}
	meminfoLine(w, "MemTotal:", total)
	meminfoLine(w, "MemFree:", free)
	meminfoLine(w, "MemAvailable:", avail)
	meminfoLine(w, "SwapTotal:", 0)
	meminfoLine(w, "SwapFree:", 0)
}

// meminfoLine writes one line in Linux's layout: the label padded to
// 16 columns, the number right-aligned in 8, then " kB".
func meminfoLine(w *procText, label string, kb uint64) {
	w.str(label)
	w.dec(kb, 16-len(label)+8)
	w.str(" kB\n")
}

// cpuinfo writes /proc/cpuinfo's lines for the one CPU: its vendor,
// family, model and stepping and its brand string, from CPUID.
func cpuinfo(w *procText) {
	var s [48]byte
	_, ebx, ecx, edx := amd64.CPUID(0, 0)
	for i := range 4 {
		s[i], s[4+i], s[8+i] = byte(ebx>>(8*i)), byte(edx>>(8*i)), byte(ecx>>(8*i))
	}
	w.str("processor\t: 0\nvendor_id\t: ")
	w.bytes(s[:12])
	eax, _, _, _ := amd64.CPUID(1, 0)
	family, model := eax>>8&0xf, eax>>4&0xf
	if family == 0xf {
		family += eax >> 20 & 0xff
	}
	if family >= 6 {
		model |= eax >> 12 & 0xf0
	}
	w.str("\ncpu family\t: ")
	w.dec(uint64(family), 0)
	w.str("\nmodel\t\t: ")
	w.dec(uint64(model), 0)
	w.str("\nmodel name\t: ")
	if max, _, _, _ := amd64.CPUID(0x80000000, 0); max >= 0x80000004 {
		for leaf := range uint32(3) {
			a, bx, c, d := amd64.CPUID(0x80000002+leaf, 0)
			for i, r := range [4]uint32{a, bx, c, d} {
				for j := range 4 {
					s[leaf*16+uint32(i)*4+uint32(j)] = byte(r >> (8 * j))
				}
			}
		}
		name := s[:]
		for len(name) > 0 && (name[len(name)-1] == 0 || name[len(name)-1] == ' ') {
			name = name[:len(name)-1]
		}
		for len(name) > 0 && name[0] == ' ' {
			name = name[1:]
		}
		w.bytes(name)
	}
	w.str("\nstepping\t: ")
	w.dec(uint64(eax&0xf), 0)
	w.str("\ncpu cores\t: 1\n\n")
}
