package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// The coracle-private system calls of package devcall: device registers,
// interrupts and DMA memory for drivers that run as goroutines
// (docs/network.md). Their table is devcalls, in syscall_table.go.

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

// sysOpenIRQ routes pin f.RDI to its vector with the trigger mode and
// polarity in f.RSI (devcall.IRQLevel, devcall.IRQActiveLow) and returns a
// non-blocking descriptor for it.
func sysOpenIRQ(t *Thread, f *amd64.TrapFrame) uint64 {
	irq := int(f.RDI)
	if f.RDI >= uint64(min(ioAPIC.Pins(), maxIRQs)) {
		return linux.EINVAL.Ret()
	}
	if irqs[irq].open {
		return linux.EEXIST.Ret()
	}
	if !irqAPICIDFits() {
		return linux.ENODEV.Ret()
	}
	fd := allocFD(fdIRQ, irq, linux.O_RDWR|linux.O_NONBLOCK, true)
	if fd < 0 {
		return linux.EMFILE.Ret()
	}
	level := f.RSI&devcall.IRQLevel != 0
	irqs[irq].open, irqs[irq].count, irqs[irq].level = true, 0, level
	ioAPIC.Route(irq, uint8(vectorIRQBase+irq), level, f.RSI&devcall.IRQActiveLow != 0, false, uint8(irqAPICID()))
	return uint64(fd)
}

// sysOpenMSI allocates a vector for message-signalled interrupts and
// returns a descriptor for it, with the message to program into the
// device in RDX: the data (the vector) in the high half, the address in
// the low half.
func sysOpenMSI(t *Thread, f *amd64.TrapFrame) uint64 {
	if !irqAPICIDFits() {
		return linux.ENODEV.Ret()
	}
	for k := range maxMSIs {
		irq := maxIRQs + k
		if irqs[irq].open {
			continue
		}
		fd := allocFD(fdIRQ, irq, linux.O_RDWR|linux.O_NONBLOCK, true)
		if fd < 0 {
			return linux.EMFILE.Ret()
		}
		irqs[irq].open, irqs[irq].count, irqs[irq].level = true, 0, false
		addr := uint64(msiAddressBase | irqAPICID()<<msiDestShift)
		f.RDX = uint64(vectorMSIBase+k)<<32 | addr
		return uint64(fd)
	}
	return linux.ENOSPC.Ret()
}

// sysSetFile (devcall.SetFile): publish (path, contents) as a regular
// file of the root file system (mode 0644), making the directories on
// the way and replacing the contents of a file already at path.
func sysSetFile(t *Thread, f *amd64.TrapFrame) uint64 {
	path, ok := userBytes(f.RDI, f.RSI, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	data, ok := userBytes(f.RDX, f.R10, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if len(path) < 2 || len(path) >= vfs.PathMax || path[0] != '/' {
		return linux.EINVAL.Ret()
	}
	defer kernelOwned()() // a service's small file (fs_root.go)
	return publishFile(path, data).Ret0()
}

// sysSockRegister (devcall.SockRegister) makes an eventfd the service's
// work descriptor and returns it. It starts readable: the service scans
// the table once when it starts.
func sysSockRegister(t *Thread, f *amd64.TrapFrame) uint64 {
	return registerWorkFD(&sockWorkFD)
}

// sysSockNotify: the service changed socket f.RDI.
func sysSockNotify(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI >= socktab.MaxSockets {
		return linux.EINVAL.Ret()
	}
	wakeSocketWaiters(int(f.RDI)) // data, room, a connection or an error: try again
	socketChanged(int(f.RDI))
	return 0
}

// sysSockRelease (devcall.SockRelease): socket f.RDI's rings are no
// longer used; the pages of each past its first are unmapped and their
// frames freed (the next touch faults in a zeroed page).
func sysSockRelease(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI >= socktab.MaxSockets || socktab.Table[f.RDI].State.Load() == socktab.Free {
		return linux.EINVAL.Ret()
	}
	for _, rx := range [2]bool{true, false} {
		ring := socktab.RingData(int(f.RDI), rx)
		start := uint64(uintptr(unsafe.Pointer(&ring[0])))
		discard(start+mm.PageSize, start+socktab.RingSize)
	}
	return 0
}

// sysSetInterfaces (devcall.SetInterfaces): replace the interface table
// NETLINK_ROUTE sockets are served from (sock_netlink.go) with the
// iftab.Table at f.RDI, of f.RSI bytes. A dump under way goes on from
// its position in the new table.
func sysSetInterfaces(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RSI != uint64(unsafe.Sizeof(iftab.Table{})) {
		return linux.EINVAL.Ret()
	}
	b, ok := userBytes(f.RDI, f.RSI, false)
	if !ok || f.RDI%4 != 0 { // iftab.Table's alignment
		return linux.EFAULT.Ret()
	}
	tab := (*iftab.Table)(unsafe.Pointer(&b[0]))
	if !tab.Valid() {
		return linux.EINVAL.Ret()
	}
	ifTable = *tab
	return 0
}

// sysBootStamp (devcall.BootStamp): the network's start reached stamp
// f.RDI. Recorded only while the runstamps line is pending
// (diag_runstamps.go).
func sysBootStamp(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI >= uint64(devcall.NumStamps) {
		return linux.EINVAL.Ret()
	}
	if runStamps.pending {
		runStamps.mark(netRunStamps[f.RDI])
	}
	return 0
}
