// Package testimage builds tiny Go programs for the tools' tests: an
// ordinary linux/amd64 main package whose ELF entry point is a few bytes of
// hand-encoded 32-bit code that writes to the serial console and then
// reports an exit status through QEMU's isa-debug-exit port (or faults). Once RewritePVHNote has given it a PVH
// note, it is the smallest image QEMU boots, which lets the tool chain be
// tested without the kernel.
//
// Host only: never linked into an image.
package testimage

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// EntrySymbol is the programs' 32-bit entry point, for the linker's -E.
const EntrySymbol = "main.entry32"

// ModulePath is the module path of the programs' go.mod.
const ModulePath = "example.com/tiny"

// Program is what a test program's entry point does, in 32-bit protected
// mode with paging off, as PVH starts it: write Console to the first
// serial port, then end as End says.
type Program struct {
	Console string
	Status  uint32 // for ReportStatus
	End     Ending
}

// Ending is how a Program ends.
type Ending int

const (
	// ReportStatus writes Status to the isa-debug-exit port: QEMU exits
	// with (Status<<1)|1.
	ReportStatus Ending = iota
	// TripleFault executes an invalid instruction. There is no IDT, so
	// the exception escalates to a triple fault, which resets the CPU.
	TripleFault
	// Hang halts forever.
	Hang
)

// entryAsm returns the Go assembly of p's entry point. The Go assembler
// only encodes 64-bit instructions, hence the hand-encoded bytes; each of
// them means the same in 32-bit mode.
func (p Program) entryAsm() string {
	var b strings.Builder
	b.WriteString("#include \"textflag.h\"\n\n")
	b.WriteString("TEXT ·entry32(SB),NOSPLIT|NOFRAME,$0\n")
	if p.Console != "" {
		b.WriteString("\tBYTE $0xBA; LONG $0x3f8\t// mov $0x3f8, %edx (COM1)\n")
		for _, c := range []byte(p.Console) {
			fmt.Fprintf(&b, "\tBYTE $0xB0; BYTE $%#02x; BYTE $0xEE\t// mov $%q, %%al; out %%al, (%%dx)\n", c, c)
		}
	}
	switch p.End {
	case ReportStatus:
		fmt.Fprintf(&b, "\tBYTE $0xB8; LONG $%d\t// mov $status, %%eax\n", p.Status)
		b.WriteString("\tBYTE $0xE7; BYTE $0xF4\t// out %eax, $0xf4 (isa-debug-exit)\n")
	case TripleFault:
		b.WriteString("\tBYTE $0x0F; BYTE $0x0B\t// ud2\n")
	}
	b.WriteString("\tBYTE $0xF4\t// hlt\n")
	b.WriteString("\tBYTE $0xEB; BYTE $0xFD\t// jmp back to hlt\n")
	return b.String()
}

// WriteModule writes into dir a module with one main package whose entry
// point runs p. files adds or replaces files (slash-separated path
// relative to dir → content).
func WriteModule(dir string, p Program, files map[string]string) error {
	all := map[string]string{
		"go.mod":        "module " + ModulePath + "\n\ngo 1.26\n",
		"main.go":       "package main\n\nfunc main() {}\n",
		"entry_amd64.s": p.entryAsm(),
	}
	maps.Copy(all, files)
	for name, content := range all {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// BuildELF writes the program of WriteModule under dir and builds it for
// linux/amd64 with EntrySymbol as the entry point. It returns the path of
// the linked ELF file, whose note is still the linker's: it does not boot
// until RewritePVHNote has rewritten it.
func BuildELF(dir string, p Program) (string, error) {
	src := filepath.Join(dir, "src")
	if err := WriteModule(src, p, nil); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "tiny.elf")
	cmd := exec.Command("go", "build", "-ldflags=-E "+EntrySymbol, "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build of the test program: %v\n%s", err, strings.TrimSpace(string(b)))
	}
	return out, nil
}
