// Package sysgo starts the goroutines of coracle's ring-3 services (the
// file service and its backends, the virtio drivers' request loops, the
// network and socket services) as system goroutines, the way the Go
// runtime starts its own.
//
// The runtime leaves a goroutine out of runtime.NumGoroutine, goroutine
// profiles and tracebacks (below GOTRACEBACK=system) when the function it
// started with has a name beginning "runtime." (runtime.isSystemGoroutine
// reads g.startpc). The services are part of the operating system, not of
// the program: a program that counts its goroutines, or a test that checks
// for leaked ones, must see what it would see on Linux. coracle links the
// stock runtime and does not fork it, so Go starts each service goroutine
// at a trampoline of three instructions whose symbol, runtime·coracleService,
// is defined in this package's assembly: it is entered as the code pointer
// of a func value made here, loads the service's own func value from that
// value's closure word (DX, the closure context register of Go's internal
// ABI on amd64) and jumps to it. The trampoline leaves no frame, so the
// service's stack looks as if Go had started it directly; only g.startpc
// names the trampoline.
//
// What the runtime does differently for a system goroutine, besides
// hiding it: it does not inherit the creator's pprof labels or
// testing/synctest bubble (a service started lazily inside a bubble must
// not join it), and the deadlock check does not count it as waiting.
// GOTRACEBACK=system shows the services again in a crash's traceback (a
// fatal panic, SIGQUIT), which is how to debug them; runtime.Stack and
// goroutine profiles never show them.
//
// GoDeep starts such a goroutine with its stack grown first, for one that
// calls deep into netstack (stack.go); Func wraps a function that the
// runtime, not coracle, starts (a time.AfterFunc callback), so that its
// goroutine is hidden in the same way.
//
// Trap context: none. Go runs in ring 3, on the caller's goroutine.
package sysgo

import "unsafe"

// trampoline is the closure that the runtime starts: code is the
// trampoline's entry, the word Go calls; f is what it jumps to. The layout
// (code first, then the captured func value at offset 8) is the one
// sysgo_amd64.s reads.
type trampoline struct {
	code uintptr
	f    func()
}

// Go starts f in a new goroutine that the runtime counts as one of its
// own (see the package comment). Use it for every goroutine that coracle,
// not the program, starts in the guest.
func Go(f func()) {
	if f == nil {
		panic("sysgo: Go of nil func value")
	}
	go wrap(f)()
}

// Func returns a func value that runs f and that, when the runtime
// starts it in a goroutine of its own, makes that goroutine one of the
// runtime's as Go does. It is for functions that the runtime, not
// coracle, starts: time.AfterFunc runs its function with a go statement
// of the runtime's, and that goroutine starts at the func value's code,
// the trampoline.
func Func(f func()) func() {
	if f == nil {
		panic("sysgo: Func of nil func value")
	}
	return wrap(f)
}

// wrap returns a func value that runs f but that Go starts at the
// trampoline: a pointer to a trampoline is what a func value is.
func wrap(f func()) func() {
	t := &trampoline{code: servicePC(), f: f}
	return *(*func())(unsafe.Pointer(&t))
}

// servicePC returns the entry address of runtime·coracleService (ABI0: the
// trampoline takes no arguments and must be entered directly, not through
// an ABI wrapper, which would not keep DX). Implemented in sysgo_amd64.s.
func servicePC() uintptr
