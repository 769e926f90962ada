package crashreport

import (
	"bytes"
	"io"
)

// Writer passes a console stream through unchanged and, after each
// "coracle: code" line, writes that code's disassembly.
type Writer struct {
	w     io.Writer
	syms  *Symbols
	image string // read into syms at the first code line, if set
	line  []byte // the current line so far
}

// maxLine bounds the part of a line Writer keeps: a code line is about
// 150 bytes; longer lines are program output and are passed on unread.
const maxLine = 1024

// NewImageWriter returns a Writer onto w that reads the function names
// of the image at path when it first meets a code line (a boot without
// a crash never reads it). Without them (an image that is not readable),
// the disassembly has no names.
func NewImageWriter(w io.Writer, path string) *Writer {
	return &Writer{w: w, image: path}
}

// NewWriter returns a Writer onto w; syms (which may be nil) names the
// image's functions.
func NewWriter(w io.Writer, syms *Symbols) *Writer {
	return &Writer{w: w, syms: syms}
}

// Write passes p on, up to the end of each code line at once, and
// writes the disassembly right after that line.
func (cw *Writer) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		rest := p[done:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			cw.keep(rest)
			n, err := cw.w.Write(rest)
			return done + n, err
		}
		cw.keep(rest[:i])
		n, err := cw.w.Write(rest[:i+1])
		done += n
		if err != nil {
			return done, err
		}
		if c, ok := ParseCodeLine(string(cw.line)); ok {
			if cw.image != "" {
				cw.syms, _ = LoadImage(cw.image)
				cw.image = ""
			}
			if err := WriteDisassembly(cw.w, c, cw.syms); err != nil {
				return done, err
			}
		}
		cw.line = cw.line[:0]
	}
	return done, nil
}

func (cw *Writer) keep(b []byte) {
	if room := maxLine - len(cw.line); room > 0 {
		cw.line = append(cw.line, b[:min(len(b), room)]...)
	}
}

// Annotate copies a saved console log to w with each code line's
// disassembly after it.
func Annotate(w io.Writer, log io.Reader, syms *Symbols) error {
	_, err := io.Copy(NewWriter(w, syms), log)
	return err
}
