// Package i8254 uses the PC's programmable interval timer to measure the
// TSC frequency, for machines where neither CPUID nor kvmclock gives it
// (QEMU TCG). Nothing else: the kernel's timer interrupts come from the
// local APIC.
//
// Spec: Intel 8254 Programmable Interval Timer datasheet (order no.
// 231164: "Control Word Format", "Read-Back Command", "Status Byte", Mode
// 0 "Interrupt on Terminal Count"), with the PC/AT wiring: input clock
// 1.193182 MHz, ports 0x40-0x43, and counter 2's gate on bit 0 of port
// 0x61 (NMI Status and Control, e.g. Intel ICH/PCH datasheets).
//
// The measurement reads counter 2's OUT through the 8254 read-back
// command rather than through port 0x61 bit 5, as Linux does: QEMU's
// microvm has a PIT but no port 0x61 (that is the PC speaker device), and
// the read-back status also proves that a PIT answered (a missing one
// reads 0xFF).
//
// Trap context: none. CalibrateTSC busy-waits for the window and is meant
// for boot; it is allocation-free so that it may also run before the Go
// runtime starts. It reprograms counter 2 and must not run concurrently
// with other users of the PIT.
package i8254

import "github.com/coracle-os/coracle/arch/amd64"

// Hz is the PIT's input clock on the PC (14.31818 MHz / 12), as QEMU and
// Linux round it.
const Hz = 1193182

// Ports.
const (
	COUNTER0 = 0x40
	COUNTER2 = 0x42
	CONTROL  = 0x43 // control word (write only)

	// PORT_B is the PC/AT NMI Status and Control register.
	PORT_B          = 0x61
	PORT_B_GATE2    = 0 // counter 2 gate
	PORT_B_SPEAKER  = 1 // speaker data enable (counter 2 OUT to the speaker)
	PORT_B_OUT2     = 5 // counter 2 OUT (read only)
	PORT_B_REFRESH  = 4 // refresh toggle (read only)
	PORT_B_IOCHK_EN = 3
)

// Control word fields, as bit positions ("Control Word Format").
const (
	CW_BCD = 0 // BCD counting when set
	CW_M   = 1 // bits 3:1: mode
	CW_RW  = 4 // bits 5:4: 00 latch count, 01 LSB, 10 MSB, 11 LSB then MSB
	CW_SC  = 6 // bits 7:6: counter select, 11 = read-back

	RW_LSB_MSB = 0b11
	SC_READ    = 0b11
	MODE_0     = 0 // interrupt on terminal count: OUT low, high at 0

	// Read-back command: bits 7:6 = 11, then active-low selects.
	RB_COUNT_N  = 5 // 0 = latch the count
	RB_STATUS_N = 4 // 0 = latch the status
	RB_CNT2     = 3 // select counter 2 (bit 1 counter 0, bit 2 counter 1)

	// Status byte fields ("Status Byte").
	STATUS_OUTPUT = 7 // OUT pin
	STATUS_NULL   = 6 // null count: the count written has not been loaded
	STATUS_RW_M   = 0x3F
)

const (
	// controlCounter2Mode0 selects counter 2, LSB then MSB, mode 0, binary.
	controlCounter2Mode0 = 2<<CW_SC | RW_LSB_MSB<<CW_RW | MODE_0<<CW_M
	// readBackStatus2 latches counter 2's status only.
	readBackStatus2 = SC_READ<<CW_SC | 1<<RB_COUNT_N | 1<<RB_CNT2
	// statusMode0 is what the status byte reports for controlCounter2Mode0
	// (in STATUS_RW_M): the control word's low six bits.
	statusMode0 = controlCounter2Mode0 & STATUS_RW_M
)

// Window lengths for CalibrateTSC, in PIT ticks. Longer is more precise:
// the error is about one port read (a VM exit, ~1-30 µs) over the window.
const (
	Ticks10ms = Hz / 100
	Ticks50ms = Hz / 20
	MaxTicks  = 0xFFFF // 54.9 ms

	// maxTSCHz bounds the wait for a PIT that never counts down: no TSC
	// runs faster, so after ticks*maxCyclesPerTick cycles the PIT is dead.
	maxTSCHz         = 20_000_000_000
	maxCyclesPerTick = maxTSCHz / Hz
)

// CalibrateTSC measures the TSC over ticks cycles of the PIT (1 to
// MaxTicks; Ticks10ms is usually enough) and returns its frequency in Hz.
// ok is false if no PIT answers, or its counter never reaches zero within
// the time a 20 GHz TSC would take: it never hangs.
//
// A measurement is only as good as the polls around the count's end:
// when the vCPU is descheduled between two polls (seen under TCG) the end
// is late by that long. So each measurement carries its uncertainty,
// CalibrateTSC accepts the first one within 0.05%, and otherwise returns
// the most certain of maxAttempts (5): it takes one window's time
// normally and at most five. On a busy 2-CPU host under TCG, pauses of
// milliseconds between polls were common, and single 50 ms windows were
// off by up to 1%.
func CalibrateTSC(ticks uint16) (tscHz uint64, ok bool) {
	return calibrate(&pc, ticks)
}

const (
	maxAttempts = 5
	// goodEnough is the accepted uncertainty, as a fraction 1/goodEnough
	// of the measured interval.
	goodEnough = 2000
)

// hw is the PIT, port B and the TSC. pc is the real machine; tests
// provide a simulated one.
type hw interface {
	inb(port uint16) uint8
	outb(port uint16, v uint8)
	rdtsc() uint64
}

type machine struct{}

var pc machine

func (*machine) inb(port uint16) uint8 { return amd64.Inb(port) }

func (*machine) outb(port uint16, v uint8) { amd64.Outb(port, v) }

func (*machine) rdtsc() uint64 { return amd64.Rdtsc() }

// calibrate sets up port B, measures, and puts port B back.
func calibrate(h hw, ticks uint16) (uint64, bool) {
	if ticks == 0 {
		return 0, false
	}
	portB := h.inb(PORT_B)
	// Gate high (counting enabled on real hardware), speaker off.
	h.outb(PORT_B, portB&^(1<<PORT_B_SPEAKER)|1<<PORT_B_GATE2)
	var best measurement
	for range maxAttempts {
		m := measure(h, ticks)
		if !m.ok {
			break // no PIT, or a dead one: trying again will not help
		}
		if !best.ok || m.uncertainty < best.uncertainty {
			best = m
		}
		if m.uncertainty*goodEnough <= m.cycles {
			break
		}
	}
	h.outb(PORT_B, portB)
	if !best.ok {
		return 0, false
	}
	return tscHzFrom(best.cycles, ticks)
}

// measurement is one timing of the count: cycles is the TSC cycles it
// took, within +-uncertainty/2.
type measurement struct {
	cycles, uncertainty uint64
	ok                  bool
}

// measure programs counter 2 in mode 0 with ticks and times, with the
// TSC, how long OUT takes to go high. The count starts between the TSC
// reads around the write of its MSB; it ends after the last poll that
// latched OUT low began and before the first poll that latched it high
// ended. Each end is taken as the middle of its interval.
func measure(h hw, ticks uint16) measurement {
	// Mode 0: OUT goes low on the control word and high when the count,
	// loaded on the first clock after the MSB is written, reaches 0.
	h.outb(CONTROL, controlCounter2Mode0)
	h.outb(COUNTER2, uint8(ticks))
	startLo := h.rdtsc()
	h.outb(COUNTER2, uint8(ticks>>8))
	startHi := h.rdtsc()

	limit := uint64(ticks) * maxCyclesPerTick
	endLo := startLo
	for {
		before := h.rdtsc()
		status := readStatus(h)
		after := h.rdtsc()
		if status&STATUS_RW_M != statusMode0 {
			// No 8254 answered: the status is not what was programmed
			// (an empty port reads 0xFF).
			return measurement{}
		}
		if status&(1<<STATUS_OUTPUT) != 0 {
			start := startLo + (startHi-startLo)/2
			end := endLo + (after-endLo)/2
			return measurement{
				cycles:      end - start,
				uncertainty: (startHi - startLo) + (after - endLo),
				ok:          end > start,
			}
		}
		endLo = before
		if before-startHi > limit {
			// OUT was still low when latched after the limit (before,
			// not after: the vCPU may have paused between the latch and
			// the second TSC read), counted from startHi, by when the
			// count had started (the vCPU may have paused before the
			// write of the MSB): the count never reaches zero.
			return measurement{}
		}
	}
}

// readStatus latches and reads counter 2's status byte.
func readStatus(h hw) uint8 {
	h.outb(CONTROL, readBackStatus2)
	return h.inb(COUNTER2)
}

// tscHzFrom converts the TSC cycles elapsed over ticks PIT ticks into Hz.
// It refuses cycles beyond what the fastest TSC would count, which also
// keeps cycles*Hz (< 2^51) from overflowing.
func tscHzFrom(cycles uint64, ticks uint16) (uint64, bool) {
	if cycles == 0 || ticks == 0 || cycles > uint64(ticks)*maxCyclesPerTick {
		return 0, false
	}
	return cycles * Hz / uint64(ticks), true
}
