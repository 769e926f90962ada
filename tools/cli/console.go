package cli

import (
	"bytes"
	"io"
	"strings"
)

// kernelNotices start the console lines the kernel and its network
// service print about themselves at boot: the banner ("coracle: booted
// on QEMU, ...") and the network's ("coracle: network: virtio-net at
// ...", "coracle: network: 10.0.2.15/24 from DHCP ..."). A test binary
// prints no such lines under go test, so coracle test drops them. Other
// "coracle: " lines (an unimplemented system call, a kernel fault) stay:
// they explain a test's failure.
var kernelNotices = []string{"coracle: booted on ", "coracle: network: "}

// testConsole turns the guest's console into what go test expects from a
// test binary's output: the serial console ends lines with CR LF, which
// becomes LF (test2json, behind go test -json, and anyone comparing
// output with go test's want plain LF), and the kernel's notices are
// dropped. Writes are passed on as they come, so that output streams;
// only the start of a line, until it is shown to be or not to be a
// notice, and a CR at the end of a write wait for the next write.
type testConsole struct {
	w       io.Writer
	start   []byte // the start of the current line, while undecided
	midLine bool   // the current line's start has been passed on
	drop    bool   // the current line is a notice: drop up to its LF
	heldCR  bool   // the last byte passed on was a CR, not yet written
	out     []byte
}

func newTestConsole(w io.Writer) *testConsole { return &testConsole{w: w} }

func (c *testConsole) Write(p []byte) (int, error) {
	c.out = c.out[:0]
	for _, b := range p {
		c.byte(b)
	}
	if len(c.out) == 0 {
		return len(p), nil
	}
	_, err := c.w.Write(c.out)
	return len(p), err
}

// byte takes the console's next byte.
func (c *testConsole) byte(b byte) {
	switch {
	case c.drop:
		if b == '\n' {
			c.drop = false
		}
		return
	case c.midLine:
		c.emit(b)
		if b == '\n' {
			c.midLine = false
		}
		return
	}
	c.start = append(c.start, b)
	s := string(c.start)
	for _, n := range kernelNotices {
		switch {
		case strings.HasPrefix(s, n):
			c.start, c.drop = c.start[:0], b != '\n'
			return
		case strings.HasPrefix(n, s) && b != '\n':
			return // maybe a notice: wait for more
		}
	}
	for _, sb := range c.start {
		c.emit(sb)
	}
	c.start, c.midLine = c.start[:0], b != '\n'
}

// emit passes b on, with CR LF made LF.
func (c *testConsole) emit(b byte) {
	if c.heldCR {
		c.heldCR = false
		if b != '\n' {
			c.out = append(c.out, '\r')
		}
	}
	if b == '\r' {
		c.heldCR = true
		return
	}
	c.out = append(c.out, b)
}

// Flush writes what is held back at the end: the start of a line that
// never ended and is no notice, a final CR.
func (c *testConsole) Flush() error {
	c.out = c.out[:0]
	// A line cut short after "coracle: " that could be a notice is
	// taken for one.
	if bytes.HasPrefix(c.start, []byte("coracle: ")) {
		c.start = c.start[:0]
	}
	for _, b := range c.start {
		c.emit(b)
	}
	c.start = c.start[:0]
	if c.heldCR {
		c.heldCR = false
		c.out = append(c.out, '\r')
	}
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.w.Write(c.out)
	return err
}
