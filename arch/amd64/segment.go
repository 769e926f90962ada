package amd64

import "unsafe"

// Segment selectors of the kernel's GDT. The order of the user entries is
// fixed by SYSRET, which loads CS from STAR[63:48]+16 and SS from
// STAR[63:48]+8 (SDM Vol. 2B, SYSRET).
const (
	KernelCS     = 0x08
	KernelDS     = 0x10
	userCS32     = 0x18 | 3 // never loaded; STAR names it for SYSRET
	UserDS       = 0x20 | 3
	UserCS       = 0x28 | 3
	TSSSelector  = 0x30
	gdtEntries   = 8 // TSS descriptor takes two
	rplUser      = 3
	selectorMask = ^uint16(7)
)

// Segment descriptor fields (SDM Vol. 3A §3.4.5, Figure 3-8).
const (
	descLimitLow  = 0xFFFF    // limit 15:0
	descLimitHigh = 0xF << 48 // limit 19:16
	descType      = 40        // bits 43:40
	descS         = 1 << 44   // code or data (not system)
	descDPL       = 45        // bits 46:45
	descP         = 1 << 47   // present
	descL         = 1 << 53   // 64-bit code
	descDB        = 1 << 54   // 32-bit default operand size
	descG         = 1 << 55   // limit in 4 KiB units
	typeCodeER    = 0xA       // execute/read
	typeDataRW    = 0x2       // read/write
	typeTSS64     = 0x9       // available 64-bit TSS (§7.2.3)
	flatLimit     = descLimitLow | descLimitHigh | descG
	descBaseLow   = 16 // bits 39:16 hold base 23:0
	descBaseHigh  = 56 // bits 63:56 hold base 31:24
	baseLowMask   = 0xFFFFFF
	baseHighShift = 24
)

// CodeDescriptor64 returns a 64-bit code segment descriptor for ring dpl.
func CodeDescriptor64(dpl int) uint64 {
	return flatLimit | typeCodeER<<descType | descS | uint64(dpl)<<descDPL | descP | descL
}

// DataDescriptor returns a flat read/write data segment for ring dpl.
func DataDescriptor(dpl int) uint64 {
	return flatLimit | typeDataRW<<descType | descS | uint64(dpl)<<descDPL | descP | descDB
}

// CodeDescriptor32 returns a flat 32-bit code segment for ring dpl.
func CodeDescriptor32(dpl int) uint64 {
	return flatLimit | typeCodeER<<descType | descS | uint64(dpl)<<descDPL | descP | descDB
}

// TSSDescriptor returns the two GDT words of a 64-bit TSS descriptor
// (SDM Vol. 3A §7.2.3, Figure 7-4).
func TSSDescriptor(base uint64, limit uint32) (low, high uint64) {
	low = uint64(limit&0xFFFF) | uint64(limit>>16&0xF)<<48 |
		(base&baseLowMask)<<descBaseLow | (base>>baseHighShift&0xFF)<<descBaseHigh |
		typeTSS64<<descType | descP
	high = base >> 32
	return low, high
}

// GDT is a CPU's global descriptor table: each CPU has its own, since
// its TSS descriptor names that CPU's TSS (and LTR marks it busy).
type GDT [gdtEntries]uint64

// gdt is the boot CPU's.
var gdt GDT

// LoadGDT installs the boot CPU's GDT with tss as its task-state
// segment and reloads every segment register.
//
// Runs once at boot, before traps are enabled.
func LoadGDT(tss *TSS) { gdt.Load(tss) }

// Load fills g with the kernel's segments and tss, installs it on the
// calling CPU and reloads every segment register and the task register.
func (g *GDT) Load(tss *TSS) {
	g[KernelCS>>3] = CodeDescriptor64(0)
	g[KernelDS>>3] = DataDescriptor(0)
	g[userCS32>>3] = CodeDescriptor32(rplUser)
	g[UserDS>>3] = DataDescriptor(rplUser)
	g[UserCS>>3] = CodeDescriptor64(rplUser)
	g[TSSSelector>>3], g[TSSSelector>>3+1] = TSSDescriptor(uint64(uintptr(unsafe.Pointer(tss))), tssSize-1)
	p := pseudoDescriptor{limit: uint16(unsafe.Sizeof(*g) - 1), base: uint64(uintptr(unsafe.Pointer(g)))}
	lgdt(&p)
	reloadSegments(KernelCS, KernelDS)
	ltr(TSSSelector)
}
