package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/kernel/linuxstack"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/procfs"
	"github.com/coracle-os/coracle/kernel/sigframe"
)

// The generated files of /proc/1, the one process (fs_proc.go): what it
// started with (cmdline, environ, auxv, from the initial stack), its
// memory (maps, and the sizes in stat and status, from the address-space
// map and the page tables), its threads and signals, and the mounts.

// capFullSet is every capability (CAP_LAST_CAP is 40 since Linux 5.9,
// include/uapi/linux/capability.h): the one user is root and nothing
// is refused for want of permission.
const capFullSet = 1<<41 - 1

// procSaveStart records what the program starts with: the stack
// pointer and a copy of the auxiliary vector, which Linux keeps for
// /proc/PID/auxv, and the time. Boot path.
func procSaveStart(area []byte, sp uint64) {
	procInitialSP = sp
	procStartNs = nanotime()
	s := linuxstack.Stack{Mem: area, Base: userStackTop - argArea, SP: sp}
	if a, n, ok := s.Auxv(); ok && n <= len(procAuxv) {
		procAuxvLen = copy(procAuxv[:], area[a-s.Base:a-s.Base+uint64(n)])
	}
}

// procStack is the initial stack as it is now: Linux too reads the
// arguments and environment from the process's memory.
func procStack() linuxstack.Stack {
	area, _ := userBytes(userStackTop-argArea, argArea, false)
	return linuxstack.Stack{Mem: area, Base: userStackTop - argArea, SP: procInitialSP}
}

// procString returns the address and bytes of argument i (or
// environment string i, with env) of the initial stack s.
func procString(s linuxstack.Stack, env bool, i uint64) (uint64, []byte, bool) {
	var a uint64
	var ok bool
	if env {
		a, ok = s.Env(i)
	} else {
		a, ok = s.Arg(i)
	}
	if !ok {
		return 0, nil, false
	}
	b, ok := s.String(a)
	return a, b, ok
}

// procStrings writes the arguments (cmdline) or the environment
// (environ), each string followed by a NUL.
func procStrings(o *procOut, env bool) {
	s := procStack()
	for i := uint64(0); ; i++ {
		_, b, ok := procString(s, env, i)
		if !ok {
			return
		}
		o.long(b)
		o.need(1)
		o.Byte(0)
	}
}

// procStringsRange is where the argument (or environment) strings lie:
// from the lowest to the end of the highest, as stat's arg_start and
// arg_end say.
func procStringsRange(env bool) (start, end uint64) {
	s := procStack()
	for i := uint64(0); ; i++ {
		a, b, ok := procString(s, env, i)
		if !ok {
			return start, end
		}
		if start == 0 || a < start {
			start = a
		}
		end = max(end, a+uint64(len(b))+1)
	}
}

// procAuxvValue is the value of the auxiliary vector's entry tag, or 0.
func procAuxvValue(tag uint64) uint64 {
	s := linuxstack.Stack{Mem: procAuxv[:procAuxvLen]}
	for i := uint64(0); i+16 <= uint64(procAuxvLen); i += 16 {
		if k, _ := s.Word(i); k == tag {
			v, _ := s.Word(i + 8)
			return v
		}
	}
	return 0
}

// procArea is an area of the address space as /proc shows it.
type procArea struct {
	mm.Area
	image bool   // a segment of the image (the program's file)
	off   uint64 // its offset in the image's file
	stack bool   // the initial stack
}

// procAreas calls fn with each area the program sees, in address order:
// its mappings and the image's segments, not the kernel's other
// reservations (device windows). The area is passed by value: a pointer
// passed to a func value escapes, and would be allocated.
func procAreas(fn func(a procArea)) {
	img, _ := readImage()
	for _, a := range vmas.Areas() {
		p := procArea{Area: a}
		if a.Kernel {
			for _, s := range img.segments[:img.n] {
				if a.Start >= s.start && a.Start < s.end {
					p.image, p.off = true, s.off+a.Start-s.start
				}
			}
			if !p.image {
				continue
			}
		}
		p.stack = !a.Kernel && a.Start < userStackTop && userStackTop <= a.End
		fn(p)
	}
}

// procMaps writes /proc/1/maps: the image's segments named by the
// program's path (the image is not a file here: device and inode 0),
// the initial stack as [stack], the pages of the vDSO image as [vdso]
// (it lies in the image's data, so with the data's rights), and the
// anonymous mappings.
func procMaps(o *procOut) {
	exe := strBytes(argv0(bootCmdline))
	vdsoStart := procAuxvValue(linuxstack.AT_SYSINFO_EHDR) &^ 4095
	vdsoEnd := vdsoStart
	if vdsoStart != 0 {
		vdsoEnd = (vdsoStart + uint64(len(vdsoImage)) + 4095) &^ 4095
	}
	procAreas(func(a procArea) {
		m := procfs.Mapping{Start: a.Start, End: a.End, Read: a.Prot&mm.PROT_READ != 0,
			Write: a.Prot&mm.PROT_WRITE != 0, Exec: a.Prot&mm.PROT_EXEC != 0, Offset: a.off}
		switch {
		case a.image:
			m.Name = exe
		case a.stack:
			m.Name = strBytes("[stack]")
		}
		if vdsoStart >= a.Start && vdsoStart < a.End {
			// The area before the vDSO, the vDSO, and the rest.
			rest := m
			m.End = vdsoStart
			if m.End > m.Start {
				procMapsLine(o, &m)
			}
			v := procfs.Mapping{Start: vdsoStart, End: min(vdsoEnd, a.End), Read: m.Read, Write: m.Write, Exec: m.Exec,
				Name: strBytes("[vdso]")}
			procMapsLine(o, &v)
			m = rest
			m.Start = v.End
			if a.image {
				m.Offset = a.off + m.Start - a.Start
			}
			if m.End <= m.Start {
				return
			}
		}
		procMapsLine(o, &m)
	})
}

func procMapsLine(o *procOut, m *procfs.Mapping) {
	o.need(100 + len(m.Name))
	procfs.MapsLine(&o.Text, m)
}

// procMemory sums the areas procAreas shows: sizes in bytes, resident
// pages from the page tables.
type procMemory struct {
	size, data, stack, exe uint64 // bytes
	rss, rssImage          uint64 // pages
	startCode, endCode     uint64
	startData, endData     uint64
}

func readProcMemory() procMemory {
	var m procMemory
	procAreas(func(a procArea) {
		n := a.End - a.Start
		backed := space.Backed(a.Start, a.End)
		m.size += n
		m.rss += backed
		switch {
		case a.image:
			m.rssImage += backed
			if a.Prot&mm.PROT_EXEC != 0 {
				m.exe += n
			}
		case a.stack:
			m.stack += n
		}
		if a.Prot&mm.PROT_WRITE != 0 && !a.stack {
			m.data += n // Linux's VmData: private writable memory, not the stack
		}
	})
	img, _ := readImage()
	for _, s := range img.segments[:img.n] {
		if s.flags&pfX != 0 && m.startCode == 0 {
			m.startCode, m.endCode = s.start, s.end
		}
		if s.flags&pfW != 0 && m.startData == 0 {
			m.startData, m.endData = s.start, s.end
		}
	}
	return m
}

// procThreads counts the live threads.
func procThreads() int64 {
	n := int64(0)
	for i := range threadsHigh {
		if threads[i].state != threadFree {
			n++
		}
	}
	return n
}

// procSignals returns the ignored and the caught signals.
func procSignals() (ignored, caught uint64) {
	for sig := 1; sig <= linux.NSIG; sig++ {
		switch h := sigactions[sig].Handler; {
		case h == sigframe.SIG_IGN:
			ignored |= sigframe.Bit(sig)
		case h != sigframe.SIG_DFL:
			caught |= sigframe.Bit(sig)
		}
	}
	return ignored, caught
}

// procStat writes /proc/1/stat. The process is running (it is reading
// the file), is its own process group and session, has no controlling
// terminal (TCGETS answers ENOTTY) and no parent; the kernel keeps no
// CPU times and no fault counts, so those are 0.
func procStat(o *procOut) {
	m := readProcMemory()
	ign, cgt := procSignals()
	main := &threads[0]
	argStart, argEnd := procStringsRange(false)
	envStart, envEnd := procStringsRange(true)
	s := procfs.Stat{PID: pid, Comm: procfs.Comm(strBytes(argv0(bootCmdline))), State: 'R',
		Pgrp: pid, Session: pid, TPGID: -1, Priority: 20, Threads: procThreads(),
		StartTime: uint64(procStartNs) / 1e7, // clock ticks: USER_HZ is 100
		VSize:     m.size, RSS: m.rss, RSSLim: linux.RLIM_INFINITY,
		StartCode: m.startCode, EndCode: m.endCode, StartStack: procInitialSP,
		Signal: main.pendingSignals, Blocked: main.sigMask, SigIgnore: ign, SigCatch: cgt,
		ExitSignal: linux.SIGCHLD, StartData: m.startData, EndData: m.endData,
		ArgStart: argStart, ArgEnd: argEnd, EnvStart: envStart, EnvEnd: envEnd}
	procfs.StatLine(&o.Text, &s)
}

// procStatus writes /proc/1/status, from the same state as procStat.
func procStatus(o *procOut) {
	m := readProcMemory()
	ign, cgt := procSignals()
	main := &threads[0]
	s := procfs.Status{Name: procfs.Comm(strBytes(argv0(bootCmdline))), Umask: umask, State: 'R', PID: pid,
		FDSize: maxFDs, VmSize: m.size / 1024, VmRSS: m.rss * 4, RssAnon: (m.rss - m.rssImage) * 4, RssFile: m.rssImage * 4,
		VmData: m.data / 1024, VmStk: m.stack / 1024, VmExe: m.exe / 1024, Threads: procThreads(),
		SigPnd: main.pendingSignals, SigBlk: main.sigMask, SigIgn: ign, SigCgt: cgt, CapPrm: capFullSet, CPUs: schedCPUs}
	procfs.StatusText(&o.Text, &s)
}

// procMounts writes /proc/1/mounts or mountinfo: the root tmpfs (/dev,
// /proc and /sys are directories of it), with the device number its
// files report (rootFSDev), then each shared host directory mounted on
// it (fs_share.go), a 9p file system named by its tag, and each disk,
// an ext4 file system, with its files' device number.
func procMounts(o *procOut, info bool) {
	m := procfs.Mount{ID: 1, Parent: 1, DevMajor: rootFSDev >> 8, DevMinor: rootFSDev & 0xff, Root: "/", Point: "/",
		Options: "rw", FSType: "tmpfs", Source: "tmpfs", SuperOptions: "rw"}
	procMountLine(o, &m, info)
	sc := cmdline.NewScanner(bootCmdline)
	share := 0
	for w, ok := sc.Next(); ok && share < shareCount; w, ok = sc.Next() {
		// The words setupShares numbers: the well-formed ones.
		sm, ok := shares.ParseMount(w.Key, w.Value)
		if !ok {
			continue
		}
		i := share
		share++
		ino := shareMounts[i].ino
		if ino == 0 {
			continue // not mounted
		}
		at, e := dirPath(ino, linkBuf[:])
		if e != 0 {
			continue
		}
		dev := uint64(shareDev + i)
		m = procfs.Mount{ID: int64(2 + i), Parent: 1, DevMajor: uint32(dev >> 8), DevMinor: uint32(dev & 0xff), Root: "/",
			Point: unsafe.String(&linkBuf[at], len(linkBuf)-at), Options: "rw", FSType: "9p", Source: sm.Tag,
			SuperOptions: "rw,trans=virtio"}
		disk := shareMounts[i].kind == shares.KindDisk
		if disk {
			m.FSType, m.Source, m.SuperOptions = "ext4", "virtio-blk", "rw"
		}
		if shareMounts[i].readOnly {
			m.Options, m.SuperOptions = "ro", "ro,trans=virtio"
			if disk {
				m.SuperOptions = "ro"
			}
		}
		procMountLine(o, &m, info)
	}
}

func procMountLine(o *procOut, m *procfs.Mount, info bool) {
	o.need(200 + len(m.Point) + len(m.Source))
	if info {
		procfs.MountinfoLine(&o.Text, m)
	} else {
		procfs.MountsLine(&o.Text, m)
	}
}
