package kernel

import (
	"runtime"

	"github.com/coracle-os/coracle/arch/amd64"
)

// The system-wide generated files of /proc (fs_proc.go): meminfo,
// cpuinfo and version. Each is short: it fits procBuf, so it writes
// without asking for room.

// meminfo writes /proc/meminfo's lines: the frames the allocator
// manages as MemTotal, the free ones as MemFree, and those beyond the
// commit reserve the kernel keeps as MemAvailable.
func meminfo(o *procOut) {
	total, free := frames.TotalCount()*4, frames.FreeCount()*4
	avail := uint64(0)
	if free > commitReserve/1024 {
		avail = free - commitReserve/1024
	}
	meminfoLine(o, "MemTotal:", total)
	meminfoLine(o, "MemFree:", free)
	meminfoLine(o, "MemAvailable:", avail)
	meminfoLine(o, "SwapTotal:", 0)
	meminfoLine(o, "SwapFree:", 0)
}

// meminfoLine writes one line in Linux's layout: the label padded to
// 16 columns, the number right-aligned in 8, then " kB".
func meminfoLine(o *procOut, label string, kb uint64) {
	o.Str(label)
	o.DecPad(kb, 16-len(label)+8)
	o.Str(" kB\n")
}

// cpuinfo writes /proc/cpuinfo's lines for each CPU that runs threads
// (all alike: the APs have the boot CPU's features, sameFeatures), up to
// cpuinfoMax of them, which procBuf holds.
func cpuinfo(o *procOut) {
	for i := range min(schedCPUs, cpuinfoMax) {
		cpuinfoOne(o, i)
	}
}

// cpuinfoMax bounds the CPUs /proc/cpuinfo lists (about 200 bytes each).
const cpuinfoMax = 16

// cpuinfoOne writes processor i's lines: its vendor, family, model and
// stepping and its brand string, from CPUID.
func cpuinfoOne(o *procOut, i int) {
	var s [48]byte
	_, ebx, ecx, edx := amd64.CPUID(0, 0)
	for i := range 4 {
		s[i], s[4+i], s[8+i] = byte(ebx>>(8*i)), byte(edx>>(8*i)), byte(ecx>>(8*i))
	}
	o.Str("processor\t: ")
	o.Dec(uint64(i))
	o.Str("\nvendor_id\t: ")
	o.Write(s[:12])
	eax, _, _, _ := amd64.CPUID(1, 0)
	family, model := eax>>8&0xf, eax>>4&0xf
	if family == 0xf {
		family += eax >> 20 & 0xff
	}
	if family >= 6 {
		model |= eax >> 12 & 0xf0
	}
	o.Str("\ncpu family\t: ")
	o.Dec(uint64(family))
	o.Str("\nmodel\t\t: ")
	o.Dec(uint64(model))
	o.Str("\nmodel name\t: ")
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
		o.Write(name)
	}
	o.Str("\nstepping\t: ")
	o.Dec(uint64(eax & 0xf))
	o.Str("\ncpu cores\t: ")
	o.Dec(uint64(schedCPUs))
	o.Str("\n\n")
}

// procVersion writes /proc/version as Linux lays it out ("Linux version
// RELEASE (BUILDER) (COMPILER) VERSION"): uname's release and version,
// and the Go release that compiled the image.
func procVersion(o *procOut) {
	o.Str("Linux version ")
	o.Str(utsRelease)
	o.Str(" (coracle) (")
	o.Str(runtime.Version())
	o.Str(") ")
	o.Str(utsVersion)
	o.Byte('\n')
}
