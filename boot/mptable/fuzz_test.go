package mptable

import (
	"errors"
	"testing"
)

// FuzzFind feeds arbitrary bytes as the memory at 0xF0000 (the ROM area
// the search covers last) of an otherwise zero 1 MiB. Find must not
// panic, must return an mptable.Error or a table within the caps whose
// CPUs are all enabled, and must read only inside memory.
func FuzzFind(f *testing.F) {
	{
		m := newMem()
		m.put(0xF0000, floating(0xF0010, 0))
		m.put(0xF0010, config(processor(0, CPU_EN|CPU_BP), processor(1, CPU_EN), bus(0, "ISA"), ioapic(2, IOAPIC_EN, DefaultIOAPIC)))
		f.Add(m.b[0xF0000:0xF0100])
	}
	f.Add(floating(0, 1))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := newMem()
		copy(m.b[0xF0000:], data)
		var tb Table
		err := Find(m, &tb)
		if err != nil {
			var e Error
			if !errors.As(err, &e) {
				t.Fatalf("Find returned %T %v, want an mptable.Error", err, err)
			}
			return
		}
		if len(tb.CPUs()) > MaxCPUs || len(tb.IOAPICs()) > MaxIOAPICs {
			t.Fatalf("lists past the caps: %d, %d", len(tb.CPUs()), len(tb.IOAPICs()))
		}
		for _, c := range tb.CPUs() {
			if c.Flags&CPU_EN == 0 {
				t.Fatalf("disabled CPU listed: %+v", c)
			}
		}
	})
}
