package disk

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"64M", 64 << 20},
		{"1G", 1 << 30},
		{"512MiB", 512 << 20},
		{"2GiB", 2 << 30},
		{"8388608", 8 << 20},
		{"4096k", 4 << 20},
		{"3KiB", 3 << 10},
		{"1t", 1 << 40},
		{"2mib", 2 << 20},
		{"0", 0},
		{"007M", 7 << 20},
	} {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "not a number"},
		{"M", "not a number"},
		{"-5M", "not a number"},
		{" 5M", "not a number"},
		{"1.5G", `unknown unit ".5G"`},
		{"64MB", "binary multiples"},
		{"64B", "binary multiples"},
		{"64iB", `unknown unit "iB"`},
		{"5P", `unknown unit "P"`},
		{"5M ", `unknown unit "M "`},
		{"9223372036854775808", "too large"},
		{"8388608T", "too large"},
		{"8388607T", ""}, // the largest that fits
	} {
		_, err := ParseSize(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ParseSize(%q): %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ParseSize(%q): error %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestCheckSize(t *testing.T) {
	for _, tt := range []struct {
		size int64
		want string
	}{
		{MinSize, ""},
		{1 << 30, ""},
		{MinSize - BlockSize, "below the minimum of 8 MiB"},
		{0, "below the minimum"},
		{-1, "below the minimum"},
		{MinSize + 512, "use 8388608 or 8392704"},
	} {
		err := CheckSize(tt.size)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckSize(%d) = %v, want %q", tt.size, err, tt.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for size, want := range map[int64]string{
		8 << 20: "8 MiB", 1 << 30: "1 GiB", 3 << 40: "3 TiB", 12 << 10: "12 KiB",
		1536 << 20: "1536 MiB", 100: "100 bytes", 4097: "4097 bytes",
	} {
		if got := FormatSize(size); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", size, got, want)
		}
	}
}
