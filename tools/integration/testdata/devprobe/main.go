// Devprobe checks the device plumbing drivers use (kernel/abi/devcall): it maps
// the virtio-mmio registers named by its first argument (BASE as the
// kernel command line gives it, e.g. 0xfeb00e00), reads the device's
// identity, allocates DMA memory and opens the device's interrupt line.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/devcall"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Println("usage: devprobe BASE IRQ")
		os.Exit(64)
	}
	base, err := strconv.ParseUint(os.Args[1], 0, 64)
	check(err)
	irq, err := strconv.Atoi(os.Args[2])
	check(err)

	regs, err := devcall.MapMMIO(base, 0x200)
	check(err)
	reg := func(off uintptr) uint32 { return atomic.LoadUint32((*uint32)(unsafe.Add(regs, off))) }
	fmt.Printf("mmio: magic %#x version %d device %d vendor %#x\n", reg(0), reg(4), reg(8), reg(12))

	mem, phys, err := devcall.AllocDMA(3 * 4096)
	check(err)
	zero := true
	for _, b := range mem {
		zero = zero && b == 0
	}
	mem[0], mem[len(mem)-1] = 1, 2
	fmt.Printf("dma: %d bytes, zeroed %v, page-aligned %v, writable %v\n", len(mem), zero, phys%4096 == 0 && uintptr(unsafe.Pointer(&mem[0]))%4096 == 0, mem[len(mem)-1] == 2)

	f, err := devcall.OpenIRQ(irq, devcall.IRQLevel)
	check(err)
	fmt.Printf("irq: opened %s\n", f.Name())
	_, err = devcall.OpenIRQ(irq, devcall.IRQLevel)
	fmt.Printf("irq: second open: %v\n", err)
	_, err = devcall.MapMMIO(0x100000, 4096)
	fmt.Printf("mmio: mapping RAM: %v\n", err)
}

func check(err error) {
	if err != nil {
		fmt.Println("devprobe:", err)
		os.Exit(1)
	}
}
