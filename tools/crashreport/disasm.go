package crashreport

import (
	"fmt"
	"io"
	"path/filepath"

	"golang.org/x/arch/x86/x86asm"
)

// Inst is one decoded instruction of a Code window.
type Inst struct {
	Addr  uint64
	Bytes []byte
	Text  string // Go assembler syntax, as go tool objdump prints it
	AtRIP bool   // the faulting instruction
}

// Disassemble decodes c from a start that lands exactly on RIP (see the
// package comment) to the last whole instruction. syms may be nil. It
// fails only if no start offset decodes to RIP or RIP's instruction does
// not decode.
func Disassemble(c Code, syms *Symbols) ([]Inst, error) {
	ripOff := int(c.RIP - c.Start)
	start := -1
	// Function entries in the window, earliest first.
	for off := 0; off <= ripOff && start < 0; off++ {
		if _, e, ok := syms.Func(c.Start + uint64(off)); ok && e == c.Start+uint64(off) && landsOn(c.Bytes, off, ripOff) {
			start = off
		}
	}
	for off := 0; off <= ripOff && start < 0; off++ {
		if landsOn(c.Bytes, off, ripOff) {
			start = off
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("no decoding of the bytes before RIP %#x ends on it", c.RIP)
	}
	var out []Inst
	for off := start; off < len(c.Bytes); {
		inst, err := decode(c.Bytes[off:])
		if err != nil {
			if off == ripOff {
				return nil, fmt.Errorf("the instruction at RIP %#x does not decode: %v", c.RIP, err)
			}
			break // truncated at the end of the window
		}
		addr := c.Start + uint64(off)
		out = append(out, Inst{
			Addr:  addr,
			Bytes: c.Bytes[off : off+inst.Len],
			Text:  x86asm.GoSyntax(inst, addr, syms.lookup),
			AtRIP: off == ripOff,
		})
		off += inst.Len
	}
	return out, nil
}

// landsOn reports whether decoding b from off reaches to exactly ripOff.
func landsOn(b []byte, off, ripOff int) bool {
	for off < ripOff {
		inst, err := decode(b[off:])
		if err != nil {
			return false
		}
		off += inst.Len
	}
	return off == ripOff
}

// decode decodes one 64-bit mode instruction. x86asm answers a lone
// prefix or escape byte at the end of its input with an instruction of
// no operation and no error: that is a truncated one.
func decode(b []byte) (x86asm.Inst, error) {
	inst, err := x86asm.Decode(b, 64)
	if err == nil && inst.Op == 0 {
		err = x86asm.ErrTruncated
	}
	return inst, err
}

// lookup is x86asm's symbol lookup: names branch targets and addresses.
func (s *Symbols) lookup(addr uint64) (string, uint64) {
	name, entry, ok := s.Func(addr)
	if !ok {
		return "", 0
	}
	return name, entry
}

// WriteDisassembly prints c's instructions, a function name line where
// one starts, source positions, and "=>" at RIP. Every line starts with
// "coracle: " like the rest of the report.
func WriteDisassembly(w io.Writer, c Code, syms *Symbols) error {
	insts, err := Disassemble(c, syms)
	if err != nil {
		_, werr := fmt.Fprintf(w, "coracle: disassembly: %v\n", err)
		return werr
	}
	fmt.Fprintf(w, "coracle: disassembly around RIP (the code line above, decoded on the host):\n")
	lastFunc := ""
	for i := 0; i < len(insts); i++ {
		in := insts[i]
		if pad := padding(insts[i:]); pad > 1 {
			// The linker fills between functions with INT3: one line.
			fmt.Fprintf(w, "coracle:    %#016x  %d bytes of INT3 padding\n", in.Addr, pad)
			i += pad - 1
			continue
		}
		if name, _, ok := syms.Func(in.Addr); ok && name != lastFunc {
			fmt.Fprintf(w, "coracle:   %s:\n", name)
			lastFunc = name
		}
		mark := "  "
		if in.AtRIP {
			mark = "=>"
		}
		pos := ""
		if file, line, ok := syms.Line(in.Addr); ok {
			pos = fmt.Sprintf("%s:%d", filepath.Base(file), line)
		}
		_, err = fmt.Fprintf(w, "coracle: %s %#016x  %-20x  %-32s %s\n", mark, in.Addr, in.Bytes, in.Text, pos)
		if err != nil {
			return err
		}
	}
	return nil
}

// padding counts the one-byte INT3s that start insts, none at RIP.
func padding(insts []Inst) int {
	n := 0
	for n < len(insts) && len(insts[n].Bytes) == 1 && insts[n].Bytes[0] == 0xcc && !insts[n].AtRIP {
		n++
	}
	return n
}
