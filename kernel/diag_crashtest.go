package kernel

import "github.com/coracle-os/coracle/kernel/abi/cmdline"

// The coracle.crash=KIND kernel parameter makes the kernel raise a CPU
// exception, to show (and test) the crash report, as Linux's lkdtm does
// for its own. KIND is one of:
//
//	de       divide error (DIV by zero), right after the banner
//	ud       invalid opcode (UD2), right after the banner
//	gp       general protection (load through a non-canonical address)
//	pf       page fault (load from an unmapped address)
//	bp       breakpoint (INT3)
//	deep     invalid opcode three Go calls deep, for the stack walk
//	syscall  page fault three calls deep while serving the program's
//	         first write(2) to descriptor 1: the report then shows the
//	         kernel stack and the thread's user stack
//	ap       invalid opcode on an application processor once it is
//	         online (needs --cpus 2 or more): the report names the CPU
const crashParam = "coracle.crash"

// crashKinds lists the values for the error message.
const crashKinds = "de, ud, gp, pf, bp, deep, syscall, ap"

// defined in crashtest_amd64.s

func crashDivide()
func crashInvalidOpcode()
func crashGeneralProtection()
func crashPageFault()
func crashBreakpoint()

// crashTest raises the exception coracle.crash asks for, if any, or
// arms the one raised later.
func crashTest(cmd string) {
	sc := cmdline.NewScanner(cmd)
	for {
		w, ok := sc.Next()
		if !ok {
			return
		}
		if w.Key != crashParam {
			continue
		}
		switch w.Value {
		case "de":
			crashDivide()
		case "ud":
			crashInvalidOpcode()
		case "gp":
			crashGeneralProtection()
		case "pf":
			crashPageFault()
		case "bp":
			crashBreakpoint()
		case "deep":
			crashNested1(false)
		case "syscall":
			crashAtWrite = true
			return
		case "ap":
			crashAP = true
			return
		}
		console.str("coracle: coracle.crash=")
		console.str(w.Value)
		console.str(" is not one of " + crashKinds + "\n")
		bootFailure("unknown coracle.crash value")
	}
}

// crashServingWrite raises a page fault in a system call's handler, for
// coracle.crash=syscall.
//
// Trap context: it faults, on purpose.
func crashServingWrite() {
	crashNested1(true)
}

// crashNested1 to 3 are three frames for the stack walk to find (Go
// does not turn a last call into a jump, and noinline keeps each its own
// frame); the third faults with a page fault or an invalid opcode.
//
//go:noinline
func crashNested1(pf bool) { crashNested2(pf) }

//go:noinline
func crashNested2(pf bool) { crashNested3(pf) }

//go:noinline
func crashNested3(pf bool) {
	if pf {
		crashPageFault()
	}
	crashInvalidOpcode()
}
