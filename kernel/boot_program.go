package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/linuxstack"
)

// The initial process stack: where Linux would put it, below 2^47, with
// an unmapped guard page beneath. Only the pages the runtime touches are
// ever backed.
const (
	userStackTop  = 0x7fff_fff0_0000
	userStackSize = 8 << 20
	guardSize     = 4096
	// argArea is how much of the stack's top the arguments,
	// environment and auxiliary vector may use.
	argArea = 256 << 10

	defaultArgv0 = "/init"
)

// runtimeEntry returns the address of the Go runtime's Linux entry point,
// _rt0_amd64_linux: the ELF entry point the image would have had
// without coracle.
func runtimeEntry() uintptr

// startProgram builds the Linux initial stack for the program and enters
// the Go runtime in ring 3 as its first thread. It does not return.
func startProgram(cmd string) {
	if errno := mapUserStack(); errno != 0 {
		bootFailure("cannot map the initial stack")
	}
	area, _ := userBytes(userStackTop-argArea, argArea, true)
	p := linuxstack.Params{
		Program:  argv0(cmd),
		Cmdline:  cmd,
		HWCap:    hwcap(),
		PageSize: 4096,

		SysinfoEHDR: setupVDSO(),
	}
	defaults := [...]linuxstack.Default{{Name: "GOMEMLIMIT", Value: memoryLimitValue()}}
	p.Defaults = defaults[:]
	if !fillRandom(p.Random[:]) {
		bootFailure("the CPU's random-number generator failed")
	}
	sp, err := linuxstack.Build(area, userStackTop-argArea, p)
	if err != nil {
		bootFailure(err.Error())
	}
	procSaveStart(area, sp)
	t, _ := newThread() // the table is empty: only memory can be short
	if t == nil {
		outOfMemory("the first thread's vector state")
	}
	initVectorState(t.xsave)
	t.Frame = amd64.TrapFrame{
		RIP:    uint64(runtimeEntry()),
		CS:     amd64.UserCS,
		RFLAGS: amd64.UserRFLAGS,
		RSP:    sp,
		SS:     amd64.UserDS,
	}
	me().current = 0
	switchTo(0, nanotime())
	startAPThreads()
	if bootStamps.enabled {
		bootStamps.print(amd64.Rdtsc())
	}
	amd64.ResumeUser()
}

// argv0 is the program name: coracle.argv0 if the command line has it
// (checked by cmdline.Check, like every encoded word), else /init.
func argv0(cmd string) string {
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key == cmdline.Argv0Key && w.HasValue && w.Value != "" && cmdline.DecodedLen(w.Value) <= len(argv0Buf) {
			n := cmdline.Decode(argv0Buf[:], w.Value)
			return unsafe.String(&argv0Buf[0], n)
		}
	}
	return defaultArgv0
}

// hwcap is AT_HWCAP as Linux reports it on x86-64: CPUID.1:EDX.
func hwcap() uint64 {
	_, _, _, edx := amd64.CPUID(1, 0)
	return uint64(edx)
}

// mapUserStack reserves the initial stack with a guard page below it.
func mapUserStack() linux.Errno {
	return mapAnonymous(userStackTop-userStackSize, userStackSize, linux.PROT_READ|linux.PROT_WRITE)
}
