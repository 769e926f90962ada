package kernel

import (
	"strconv"
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
	b := procBuf[:0]
	if ino == procMeminfo {
		b = meminfo(b)
	} else {
		b = cpuinfo(b)
	}
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

// meminfo appends /proc/meminfo's lines to b: the frames the allocator
// manages as MemTotal, the free ones as MemFree, and those beyond the
// commit reserve the kernel keeps as MemAvailable.
func meminfo(b []byte) []byte {
	total, free := frames.TotalCount()*4, frames.FreeCount()*4
	avail := uint64(0)
	if free > commitReserve/1024 {
		avail = free - commitReserve/1024
	}
	b = meminfoLine(b, "MemTotal:", total)
	b = meminfoLine(b, "MemFree:", free)
	b = meminfoLine(b, "MemAvailable:", avail)
	b = meminfoLine(b, "SwapTotal:", 0)
	return meminfoLine(b, "SwapFree:", 0)
}

// meminfoLine appends one line in Linux's layout: the label padded to
// 16 columns, the number right-aligned in 8, then " kB".
func meminfoLine(b []byte, label string, kb uint64) []byte {
	b = append(b, label...)
	var num [20]byte
	digits := strconv.AppendUint(num[:0], kb, 10)
	for pad := 16 - len(label) + 8 - len(digits); pad > 0; pad-- {
		b = append(b, ' ')
	}
	b = append(b, digits...)
	return append(b, " kB\n"...)
}

// cpuinfo appends /proc/cpuinfo's lines for the one CPU: its vendor,
// family, model and stepping and its brand string, from CPUID.
func cpuinfo(b []byte) []byte {
	var s [48]byte
	_, ebx, ecx, edx := amd64.CPUID(0, 0)
	for i := range 4 {
		s[i], s[4+i], s[8+i] = byte(ebx>>(8*i)), byte(edx>>(8*i)), byte(ecx>>(8*i))
	}
	b = append(b, "processor\t: 0\nvendor_id\t: "...)
	b = append(b, s[:12]...)
	eax, _, _, _ := amd64.CPUID(1, 0)
	family, model := eax>>8&0xf, eax>>4&0xf
	if family == 0xf {
		family += eax >> 20 & 0xff
	}
	if family >= 6 {
		model |= eax >> 12 & 0xf0
	}
	b = append(b, "\ncpu family\t: "...)
	b = strconv.AppendUint(b, uint64(family), 10)
	b = append(b, "\nmodel\t\t: "...)
	b = strconv.AppendUint(b, uint64(model), 10)
	b = append(b, "\nmodel name\t: "...)
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
		b = append(b, name...)
	}
	b = append(b, "\nstepping\t: "...)
	b = strconv.AppendUint(b, uint64(eax&0xf), 10)
	return append(b, "\ncpu cores\t: 1\n\n"...)
}
