package crashreport

import (
	"debug/elf"
	"fmt"

	"github.com/coracle-os/coracle/kernel/symtab"
)

// Symbols names code addresses of one image: the same Go function table
// (pclntab) the kernel reads at crash time, read from the image file.
type Symbols struct {
	tab symtab.Table
}

// LoadImage reads the function table of the coracle image (or any Go
// ELF executable) at path.
func LoadImage(path string) (*Symbols, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sec := f.Section(".gopclntab")
	text := f.Section(".text")
	if sec == nil || text == nil {
		return nil, fmt.Errorf("%s has no Go function table (.gopclntab) or no .text", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: reading .gopclntab: %w", path, err)
	}
	// runtime.text is the first symbol of .text; prefer the symbol
	// where the image has a symbol table.
	start := text.Addr
	if syms, err := f.Symbols(); err == nil {
		for _, s := range syms {
			if s.Name == "runtime.text" {
				start = s.Value
				break
			}
		}
	}
	tab, ok := symtab.New(data, uintptr(start))
	if !ok {
		return nil, fmt.Errorf("%s: the Go function table does not validate (built by an unsupported Go version?)", path)
	}
	return &Symbols{tab: tab}, nil
}

// Func returns the name and entry of the function holding pc.
func (s *Symbols) Func(pc uint64) (name string, entry uint64, ok bool) {
	if s == nil {
		return "", 0, false
	}
	n, e, ok := s.tab.Lookup(uintptr(pc))
	return n, uint64(e), ok
}

// Line returns the source position of the instruction at pc.
func (s *Symbols) Line(pc uint64) (file string, line int, ok bool) {
	if s == nil {
		return "", 0, false
	}
	return s.tab.Line(uintptr(pc))
}
