// Package uart16550 drives a 16550-compatible serial port through port
// I/O: enough to be the kernel console on every PC-compatible hypervisor
// (QEMU's isa-serial, Firecracker's serial device).
//
// Spec: National Semiconductor PC16550D datasheet (registers, FIFO).
//
// Trap context: all. Write and WriteString allocate nothing and touch only
// the device, so the kernel can print from exception handlers.
package uart16550

import "github.com/coracle-os/coracle/arch/amd64"

// Register offsets from the port base (PC16550D Table 2).
const (
	THR = 0 // transmit holding (write, DLAB=0)
	DLL = 0 // divisor latch low (DLAB=1)
	IER = 1 // interrupt enable (DLAB=0)
	DLM = 1 // divisor latch high (DLAB=1)
	FCR = 2 // FIFO control (write)
	LCR = 3 // line control
	MCR = 4 // modem control
	LSR = 5 // line status
)

// Register fields.
const (
	LCR_WLS8 = 0x3    // 8 data bits, 1 stop bit, no parity
	LCR_DLAB = 1 << 7 // divisor latch access
	FCR_FIFO = 1 << 0 // enable FIFOs
	FCR_RCLR = 1 << 1 // clear receive FIFO
	FCR_XCLR = 1 << 2 // clear transmit FIFO
	MCR_DTR  = 1 << 0
	MCR_RTS  = 1 << 1
	LSR_THRE = 1 << 5 // transmit holding register (and FIFO) empty

	fifoDepth = 16
	// divisor115200 sets 115200 baud from the 1.8432 MHz clock.
	divisor115200 = 1
)

// COM1 is the first PC serial port's I/O base.
const COM1 = 0x3F8

// Port is one UART.
type Port struct {
	Base uint16
}

// Init programs 115200 8N1 with FIFOs on and interrupts off.
func (p *Port) Init() {
	amd64.Outb(p.Base+IER, 0)
	amd64.Outb(p.Base+LCR, LCR_DLAB)
	amd64.Outb(p.Base+DLL, divisor115200)
	amd64.Outb(p.Base+DLM, 0)
	amd64.Outb(p.Base+LCR, LCR_WLS8)
	amd64.Outb(p.Base+FCR, FCR_FIFO|FCR_RCLR|FCR_XCLR)
	amd64.Outb(p.Base+MCR, MCR_DTR|MCR_RTS)
}

// Write sends b. It waits for the transmitter to empty once per FIFO's
// worth of bytes rather than per byte: every port access is a VM exit.
//
// Trap context: safe.
func (p *Port) Write(b []byte) {
	for len(b) > 0 {
		p.waitEmpty()
		n := min(len(b), fifoDepth)
		for _, c := range b[:n] {
			amd64.Outb(p.Base+THR, c)
		}
		b = b[n:]
	}
}

// WriteString sends s, as Write.
//
// Trap context: safe.
func (p *Port) WriteString(s string) {
	for len(s) > 0 {
		p.waitEmpty()
		n := min(len(s), fifoDepth)
		for i := range n {
			amd64.Outb(p.Base+THR, s[i])
		}
		s = s[n:]
	}
}

func (p *Port) waitEmpty() {
	for amd64.Inb(p.Base+LSR)&LSR_THRE == 0 {
	}
}
