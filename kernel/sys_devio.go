package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/mm"
)

// The coracle-private system calls of package devcall: device registers,
// interrupts and DMA memory for drivers that run as goroutines
// (docs/network.md).

// Windows of the user half where device registers and DMA memory are
// mapped, reserved in the address-space map so that mmap never uses them.
const (
	dmaWindow  = 0x7e00_0000_0000
	mmioWindow = 0x7f00_0000_0000
	windowSize = 64 << 30
)

var (
	dmaNext  uint64 = dmaWindow
	mmioNext uint64 = mmioWindow
)

// devioCalls is the private system-call table, indexed from devcall.SysBase.
var devioCalls = [devcall.SysEnd - devcall.SysBase]syscallFn{
	devcall.SysMapMMIO - devcall.SysBase:      sysMapMMIO,
	devcall.SysOpenIRQ - devcall.SysBase:      sysOpenIRQ,
	devcall.SysAllocDMA - devcall.SysBase:     sysAllocDMA,
	devcall.SysSockRegister - devcall.SysBase: sysSockRegister,
	devcall.SysSockNotify - devcall.SysBase:   sysSockNotify,
	devcall.SysSetFile - devcall.SysBase:      sysSetFile,
	devcall.SysOpenMSI - devcall.SysBase:      sysOpenMSI,
}

// reserveDeviceWindows keeps mmap out of the device windows.
func reserveDeviceWindows() {
	// The socket rings: ordinary memory shared with the socket service,
	// backed on first touch.
	if _, e := vmas.Map(socktab.Window, socktab.WindowSize, mm.PROT_READ|mm.PROT_WRITE, true); e != 0 {
		bootFailure("cannot reserve the socket ring window")
	}
	if vmas.Reserve(dmaWindow, dmaWindow+windowSize, mm.PROT_READ|mm.PROT_WRITE) != 0 ||
		vmas.Reserve(mmioWindow, mmioWindow+windowSize, mm.PROT_READ|mm.PROT_WRITE) != 0 {
		bootFailure("cannot reserve the device windows in the address-space map")
	}
}

// sysMapMMIO maps device registers [phys, phys+size) uncached,
// user-accessible and never executable.
func sysMapMMIO(t *Thread, f *amd64.TrapFrame) uint64 {
	phys, size := f.RDI, f.RSI
	start, end := phys&^4095, (phys+size+4095)&^4095
	if size == 0 || end <= start || end-start > windowSize-(mmioNext-mmioWindow) || isRAM(start, end) {
		return linux.EINVAL.Ret()
	}
	va := mmioNext
	for pa := start; pa < end; pa += 4096 {
		if e := space.Map(va+pa-start, pa, mm.P|mm.RW|mm.US|mm.PCD|mm.PWT|mm.XD); e != 0 {
			return linux.Errno(e).Ret()
		}
	}
	mmioNext += end - start
	return va + phys - start
}

// sysAllocDMA hands out zeroed, physically contiguous memory, mapped
// user-accessible; the physical address goes back in RDX.
func sysAllocDMA(t *Thread, f *amd64.TrapFrame) uint64 {
	pages := (f.RDI + 4095) / 4096
	if pages == 0 || pages*4096 > windowSize-(dmaNext-dmaWindow) {
		return linux.EINVAL.Ret()
	}
	pa, ok := frames.AllocContiguous(pages, 4096)
	if !ok {
		return linux.ENOMEM.Ret()
	}
	va := dmaNext
	for i := range pages {
		clear(physMem.Page(pa + i*4096)[:])
		if e := space.Map(va+i*4096, pa+i*4096, mm.P|mm.RW|mm.US|mm.XD); e != 0 {
			return linux.Errno(e).Ret()
		}
	}
	dmaNext += pages * 4096
	f.RDX = pa
	return va
}

// isRAM reports whether [start, end) overlaps RAM: device mappings must
// not alias memory the frame allocator owns.
func isRAM(start, end uint64) bool {
	for _, r := range ramRanges.Ranges() {
		if start < r.End && r.Start < end {
			return true
		}
	}
	return false
}
