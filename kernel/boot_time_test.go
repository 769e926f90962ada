package kernel

import "testing"

func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"2596141", 2596141, true},
		{"0", 0, true},
		{"1000", 1000, true},
		{"", 0, false},
		{"-5", 0, false},
		{"12a", 0, false},
		{" 1", 0, false},
		{"1234567890123456789", 0, false}, // 19 digits
	} {
		if got, ok := parseDecimal(c.in); got != c.want || ok != c.ok {
			t.Errorf("parseDecimal(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
