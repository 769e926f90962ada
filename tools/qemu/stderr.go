package qemu

import (
	"bytes"
	"io"
	"strings"
)

// cappedBuffer keeps the first max bytes written to it and accepts, but
// drops, the rest.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string { return c.buf.String() }

// lineFilter copies whole lines to w, except those drop selects. A last
// line without a newline is copied by Flush.
type lineFilter struct {
	w       io.Writer
	drop    func(line string) bool
	partial []byte
}

func (f *lineFilter) Write(p []byte) (int, error) {
	f.partial = append(f.partial, p...)
	for {
		i := bytes.IndexByte(f.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := f.partial[:i+1]
		if !f.drop(string(line)) {
			if _, err := f.w.Write(line); err != nil {
				return len(p), err
			}
		}
		f.partial = f.partial[i+1:]
	}
}

// Flush writes what remains of an unterminated last line.
func (f *lineFilter) Flush() {
	if len(f.partial) > 0 && !f.drop(string(f.partial)) {
		f.w.Write(f.partial)
	}
	f.partial = nil
}

// isOwnWarning reports whether line is QEMU's warning about an option the
// runner itself passes on purpose (seaBIOSQuiet), which would only puzzle
// the user.
func isOwnWarning(line string) bool {
	return strings.Contains(line, seaBIOSQuiet+": warning: ")
}
