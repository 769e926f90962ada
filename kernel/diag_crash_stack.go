package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/boot"
	"github.com/coracle-os/coracle/kernel/stackwalk"
	"github.com/coracle-os/coracle/kernel/symtab"
)

// userStackSpan bounds the walk of a thread's user stack, whose real
// bounds (the goroutine's) only the Go runtime knows: the largest stack
// it lets a goroutine grow (runtime.maxstacksize on 64-bit, 1 GB).
const userStackSpan = 1 << 30

// printKernelStack prints the kernel's calls that led to the fault in f,
// by walking the frame pointers on the stack f.RSP is on: the kernel
// stack (a trap from ring 3 being served) or the boot stack.
//
// Trap context: safe.
func printKernelStack(f *amd64.TrapFrame, symbols *symtab.Table) {
	stack, name, ok := kernelStackOf(f.RSP)
	console.str("coracle: kernel stack (frame pointers from RBP on the ")
	console.str(name)
	if !ok {
		console.str("; not walked)\n")
		return
	}
	console.str(" ")
	console.hex(stack.Lo, 16)
	console.str("-")
	console.hex(stack.Hi, 16)
	console.str("):\n")
	tr := walkFrom(kernelMemory{}, stack, symbols, f.RIP, f.RSP, f.RBP)
	if servesThreads(name) && tr.Stop == stackwalk.StopOutside && tr.At == cur().Frame.RBP {
		// The entry stub from ring 3 keeps the thread's RBP: the
		// chain's expected end, not a corrupt link.
		printTrace(tr, symbols, "end of the kernel's frames: the next frame pointer is the thread's user RBP")
		return
	}
	if name == bootStackName && tr.N > 0 {
		// entry64, the first 64-bit code, calls with whatever RBP the
		// hypervisor left: what follows its frame is not a link.
		if fn, _, ok := symbols.Lookup(uintptr(tr.PC[tr.N-1] - 1)); ok && fn == bootEntry64 {
			printTrace(tr, symbols, "end of the boot stack: boot.entry64 is its first frame")
			return
		}
	}
	printTrace(tr, symbols, "")
}

// bootEntry64 is the function at the bottom of the boot stack.
const bootEntry64 = "github.com/coracle-os/coracle/boot.entry64"

// printUserStack prints the user stack of the thread the kernel was
// serving when it faulted, if any: a trap from ring 3 runs on the kernel
// stack, and the thread's user registers are in its saved frame.
//
// Trap context: safe.
func printUserStack(f *amd64.TrapFrame, symbols *symtab.Table) {
	if _, name, ok := kernelStackOf(f.RSP); !ok || !servesThreads(name) {
		console.str("coracle: user stack: none, the kernel was not serving a thread\n")
		return
	}
	u := &cur().Frame
	console.str("coracle: user stack of thread ")
	console.dec(uint64(cur().tid))
	console.str(" (from its saved RIP ")
	console.hex(u.RIP, 16)
	console.str(", RSP ")
	console.hex(u.RSP, 16)
	console.str(", RBP ")
	console.hex(u.RBP, 16)
	console.str("; words read only where the page tables map them):\n")
	printUserFrames(u, symbols)
}

// printFaultingUserStack prints the stack of a program thread whose own
// instruction faulted (ring 3), from the registers in f.
//
// Trap context: safe.
func printFaultingUserStack(f *amd64.TrapFrame, symbols *symtab.Table) {
	console.str("coracle: user stack of thread ")
	console.dec(uint64(cur().tid))
	console.str(" (frame pointers from RBP; words read only where the page tables map them):\n")
	printUserFrames(f, symbols)
}

// printUserFrames walks a user stack from the registers in u. Its words
// are read through the page tables (userMemory), never directly: a user
// stack may be unmapped, and reading it must not fault again.
func printUserFrames(u *amd64.TrapFrame, symbols *symtab.Table) {
	stack := stackwalk.Range{Lo: u.RSP, Hi: u.RSP + userStackSpan}
	if stack.Hi < stack.Lo {
		stack.Hi = ^uint64(0)
	}
	printTrace(walkFrom(userMemory{}, stack, symbols, u.RIP, u.RSP, u.RBP), symbols, "")
}

// Names of the stacks kernel code runs on.
const (
	kernelStackName   = "kernel stack"
	bootStackName     = "boot stack"
	apKernelStackName = "application processor kernel stack"
)

// servesThreads reports whether the kernel stack named name is one a
// trap from ring 3 runs on: the boot CPU's, or an AP's once the APs run
// the program's threads (before that an AP runs only its start-up).
//
// Trap context: safe.
func servesThreads(name string) bool {
	return name == kernelStackName || name == apKernelStackName && schedGo.Load() != 0
}

// kernelStackOf names the kernel stack holding sp and returns its bounds.
func kernelStackOf(sp uint64) (stackwalk.Range, string, bool) {
	ks := stackwalk.Range{Lo: kernelStackBase + 4096, Hi: kernelStackBase + 4096 + kernelStackSize}
	if cpu0.KernelStack != 0 && ks.Contains(sp, 1) {
		return ks, kernelStackName, true
	}
	lo, hi := boot.StackBounds()
	if bs := (stackwalk.Range{Lo: uint64(lo), Hi: uint64(hi)}); bs.Contains(sp, 1) {
		return bs, bootStackName, true
	}
	if lo, hi, name, ok := apStackOf(sp); ok {
		return stackwalk.Range{Lo: lo, Hi: hi}, name, true
	}
	return stackwalk.Range{}, "unknown stack RSP is on", false
}

// walkFrom walks the frame chain that starts at pc, sp and fp.
func walkFrom(mem stackwalk.Memory, stack stackwalk.Range, symbols *symtab.Table, pc, sp, fp uint64) stackwalk.Trace {
	lo, hi := symbols.Text()
	size, ok := symbols.FrameSize(uintptr(pc))
	return stackwalk.Walk(mem, stack, stackwalk.Range{Lo: uint64(lo), Hi: uint64(hi)},
		stackwalk.Start{PC: pc, SP: sp, FP: fp, FrameSize: uint64(size), FrameSizeOK: ok})
}

// printTrace prints one line per frame, "#N PC function+offset at
// file:line", and why the walk stopped. A return address is named by the
// call before it (pc-1), as the runtime's tracebacks do. end, if not
// empty, replaces the reason the walk stopped.
func printTrace(tr stackwalk.Trace, symbols *symtab.Table, end string) {
	for i := 0; i < tr.N; i++ {
		pc := tr.PC[i]
		at := pc
		if i > 0 {
			at--
		}
		console.str("coracle:   #")
		console.dec(uint64(i))
		console.str(" ")
		console.hex(pc, 16)
		console.str(" ")
		if !printWhere(pc, at, symbols) {
			console.str("?")
		}
		console.str("\n")
	}
	console.str("coracle:   (")
	if end != "" {
		console.str(end)
		console.str(")\n")
		return
	}
	console.str(tr.Stop.String())
	if tr.At != 0 {
		console.str(": ")
		console.hex(tr.At, 16)
	}
	console.str(")\n")
}

// kernelMemory reads kernel memory directly: Walk reads only inside the
// stack it is given, which is mapped.
type kernelMemory struct{}

func (kernelMemory) Word(addr uint64) (uint64, bool) {
	return *(*uint64)(addrPointer(uintptr(addr))), true
}

// userMemory reads a user address through the kernel's direct map of
// the page it translates to, and refuses one the page tables do not map.
// An aligned word never crosses a page.
type userMemory struct{}

func (userMemory) Word(addr uint64) (uint64, bool) {
	if addr&7 != 0 {
		return 0, false
	}
	pa, ok := space.Translate(addr)
	if !ok {
		return 0, false
	}
	return *(*uint64)(addrPointer(physOffset + uintptr(pa))), true
}
