package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64/pc/ioapic"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/mm"
)

// setupIOAPIC masks every pin until a driver asks for one.
func setupIOAPIC() {
	ioAPIC.Base = directMapBase + ioapic.IOAPIC_PHYS
	for pin := range min(ioAPIC.Pins(), maxIRQs) {
		ioAPIC.Route(pin, uint8(vectorIRQBase+pin), false, false, true, 0)
	}
}

// reserveDeviceWindows keeps mmap out of the device windows.
func reserveDeviceWindows() {
	// The socket rings: ordinary memory shared with the socket service,
	// backed on first touch.
	if vmas.Anonymous(socktab.Window, socktab.Window+socktab.WindowSize, mm.PROT_READ|mm.PROT_WRITE) != 0 {
		bootFailure("cannot reserve the socket ring window")
	}
	if vmas.Reserve(dmaWindow, dmaWindow+windowSize, mm.PROT_READ|mm.PROT_WRITE) != 0 ||
		vmas.Reserve(mmioWindow, mmioWindow+windowSize, mm.PROT_READ|mm.PROT_WRITE) != 0 {
		bootFailure("cannot reserve the device windows in the address-space map")
	}
}
