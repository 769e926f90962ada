package cli

import (
	"bytes"
	"io"
)

// bannerPrefix starts the line the kernel prints when it has booted.
const bannerPrefix = "coracle: booted on "

// testConsole turns the guest's console into what go test expects from a
// test binary's output: the serial console ends lines with CR LF, which
// becomes LF (test2json, behind go test -json, and anyone comparing
// output with go test's want plain LF), and the kernel's boot banner, the
// console's first line, is dropped, since a test binary prints no such
// line. Writes are passed on as they come, so that output streams; only a
// CR at the end of a write, and the first line until it is complete or
// shown not to be the banner, wait for the next write.
type testConsole struct {
	w       io.Writer
	first   []byte // the start of the first line, while undecided
	decided bool   // the first line has been dropped or passed on
	heldCR  bool   // the last write ended in CR
	scratch []byte
}

func newTestConsole(w io.Writer) *testConsole { return &testConsole{w: w} }

func (c *testConsole) Write(p []byte) (int, error) {
	n := len(p)
	if !c.decided {
		c.first = append(c.first, p...)
		i := bytes.IndexByte(c.first, '\n')
		prefix := c.first
		if len(prefix) > len(bannerPrefix) {
			prefix = prefix[:len(bannerPrefix)]
		}
		switch {
		case !bytes.HasPrefix([]byte(bannerPrefix), prefix):
			p = c.first
		case i >= 0:
			p = c.first[i+1:]
		default:
			return n, nil // still possibly the banner
		}
		c.decided = true
		c.first = nil
	}
	return n, c.translate(p)
}

// translate writes p with CR LF turned into LF.
func (c *testConsole) translate(p []byte) error {
	out := c.scratch[:0]
	if c.heldCR {
		c.heldCR = false
		if len(p) == 0 || p[0] != '\n' {
			out = append(out, '\r')
		}
	}
	for i, b := range p {
		switch {
		case b == '\r' && i+1 < len(p) && p[i+1] == '\n':
			// dropped: the LF follows
		case b == '\r' && i+1 == len(p):
			c.heldCR = true
		default:
			out = append(out, b)
		}
	}
	c.scratch = out
	if len(out) == 0 {
		return nil
	}
	_, err := c.w.Write(out)
	return err
}

// Flush writes what is held back: a first line that never ended, a
// final CR.
func (c *testConsole) Flush() error {
	if !c.decided {
		c.decided = true
		if !bytes.HasPrefix(c.first, []byte(bannerPrefix)) {
			if err := c.translate(c.first); err != nil {
				return err
			}
		}
		c.first = nil
	}
	if c.heldCR {
		c.heldCR = false
		_, err := c.w.Write([]byte{'\r'})
		return err
	}
	return nil
}
