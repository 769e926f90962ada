// Package stackwalk follows the chain of frame pointers that Go's amd64
// compiler keeps in RBP, so that the kernel's crash report can list the
// calls that led to a fault without the Go runtime's unwinder (which
// needs a working g and may allocate).
//
// Every Go function with a frame saves its caller's RBP just below its
// return address and points RBP there, so from a frame pointer fp the
// caller's return address is at fp+8 and the caller's frame pointer at
// fp. The faulting function itself may have no frame yet (a leaf, an
// assembly function, or a PC in a prologue): Walk therefore takes its
// SP delta at the faulting PC (symtab.Table.FrameSize, the pclntab's pcsp
// table), which places its return address exactly at SP+delta, as the
// runtime's own unwinder does.
//
// The chain is data, possibly corrupt: every frame pointer must be
// 8-byte aligned, inside the stack's bounds and above the one before it
// (stacks grow down, so callers are higher), and every word is read
// through a Memory that may refuse it. The walk stops, and says why, at
// the first link that fails, and after MaxFrames frames.
//
// Trap context: Walk runs in trap context: it does not allocate, lock
// or panic, and reads memory only through its Memory.
package stackwalk

// MaxFrames bounds a walk: enough for any kernel call chain, and for the
// innermost calls of a program's goroutine, which is what a crash report
// needs.
const MaxFrames = 32

// Memory reads the 8-byte word at an 8-byte aligned address, or reports
// false if the address must not be read (not mapped, say).
type Memory interface {
	Word(addr uint64) (uint64, bool)
}

// Range is the half-open address range [Lo, Hi).
type Range struct{ Lo, Hi uint64 }

// Contains reports whether the n bytes at addr lie in r.
func (r Range) Contains(addr, n uint64) bool {
	return addr >= r.Lo && addr < r.Hi && n <= r.Hi-addr
}

// Stop says why a walk ended.
type Stop uint8

const (
	// StopEnd: a frame pointer of zero, the chain's end.
	StopEnd Stop = iota
	// StopLimit: MaxFrames frames were found; there may be more.
	StopLimit
	// StopOutside: a frame pointer (or SP+delta) is outside the stack.
	StopOutside
	// StopMisaligned: a frame pointer is not 8-byte aligned.
	StopMisaligned
	// StopNotIncreasing: a frame pointer is not above the previous one.
	StopNotIncreasing
	// StopUnreadable: the Memory refused a word of the chain.
	StopUnreadable
	// StopNotCode: a return address is outside the code.
	StopNotCode
)

// String describes s for a crash report: a constant, no allocation.
func (s Stop) String() string {
	switch s {
	case StopEnd:
		return "end of the frame chain (frame pointer 0)"
	case StopLimit:
		return "frame limit reached; older frames not shown"
	case StopOutside:
		return "frame pointer outside the stack"
	case StopMisaligned:
		return "frame pointer not 8-byte aligned"
	case StopNotIncreasing:
		return "frame pointer not above the previous frame"
	case StopUnreadable:
		return "frame pointer points at unmapped memory"
	case StopNotCode:
		return "return address outside the code"
	}
	return "unknown"
}

// Start is the state of the faulting frame.
type Start struct {
	PC, SP, FP uint64
	// FrameSize is the SP delta of the function at PC (see the package
	// comment); FrameSizeOK is false if it is unknown, and the walk
	// then trusts FP alone and may skip the faulting function's caller.
	FrameSize   uint64
	FrameSizeOK bool
}

// Trace is the result of a walk: PC[0] is the faulting PC, the others
// return addresses, innermost first.
type Trace struct {
	PC   [MaxFrames]uint64
	N    int
	Stop Stop
	// At is the frame pointer or address the walk stopped at (for the
	// failures), zero otherwise.
	At uint64
}

// Walk follows the frame chain of st on the stack in stack, reading it
// from mem, and accepts return addresses in code.
func Walk(mem Memory, stack, code Range, st Start) Trace {
	var t Trace
	t.PC[0] = st.PC
	t.N = 1
	fp, prev := st.FP, st.SP
	if st.FrameSizeOK {
		ra := st.SP + st.FrameSize
		if st.SP&7 != 0 || !stack.Contains(ra, 8) {
			return t.stop(StopOutside, ra)
		}
		pc, ok := mem.Word(ra)
		if !ok {
			return t.stop(StopUnreadable, ra)
		}
		if !code.Contains(pc, 1) {
			return t.stop(StopNotCode, pc)
		}
		t.PC[t.N] = pc
		t.N++
		if st.FrameSize >= 8 && fp == ra-8 && stack.Contains(fp, 8) {
			// The function has saved its caller's RBP and pointed RBP
			// at the save: step over its own frame.
			if fp, ok = mem.Word(ra - 8); !ok {
				return t.stop(StopUnreadable, ra-8)
			}
		}
		prev = ra
	}
	for {
		switch {
		case fp == 0:
			return t.stop(StopEnd, 0)
		case fp&7 != 0:
			return t.stop(StopMisaligned, fp)
		case !stack.Contains(fp, 16):
			return t.stop(StopOutside, fp)
		case fp < prev:
			return t.stop(StopNotIncreasing, fp)
		}
		pc, ok1 := mem.Word(fp + 8)
		next, ok2 := mem.Word(fp)
		if !ok1 || !ok2 {
			return t.stop(StopUnreadable, fp)
		}
		if !code.Contains(pc, 1) {
			return t.stop(StopNotCode, pc)
		}
		if t.N == MaxFrames {
			return t.stop(StopLimit, 0)
		}
		t.PC[t.N] = pc
		t.N++
		prev, fp = fp+16, next
	}
}

func (t Trace) stop(s Stop, at uint64) Trace {
	t.Stop, t.At = s, at
	return t
}
