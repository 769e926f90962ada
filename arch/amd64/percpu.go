package amd64

import "unsafe"

// PerCPU is the part of a CPU's state that the entry stubs reach through
// the GS segment, whose base always points here: Go code uses only FS,
// so GS is free for the kernel and never needs SWAPGS. Its layout is used
// by trap_common_amd64.s through go_asm.h.
type PerCPU struct {
	// Self is this structure's address, so that a stub can load it
	// into a register with a single GS-relative move.
	Self uintptr
	// UserRSP holds the user stack pointer while SYSCALL entry builds a
	// frame; the instruction itself does not switch stacks.
	UserRSP uint64
	// FrameTop is the address just past the running thread's
	// TrapFrame. The CPU pushes an interrupt frame from ring 3 there
	// (TSS.RSP0 holds the same value) and SYSCALL entry builds its
	// frame there, so the stubs save user state in place.
	FrameTop uint64
	// ResumeFrame is the TrapFrame resumeUser returns into.
	ResumeFrame uint64
	// XSaveArea is the running thread's 64-byte aligned save area for
	// the x87/SSE/AVX state.
	XSaveArea uint64
	// KernelStack is the top of the stack trap handlers for ring-3
	// entries run on.
	KernelStack uint64
	// Dispatch is the closure pointer of the Go function every trap
	// is handed to (see SetDispatcher).
	Dispatch uintptr
	// KernelG is the stand-in g that Go code called from the stubs
	// sees in R14. Only function prologues read it (stack.lo, stack.hi,
	// stackguard0, stackguard1); its bounds are the whole address space
	// and its guards zero, so no prologue ever asks the runtime for more
	// stack. Overflowing a kernel stack hits its guard page instead.
	KernelG [4]uintptr
	// KernelTLS is the kernel's thread-local block: KernelTLS[0] is
	// the word at FS:-8 while the kernel runs, where Go's
	// ABIInternal-to-ABI0 wrappers reload g after every call into
	// assembly, so it must name KernelG. KernelFSBase is
	// &KernelTLS[1]; the stubs load it on entry from ring 3.
	KernelTLS    [2]uintptr
	KernelFSBase uint64
	// UserFSBase is the FS base of the thread ResumeUser returns to.
	// With UseFSGSBASE, where ring 3 can change its FS base itself, the
	// entry stores the running thread's current one here.
	UserFSBase uint64
	// XSaveSize is the size of a vector save area (EnableVectorState).
	XSaveSize uint64
	// EntryArea is the save area the last trap from ring 3 stored
	// only the registers Go code may change in (see FastVector), or 0
	// when the whole vector state is in memory: the rest of that
	// thread's state, x87 above all, is still in the CPU.
	EntryArea uint64
	// UseXSAVE selects XSAVE64/XRSTOR64 over FXSAVE64/FXRSTOR64.
	UseXSAVE bool
	// UseFSGSBASE selects RDFSBASE/WRFSBASE over WRMSR for the FS base
	// (EnableFSGSBASE).
	UseFSGSBASE bool
	// FastVector says how traps from ring 3 save the vector state:
	// VectorSaveFull, or with plain moves of what kernel code can
	// change (VectorSaveSSE, VectorSaveAVX); see vector_save.go.
	FastVector uint8
	// CPU is this CPU's number, its index in the kernel's CPU list:
	// what per-CPU kernel state is indexed by (CPUNumber reads it).
	CPU uint64
}

// MSRs that hold segment bases (SDM Vol. 4, Table 2-2).
const (
	MSR_FS_BASE        = 0xC0000100
	MSR_GS_BASE        = 0xC0000101
	MSR_KERNEL_GS_BASE = 0xC0000102
)

// InstallPerCPU points GS at c.
func InstallPerCPU(c *PerCPU) {
	c.Prepare()
	Wrmsr(MSR_GS_BASE, uint64(c.Self))
	Wrmsr(MSR_KERNEL_GS_BASE, uint64(c.Self))
}

// Prepare fills in c's addresses of itself (Self, the kernel TLS block
// and FS base), which a CPU's entry code needs before it can run Go
// code; another CPU may do it.
func (c *PerCPU) Prepare() {
	c.Self = uintptr(unsafe.Pointer(c))
	c.KernelTLS[0] = uintptr(unsafe.Pointer(&c.KernelG))
	c.KernelFSBase = uint64(uintptr(unsafe.Pointer(&c.KernelTLS[1])))
}

// SetKernelStack sets the top of the stack for traps taken from ring 3.
func (c *PerCPU) SetKernelStack(top uintptr) {
	c.KernelStack = uint64(top)
	c.KernelG = [4]uintptr{0, ^uintptr(0), 0, 0}
}

// SetDispatcher makes fn receive every trap: exceptions, interrupts and
// system calls (Vector == VectorSyscall). fn runs in trap context: it
// must not allocate, block, take Go locks or store pointers to Go memory
// (the garbage collector's write barrier needs a real g), and fn must be
// a top-level function: its closure is kept as a plain address.
//
// When the trap came from ring 3, fn may switch threads by changing
// ResumeFrame, FrameTop and XSaveArea (and TSS.RSP0): the stub resumes
// whatever ResumeFrame names.
func (c *PerCPU) SetDispatcher(fn func(*TrapFrame)) {
	// A func value is a pointer to a closure whose first word is the
	// code address; the stubs call through it as Go does.
	c.Dispatch = *(*uintptr)(unsafe.Pointer(&fn))
}

// CPUNumber returns the calling CPU's PerCPU.CPU, read through GS.
//
// Trap context: yes.
func CPUNumber() int

// SwitchTo makes the stubs save into and resume frame f with vector
// state at xsave and FS base fsBase.
func (c *PerCPU) SwitchTo(f *TrapFrame, xsave uintptr, fsBase uint64, tss *TSS) {
	c.UserFSBase = fsBase
	top := uintptr(unsafe.Pointer(f)) + unsafe.Sizeof(*f)
	c.ResumeFrame = uint64(uintptr(unsafe.Pointer(f)))
	c.FrameTop = uint64(top)
	c.XSaveArea = uint64(xsave)
	tss.SetRSP0(top)
}
