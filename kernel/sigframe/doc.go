// Package sigframe is the x86-64 Linux signal frame as the kernel builds
// it for a handler and takes it back at rt_sigreturn: where the frame
// goes (the thread's stack below the red zone, or its sigaltstack), the
// bytes of struct rt_sigframe (pretcode, the ucontext with its
// sigcontext and signal mask, the siginfo), the vector state after it in
// the layout Linux gives handlers (XSAVE with struct _fpx_sw_bytes and
// FP_XSTATE_MAGIC2), the registers a handler starts with, the mask it
// runs under, and what rt_sigreturn must refuse or clean from a frame the
// program may have edited before the CPU loads it. The Go runtime reads
// and edits these frames (its sigctxt), so the layout is the ABI.
//
// It works on byte slices and register sets the caller passes in: the
// kernel hands it the user memory it has checked and the thread's
// amd64.TrapFrame, so everything runs under `go test` on the host.
//
// Specifications: signal(7), sigaction(2), sigaltstack(2),
// rt_sigreturn(2); the structures of Linux's UAPI headers
// include/uapi/asm-generic/siginfo.h (siginfo_t),
// include/uapi/asm-generic/ucontext.h (struct ucontext),
// include/uapi/asm-generic/signal-defs.h and
// arch/x86/include/uapi/asm/signal.h (SA_*, SS_*, stack_t),
// arch/x86/include/uapi/asm/sigcontext.h (struct sigcontext,
// struct _fpx_sw_bytes, FP_XSTATE_MAGIC1/2) and
// arch/x86/include/uapi/asm/ucontext.h (UC_FP_XSTATE); the frame itself
// is struct rt_sigframe of arch/x86/include/asm/sigframe.h, placed as
// arch/x86/kernel/signal.c (get_sigframe) places it. Intel SDM Vol. 1
// §10.5 (FXSAVE area, MXCSR_MASK) and §13.4 (XSAVE header) for what
// XRSTOR refuses. docs/linux-abi.md §6 lists what the Go runtime relies
// on in these frames.
//
// # Use
//
//	l := sigframe.Place(regs.RSP, &act, &alt, fpu)
//	b := user memory [l.Frame, l.End), checked writable
//	sigframe.Build(b, l, regs, &sigframe.Delivery{...}, fpu, xstate)
//	mask = sigframe.HandlerMask(mask, sig, &act)
//	sigframe.Enter(regs, l, sig, act.Handler)
//
//	// rt_sigreturn, RSP at the ucontext:
//	mask, fp, ok := sigframe.Restore(uc, regs)
//	sigframe.RestoreXState(area, user bytes at fp, fpu)
//
// Not supported, as in the kernel that uses it: SS_AUTODISARM (refused
// by ValidateStack), 32-bit frames, uc_flags other than UC_FP_XSTATE.
//
// Trap context: all. Nothing here allocates, blocks, takes a lock,
// stores a pointer (no write barriers) or calls through a function
// value, so signal delivery and rt_sigreturn may call any of it from a
// trap handler; the tests check the allocation rule. None of it needs
// //go:nosplit: trap handlers run on a stand-in g whose stack guard
// never calls morestack (tools/trapcheck).
package sigframe
