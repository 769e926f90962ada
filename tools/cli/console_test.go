package cli

import (
	"strings"
	"testing"
)

func TestTestConsole(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"banner dropped", []string{"coracle: booted on QEMU, 1 MiB\r\n=== RUN   TestA\r\n"}, "=== RUN   TestA\n"},
		{"banner in pieces", []string{"cora", "cle: booted on Q", "EMU\r", "\nPASS\r\n"}, "PASS\n"},
		{"no banner", []string{"co", "mpiled\r\nok\r\n"}, "compiled\nok\n"},
		{"other coracle line kept", []string{"coracle: kernel fault\r\n"}, "coracle: kernel fault\n"},
		{"CR LF split across writes", []string{"coracle: booted on X\r\na\r", "\nb\r\n"}, "a\nb\n"},
		{"lone CR kept", []string{"coracle: booted on X\r\n50%\r60%\r", "70%\n"}, "50%\r60%\r70%\n"},
		{"CR at the end flushed", []string{"coracle: booted on X\r\nx\r"}, "x\r"},
		{"unfinished banner dropped", []string{"coracle: booted on X"}, ""},
		{"unfinished other line kept", []string{"cor"}, "cor"},
		{"network notices dropped", []string{"coracle: booted on X\r\ncoracle: network: virtio-net\r\n=== RUN\r\ncoracle: net", "work: 10.0.2.15/24\r\n--- PASS\r\n"}, "=== RUN\n--- PASS\n"},
		{"notice only at a line's start", []string{"x coracle: network: y\r\n"}, "x coracle: network: y\n"},
		{"unimplemented call kept", []string{"coracle: unimplemented system call mlock (149): ENOSYS\r\n"}, "coracle: unimplemented system call mlock (149): ENOSYS\n"},
		{"empty lines kept", []string{"\r\n\r\na\r\n"}, "\n\na\n"},
	} {
		var b strings.Builder
		c := newTestConsole(&b)
		for _, w := range tc.writes {
			if n, err := c.Write([]byte(w)); n != len(w) || err != nil {
				t.Fatalf("%s: Write(%q) = %d, %v", tc.name, w, n, err)
			}
		}
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, b.String(), tc.want)
		}
	}
}
