// Package mc146818 reads the PC's CMOS real-time clock: the wall-clock
// time at boot where no hypervisor clock gives it (QEMU TCG, or KVM
// without kvmclock). QEMU has it on pc and q35, and on microvm with
// rtc=on; Firecracker has none (Read then fails).
//
// Spec: Motorola MC146818A datasheet (registers 0x00-0x0D, "Update
// Cycle", "Data Mode", "12-/24-Hour"), with the IBM PC/AT conventions:
// index port 0x70, data port 0x71, century byte at CMOS offset 0x32
// (named by the ACPI FADT CENTURY field, ACPI 6.5 §5.2.9).
//
// The clock is assumed to keep UTC (QEMU's default, -rtc base=utc).
//
// Trap context: none. Read polls for up to a few milliseconds and is
// meant for boot; it is allocation-free so that it may also run before
// the Go runtime starts. The index/data port pair is not atomic: callers
// serialise access to the CMOS.
package mc146818

import "github.com/coracle-os/coracle/arch/amd64"

// Ports (IBM PC/AT).
const (
	INDEX = 0x70 // write: bits 6:0 register index, bit 7 NMI disable
	DATA  = 0x71 // read/write: the indexed register

	INDEX_NMI_DISABLE = 7 // left clear: NMIs stay enabled
)

// Registers (MC146818A "Address Map"), with their fields as bit
// positions.
const (
	SECONDS      = 0x00 // 0-59
	MINUTES      = 0x02 // 0-59
	HOURS        = 0x04 // 0-23, or 1-12 with HOURS_PM in 12-hour mode
	HOURS_PM     = 7    // 12-hour mode: PM (in binary and BCD mode alike)
	DAY_OF_MONTH = 0x07 // 1-31
	MONTH        = 0x08 // 1-12
	YEAR         = 0x09 // 0-99

	REG_A     = 0x0A
	REG_A_UIP = 7 // update in progress: time registers are changing

	REG_B      = 0x0B
	REG_B_DM   = 2 // data mode: 1 binary, 0 BCD
	REG_B_2412 = 1 // 1 = 24-hour mode, 0 = 12-hour mode
	REG_B_SET  = 7 // updates halted by software

	// CENTURY is the PC/AT century byte (BCD or binary like the others).
	// It is not part of the MC146818A; QEMU keeps it at 0x32 (and 0x37).
	CENTURY = 0x32
)

// Registers is one snapshot of the time registers, as read.
type Registers struct {
	Seconds, Minutes, Hours uint8
	Day, Month, Year        uint8
	// Century is the century byte, or 0 when there is none.
	Century uint8
	// B is register B: data mode and 12/24-hour mode.
	B uint8
}

// RTC is the CMOS clock.
type RTC struct {
	// Index is the index port; the data port follows it (INDEX).
	Index uint16
	// Century is the CMOS offset of the century byte (CENTURY), or 0 if
	// the machine has none: years 70-99 are then 1970-1999, 00-69
	// 2000-2069.
	Century uint8
}

// PC is the RTC of every PC-compatible machine.
var PC = RTC{Index: INDEX, Century: CENTURY}

// Bounds of the read loop, in register reads (each one a VM exit of a
// few microseconds, so both are far above what a working clock needs:
// UIP stays set at most 1984+244 µs, and two reads agree unless an
// update falls between them).
const (
	maxUIPPolls = 1 << 16
	maxRounds   = 8
)

// Read returns the current Unix time in seconds (UTC), or ok=false if
// there is no clock (the registers read 0xFF), it never finishes an
// update, or it holds no valid date.
func (r *RTC) Read() (unix int64, ok bool) {
	regs, ok := readRegisters(r, r.Century)
	if !ok {
		return 0, false
	}
	return regs.Unix()
}

// cmos reads one CMOS register. *RTC is the hardware one; tests supply
// their own.
type cmos interface {
	cmosRead(reg uint8) uint8
}

func (r *RTC) cmosRead(reg uint8) uint8 {
	amd64.Outb(r.Index, reg&^(1<<INDEX_NMI_DISABLE))
	return amd64.Inb(r.Index + 1)
}

// readRegisters follows the datasheet's advice for reading during
// updates: wait for UIP to clear, read every register, and repeat until
// two reads in a row agree, so that no update happened in between.
func readRegisters(c cmos, century uint8) (Registers, bool) {
	var prev Registers
	for round := 0; round < maxRounds; round++ {
		if !waitUpdate(c) {
			return Registers{}, false
		}
		cur := Registers{
			Seconds: c.cmosRead(SECONDS),
			Minutes: c.cmosRead(MINUTES),
			Hours:   c.cmosRead(HOURS),
			Day:     c.cmosRead(DAY_OF_MONTH),
			Month:   c.cmosRead(MONTH),
			Year:    c.cmosRead(YEAR),
			B:       c.cmosRead(REG_B),
		}
		if century != 0 {
			cur.Century = c.cmosRead(century)
		}
		if round > 0 && cur == prev {
			return cur, true
		}
		prev = cur
	}
	return Registers{}, false
}

// waitUpdate waits until register A's UIP bit is clear. A missing
// device reads 0xFF, UIP set forever: give up after maxUIPPolls.
func waitUpdate(c cmos) bool {
	for range maxUIPPolls {
		if c.cmosRead(REG_A)&(1<<REG_A_UIP) == 0 {
			return true
		}
	}
	return false
}

// Unix converts a snapshot to Unix time (seconds since 1970-01-01 UTC),
// decoding BCD and 12-hour mode as register B says. ok is false for
// values that are not a valid date and time (a missing clock reads all
// 0xFF), for dates before 1970, and for BCD bytes with a digit above 9.
func (r Registers) Unix() (unix int64, ok bool) {
	bcd := r.B&(1<<REG_B_DM) == 0
	sec, ok1 := decode(r.Seconds, bcd)
	min, ok2 := decode(r.Minutes, bcd)
	hour, ok3 := decodeHours(r.Hours, bcd, r.B&(1<<REG_B_2412) != 0)
	day, ok4 := decode(r.Day, bcd)
	month, ok5 := decode(r.Month, bcd)
	year, ok6 := decode(r.Year, bcd)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || year > 99 {
		return 0, false
	}
	year = fullYear(year, r.Century, bcd)
	if sec > 59 || min > 59 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || year < 1970 {
		return 0, false
	}
	days := daysFromCivil(year, month, day)
	return days*86400 + int64(hour*3600+min*60+sec), true
}

// fullYear adds the century: from the century byte when it holds 19-99,
// else by the window 70-99 -> 19xx, 00-69 -> 20xx.
func fullYear(year int, centuryByte uint8, bcd bool) int {
	if c, ok := decode(centuryByte, bcd); ok && c >= 19 && c <= 99 {
		return c*100 + year
	}
	if year >= 70 {
		return 1900 + year
	}
	return 2000 + year
}

// decodeHours decodes the hours register. In 12-hour mode bit 7 is PM
// and the hour runs 12, 1, ..., 11: 12 AM is 0, 12 PM is 12.
func decodeHours(v uint8, bcd, h24 bool) (int, bool) {
	pm := false
	if !h24 {
		pm = v&(1<<HOURS_PM) != 0
		v &^= 1 << HOURS_PM
	}
	h, ok := decode(v, bcd)
	if !ok {
		return 0, false
	}
	if h24 {
		return h, h <= 23
	}
	if h < 1 || h > 12 {
		return 0, false
	}
	if h == 12 {
		h = 0
	}
	if pm {
		h += 12
	}
	return h, true
}

// decode decodes a register in the clock's data mode.
func decode(v uint8, bcd bool) (int, bool) {
	if bcd {
		return decodeBCD(v)
	}
	return int(v), true
}

// decodeBCD decodes two packed BCD digits.
func decodeBCD(v uint8) (int, bool) {
	hi, lo := v>>4, v&0xF
	if hi > 9 || lo > 9 {
		return 0, false
	}
	return int(hi)*10 + int(lo), true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(year, month int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to the given date of
// the proleptic Gregorian calendar (H. Hinnant, "chrono-Compatible
// Low-Level Date Algorithms", days_from_civil), for year >= 0.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400 // [0, 399]
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return int64(era)*146097 + int64(doe) - 719468
}
