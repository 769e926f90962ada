package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64/pc/uart16550"
)

type consoleWriter struct {
	port uart16550.Port
}

func (c *consoleWriter) init() { c.port.Init() }

// str writes s, turning each "\n" into "\r\n".
//
// Trap context: safe.
func (c *consoleWriter) str(s string) {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		c.port.WriteString(s[:i])
		if i == len(s) {
			return
		}
		c.port.WriteString("\r\n")
		s = s[i+1:]
	}
}

// hex writes v as 0x followed by at least digits hex digits.
//
// Trap context: safe.
func (c *consoleWriter) hex(v uint64, digits int) {
	var buf [2 + 16]byte
	buf[0], buf[1] = '0', 'x'
	digits = min(max(digits, 1), 16)
	for digits < 16 && v>>(4*digits) != 0 {
		digits++
	}
	for i := digits - 1; i >= 0; i-- {
		buf[2+i] = "0123456789abcdef"[v&15]
		v >>= 4
	}
	c.port.Write(buf[:2+digits])
}

// dec writes v in decimal.
//
// Trap context: safe.
func (c *consoleWriter) dec(v uint64) {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	c.port.Write(buf[i:])
}

// bytes writes program output b, turning "\n" into "\r\n" as a Linux
// serial console does (onlcr).
//
// Trap context: safe.
func (c *consoleWriter) bytes(b []byte) {
	c.str(unsafe.String(unsafe.SliceData(b), len(b)))
}
