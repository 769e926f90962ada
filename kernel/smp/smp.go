// Package smp holds the pure logic of starting the application
// processors (APs): which low page the real-mode trampoline goes to,
// where each CPU's stacks lie in the kernel half, and whether the local
// APICs run in xAPIC or x2APIC mode (apicmode.go). The kernel
// (kernel/boot_aps.go, boot_apic.go) supplies the memory map and the
// CPU's facts and does the starting.
//
// Trap context: none; the kernel calls it at boot, before the program
// starts, and it allocates nothing.
package smp

import "github.com/coracle-os/coracle/kernel/mm"

// PageSize is the size of the trampoline page and of stack guard pages.
const PageSize = 4096

// Bounds of the trampoline page's search (physical addresses).
const (
	// lowestPage is the first page considered: page 0 holds the
	// real-mode interrupt vector table and the BIOS Data Area.
	lowestPage = PageSize
	// tablesKiB is base memory's last KiB, 0x9FC00-0xA0000, where
	// hypervisors without a BIOS put the MP table (qboot, Firecracker):
	// the page that holds it is never taken.
	tablesKiB = 0x9FC00
)

// TrampolinePage picks the physical page the AP trampoline is copied to:
// the highest 4 KiB page wholly in RAM (ram, the memory map's RAM
// ranges) that ends at or below the end of base memory (baseEnd, as the
// BIOS Data Area gives it), the EBDA (ebda; 0 when there is none) and
// 0x9FC00, and starts at or above 0x1000. Those limits keep the firmware's
// tables intact; what else lies in low RAM (the loader's start info and
// command line) has been copied by the time the APs start. The highest
// page is the one firmware and loaders, which fill low memory from the
// bottom, are least likely to have used. It reports false when no page
// qualifies.
func TrampolinePage(ram *mm.RangeList, baseEnd, ebda uint64) (uint64, bool) {
	top := min(baseEnd, uint64(tablesKiB))
	if ebda != 0 {
		top = min(top, ebda)
	}
	for p := top&^(PageSize-1) - PageSize; top >= lowestPage+PageSize && p >= lowestPage; p -= PageSize {
		if ram.Covers(mm.Range{Start: p, End: p + PageSize}) {
			return p, true
		}
	}
	return 0, false
}

// Per-CPU stacks. CPU slot n's stacks lie in a StackSlotSize region at
// base + n*StackSlotSize of the kernel half: a guard page, the kernel
// stack, a guard page, the emergency stack (the TSS's IST1, taken by
// double faults, NMIs and machine checks), and the rest unmapped, so
// that overflowing either stack faults on a guard page rather than
// running into another CPU's.
const (
	StackSlotSize      = 128 << 10
	KernelStackSize    = 64 << 10
	EmergencyStackSize = 16 << 10
)

// Stack is the range [Lo, Hi) of one stack; it grows down from Hi.
type Stack struct{ Lo, Hi uint64 }

// SlotStacks returns the kernel and emergency stacks of slot n of the
// region at base.
func SlotStacks(base uint64, n int) (kernel, emergency Stack) {
	s := base + uint64(n)*StackSlotSize
	kernel = Stack{Lo: s + PageSize, Hi: s + PageSize + KernelStackSize}
	emergency = Stack{Lo: kernel.Hi + PageSize, Hi: kernel.Hi + PageSize + EmergencyStackSize}
	return kernel, emergency
}

// SlotOf returns the slot whose stacks (or guard pages) hold address a
// of the region at base, and false when a lies below base.
func SlotOf(base, a uint64) (int, bool) {
	if a < base {
		return 0, false
	}
	return int((a - base) / StackSlotSize), true
}
