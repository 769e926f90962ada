package mc146818

import (
	"fmt"
	"testing"
	"time"
)

// bcd encodes 0-99 as two BCD digits.
func bcd(v int) uint8 { return uint8(v/10<<4 | v%10) }

const (
	binary24 = 1<<REG_B_DM | 1<<REG_B_2412
	bcd24    = 1 << REG_B_2412
	binary12 = 1 << REG_B_DM
	bcd12    = 0
)

func TestUnix(t *testing.T) {
	tests := []struct {
		name string
		r    Registers
		want time.Time
	}{
		{"epoch, binary", Registers{0, 0, 0, 1, 1, 70, 19, binary24}, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"BCD", Registers{0x56, 0x34, 0x12, 0x31, 0x12, 0x99, 0x19, bcd24}, time.Date(1999, 12, 31, 12, 34, 56, 0, time.UTC)},
		{"BCD 2000", Registers{0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x20, bcd24}, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"BCD last second", Registers{0x59, 0x59, 0x23, 0x31, 0x12, 0x25, 0x20, bcd24}, time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"binary 2038 rollover", Registers{8, 14, 3, 19, 1, 38, 20, binary24}, time.Date(2038, 1, 19, 3, 14, 8, 0, time.UTC)},
		{"century 21", Registers{0, 0, 0, 1, 1, 5, 21, binary24}, time.Date(2105, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"century byte 0x21 BCD", Registers{0, 0, 0, 1, 1, 0x05, 0x21, bcd24}, time.Date(2105, 1, 1, 0, 0, 0, 0, time.UTC)},

		// Leap years: divisible by 4, except centuries, except by 400.
		{"2000-02-29 (leap, /400)", Registers{0, 0, 0, 29, 2, 0, 20, binary24}, time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2024-02-29", Registers{1, 2, 3, 29, 2, 24, 20, binary24}, time.Date(2024, 2, 29, 3, 2, 1, 0, time.UTC)},
		{"2024-03-01", Registers{0, 0, 0, 1, 3, 24, 20, binary24}, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2023-12-31 (day 365)", Registers{0, 0, 0, 31, 12, 23, 20, binary24}, time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"2024-12-31 (day 366)", Registers{0, 0, 0, 31, 12, 24, 20, binary24}, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"2100-02-28 (2100 not leap)", Registers{0, 0, 0, 28, 2, 0, 21, binary24}, time.Date(2100, 2, 28, 0, 0, 0, 0, time.UTC)},
		{"2100-03-01", Registers{0, 0, 0, 1, 3, 0, 21, binary24}, time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"1972-02-29", Registers{0, 0, 0, 29, 2, 72, 19, binary24}, time.Date(1972, 2, 29, 0, 0, 0, 0, time.UTC)},

		// No century byte (0): 70-99 -> 19xx, 00-69 -> 20xx.
		{"no century, 69", Registers{0, 0, 0, 1, 1, 69, 0, binary24}, time.Date(2069, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"no century, 70", Registers{0, 0, 0, 1, 1, 70, 0, binary24}, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"no century, 0x25 BCD", Registers{0, 0, 0, 1, 6, 0x25, 0, bcd24}, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
		// A century byte that holds nothing sensible falls back to the window.
		{"century 0xFF", Registers{0, 0, 0, 1, 1, 25, 0xFF, binary24}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"century 0x1A BCD (bad digit)", Registers{0, 0, 0, 1, 1, 0x99, 0x1A, bcd24}, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"century 5", Registers{0, 0, 0, 1, 1, 25, 5, binary24}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},

		// 12-hour mode: 12 AM is midnight, 12 PM is noon, bit 7 is PM.
		{"12 AM binary", Registers{0, 0, 12, 1, 1, 25, 20, binary12}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"12 PM binary", Registers{0, 0, 0x80 | 12, 1, 1, 25, 20, binary12}, time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)},
		{"1 AM binary", Registers{0, 0, 1, 1, 1, 25, 20, binary12}, time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC)},
		{"1 PM binary", Registers{0, 0, 0x80 | 1, 1, 1, 25, 20, binary12}, time.Date(2025, 1, 1, 13, 0, 0, 0, time.UTC)},
		{"11 AM binary", Registers{0, 0, 11, 1, 1, 25, 20, binary12}, time.Date(2025, 1, 1, 11, 0, 0, 0, time.UTC)},
		{"11 PM binary", Registers{59, 59, 0x80 | 11, 1, 1, 25, 20, binary12}, time.Date(2025, 1, 1, 23, 59, 59, 0, time.UTC)},
		{"12 AM BCD", Registers{0, 0, 0x12, 1, 1, 0x25, 0x20, bcd12}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"12 PM BCD", Registers{0, 0, 0x92, 1, 1, 0x25, 0x20, bcd12}, time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)},
		{"10 PM BCD", Registers{0, 0x30, 0x90, 1, 1, 0x25, 0x20, bcd12}, time.Date(2025, 1, 1, 22, 30, 0, 0, time.UTC)},
		{"9 AM BCD", Registers{0, 0, 0x09, 1, 1, 0x25, 0x20, bcd12}, time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)},
		// In 24-hour mode bit 7 is not PM; 0x80 is simply out of range (below).
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.r.Unix()
			if !ok || got != tt.want.Unix() {
				t.Errorf("%+v.Unix() = %d, %v; want %d (%v), true", tt.r, got, ok, tt.want.Unix(), tt.want)
			}
		})
	}
}

func TestUnixInvalid(t *testing.T) {
	valid := Registers{0, 0, 0, 1, 1, 25, 20, binary24}
	if _, ok := valid.Unix(); !ok {
		t.Fatalf("the base case %+v is not valid", valid)
	}
	tests := []struct {
		name string
		edit func(r *Registers)
	}{
		{"missing device (all 0xFF)", func(r *Registers) { *r = Registers{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF} }},
		{"seconds 60", func(r *Registers) { r.Seconds = 60 }},
		{"minutes 60", func(r *Registers) { r.Minutes = 60 }},
		{"hours 24", func(r *Registers) { r.Hours = 24 }},
		{"hours with bit 7 in 24-hour mode", func(r *Registers) { r.Hours = 0x81 }},
		{"day 0", func(r *Registers) { r.Day = 0 }},
		{"day 32", func(r *Registers) { r.Day = 32 }},
		{"April 31", func(r *Registers) { r.Month, r.Day = 4, 31 }},
		{"2025-02-29 (not leap)", func(r *Registers) { r.Month, r.Day = 2, 29 }},
		{"2100-02-29 (not leap)", func(r *Registers) { r.Month, r.Day, r.Year, r.Century = 2, 29, 0, 21 }},
		{"month 0", func(r *Registers) { r.Month = 0 }},
		{"month 13", func(r *Registers) { r.Month = 13 }},
		{"year 100 binary", func(r *Registers) { r.Year = 100 }},
		{"before 1970", func(r *Registers) { r.Century, r.Year = 19, 69 }},
		{"BCD digit A", func(r *Registers) { *r = Registers{0x5A, 0, 0, 1, 1, 0x25, 0x20, bcd24} }},
		{"BCD tens digit F", func(r *Registers) { *r = Registers{0, 0xF0, 0, 1, 1, 0x25, 0x20, bcd24} }},
		{"BCD hours 0x24", func(r *Registers) { *r = Registers{0, 0, 0x24, 1, 1, 0x25, 0x20, bcd24} }},
		{"BCD month 0x13", func(r *Registers) { *r = Registers{0, 0, 0, 1, 0x13, 0x25, 0x20, bcd24} }},
		{"BCD month 0x0A", func(r *Registers) { *r = Registers{0, 0, 0, 1, 0x0A, 0x25, 0x20, bcd24} }},
		{"12-hour 0", func(r *Registers) { r.B, r.Hours = binary12, 0 }},
		{"12-hour 13", func(r *Registers) { r.B, r.Hours = binary12, 13 }},
		{"12-hour PM 0", func(r *Registers) { r.B, r.Hours = binary12, 0x80 }},
		{"12-hour BCD 0x13", func(r *Registers) { *r = Registers{0, 0, 0x13, 1, 1, 0x25, 0x20, bcd12} }},
		{"12-hour BCD PM 0x00", func(r *Registers) { *r = Registers{0, 0, 0x80, 1, 1, 0x25, 0x20, bcd12} }},
	}
	for _, tt := range tests {
		r := valid
		tt.edit(&r)
		if got, ok := r.Unix(); ok {
			t.Errorf("%s: %+v.Unix() = %d, true; want false", tt.name, r, got)
		}
	}
}

// TestUnixEveryDay checks every day from 1970 to 2199 at a few times of
// day, in all four modes, against package time.
func TestUnixEveryDay(t *testing.T) {
	hours := []int{0, 1, 11, 12, 13, 23}
	for d := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2200; d = d.AddDate(0, 0, 1) {
		for _, h := range hours {
			want := d.Add(time.Duration(h)*time.Hour + 17*time.Minute + 42*time.Second)
			year := want.Year() % 100
			century := want.Year() / 100
			h12 := uint8(h % 12)
			if h12 == 0 {
				h12 = 12
			}
			pm := uint8(0)
			if h >= 12 {
				pm = 0x80
			}
			for _, r := range []Registers{
				{42, 17, uint8(h), uint8(want.Day()), uint8(want.Month()), uint8(year), uint8(century), binary24},
				{bcd(42), bcd(17), bcd(h), bcd(want.Day()), bcd(int(want.Month())), bcd(year), bcd(century), bcd24},
				{42, 17, pm | h12, uint8(want.Day()), uint8(want.Month()), uint8(year), uint8(century), binary12},
				{bcd(42), bcd(17), pm | bcd(int(h12)), bcd(want.Day()), bcd(int(want.Month())), bcd(year), bcd(century), bcd12},
			} {
				if got, ok := r.Unix(); !ok || got != want.Unix() {
					t.Fatalf("%+v.Unix() = %d, %v; want %d (%v)", r, got, ok, want.Unix(), want)
				}
			}
		}
	}
}

func TestDecodeBCD(t *testing.T) {
	for v := 0; v < 256; v++ {
		got, ok := decodeBCD(uint8(v))
		hi, lo := v>>4, v&0xF
		wantOK := hi <= 9 && lo <= 9
		if ok != wantOK || (ok && got != hi*10+lo) {
			t.Errorf("decodeBCD(%#02x) = %d, %v; want %d, %v", v, got, ok, hi*10+lo, wantOK)
		}
	}
}

// fakeCMOS plays the CMOS for readRegisters. The time registers change
// to next after changeAfter reads of them; UIP reads set for the first
// uipReads reads of register A.
type fakeCMOS struct {
	regs        [128]uint8
	next        *[128]uint8
	changeAfter int
	uipReads    int
	reads       int
	alwaysTick  bool // every read of SECONDS returns a new value
}

func (f *fakeCMOS) cmosRead(reg uint8) uint8 {
	if reg == REG_A {
		if f.uipReads > 0 {
			f.uipReads--
			return f.regs[REG_A] | 1<<REG_A_UIP
		}
		return f.regs[REG_A]
	}
	f.reads++
	if f.next != nil && f.reads > f.changeAfter {
		f.regs, f.next = *f.next, nil
	}
	if f.alwaysTick && reg == SECONDS {
		f.regs[SECONDS] = (f.regs[SECONDS] + 1) % 60
	}
	return f.regs[reg]
}

func cmosAt(r Registers) [128]uint8 {
	var c [128]uint8
	c[SECONDS], c[MINUTES], c[HOURS] = r.Seconds, r.Minutes, r.Hours
	c[DAY_OF_MONTH], c[MONTH], c[YEAR] = r.Day, r.Month, r.Year
	c[CENTURY], c[REG_B] = r.Century, r.B
	c[REG_A] = 0x26 // 32.768 kHz divider, 1.024 kHz periodic rate: the PC default
	return c
}

func TestReadRegisters(t *testing.T) {
	t0 := Registers{0x59, 0x59, 0x23, 0x31, 0x12, 0x25, 0x20, bcd24}
	t1 := Registers{0x00, 0x00, 0x00, 0x01, 0x01, 0x26, 0x20, bcd24}
	next := cmosAt(t1)
	var missing [128]uint8
	for i := range missing {
		missing[i] = 0xFF
	}

	tests := []struct {
		name    string
		cmos    *fakeCMOS
		century uint8
		want    Registers
		ok      bool
	}{
		{"stable", &fakeCMOS{regs: cmosAt(t0)}, CENTURY, t0, true},
		{"no century byte", &fakeCMOS{regs: cmosAt(t0)}, 0, Registers{0x59, 0x59, 0x23, 0x31, 0x12, 0x25, 0, bcd24}, true},
		{"UIP for a while", &fakeCMOS{regs: cmosAt(t0), uipReads: 1000}, CENTURY, t0, true},
		// An update lands between the first read's seconds and year: the
		// torn first read must not be returned.
		{"update during first read", &fakeCMOS{regs: cmosAt(t0), next: &next, changeAfter: 3}, CENTURY, t1, true},
		{"update during second read", &fakeCMOS{regs: cmosAt(t0), next: &next, changeAfter: 10}, CENTURY, t1, true},
		{"missing device", &fakeCMOS{regs: missing}, CENTURY, Registers{}, false},
		{"UIP stuck", &fakeCMOS{regs: cmosAt(t0), uipReads: maxUIPPolls + 1}, CENTURY, Registers{}, false},
		{"never agrees", &fakeCMOS{regs: cmosAt(t0), alwaysTick: true}, CENTURY, Registers{}, false},
	}
	for _, tt := range tests {
		got, ok := readRegisters(tt.cmos, tt.century)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: readRegisters = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReadDoesNotAllocate(t *testing.T) {
	f := &fakeCMOS{regs: cmosAt(Registers{0x59, 0x59, 0x23, 0x31, 0x12, 0x25, 0x20, bcd24})}
	if n := testing.AllocsPerRun(100, func() {
		r, _ := readRegisters(f, CENTURY)
		r.Unix()
	}); n != 0 {
		t.Errorf("readRegisters+Unix allocate %v times per run, want 0", n)
	}
}

func ExampleRegisters_Unix() {
	// A PC clock in its usual mode (BCD, 24-hour) at 2024-02-29 13:05:09.
	r := Registers{Seconds: 0x09, Minutes: 0x05, Hours: 0x13, Day: 0x29, Month: 0x02, Year: 0x24, Century: 0x20, B: 1 << REG_B_2412}
	unix, ok := r.Unix()
	fmt.Println(unix, ok, time.Unix(unix, 0).UTC())
	// Output: 1709211909 true 2024-02-29 13:05:09 +0000 UTC
}
