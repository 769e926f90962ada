package kernel

import "github.com/coracle-os/coracle/kernel/abi/cmdline"

// The coracle.crash=KIND kernel parameter makes the kernel raise a CPU
// exception right after the banner, to show (and test) the crash report,
// as Linux's lkdtm does for its own. KIND is one of:
//
//	de  divide error (DIV by zero)
//	ud  invalid opcode (UD2)
//	gp  general protection (load through a non-canonical address)
//	pf  page fault (load from an unmapped address)
//	bp  breakpoint (INT3)
const crashParam = "coracle.crash"

// defined in crashtest_amd64.s

func crashDivide()
func crashInvalidOpcode()
func crashGeneralProtection()
func crashPageFault()
func crashBreakpoint()

// crashTest raises the exception coracle.crash asks for, if any.
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
		}
		console.str("coracle: coracle.crash=")
		console.str(w.Value)
		console.str(" is not one of de, ud, gp, pf, bp\n")
		bootFailure("unknown coracle.crash value")
	}
}
