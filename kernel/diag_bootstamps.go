package kernel

import (
	"github.com/coracle-os/coracle/boot"
)

// bootTimes records TSC readings along the boot path; the
// coracle.bootstamps kernel parameter prints them just before the Go
// runtime starts, for tools/bench/boot:
//
//	coracle: bootstamps tsc_hz=<hz> entry=<tsc> kernel_main=<tsc> runtime_entry=<tsc>
type bootTimes struct {
	enabled    bool
	kernelMain uint64
}

func (b *bootTimes) print(runtimeEntry uint64) {
	console.str("coracle: bootstamps tsc_hz=")
	console.dec(tscHz)
	console.str(" entry=")
	console.dec(boot.EntryTSC())
	console.str(" kernel_main=")
	console.dec(b.kernelMain)
	console.str(" runtime_entry=")
	console.dec(runtimeEntry)
	console.str("\n")
}
