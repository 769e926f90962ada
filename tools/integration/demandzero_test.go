package integration

import (
	"debug/elf"
	"strings"
	"testing"
)

// demandZeroMark is the kernel's marker of where the image's demand-zero
// tail begins (kernel/boot_memory.go, demandZeroTail).
const demandZeroMark = "github.com/coracle-os/coracle/kernel.demandZeroMark"

// The kernel never takes a page fault on its own tables in a trap
// handler, so every zero-initialised variable of the kernel's packages
// must lie before the demand-zero mark, which the kernel keeps backed;
// only the program's larger arrays may follow it. The linker orders
// .noptrbss by size, so this fails when a kernel table outgrows the mark.
func TestKernelTablesBeforeDemandZeroMark(t *testing.T) {
	for _, img := range []string{helloImage, buildImage(t, "./examples/httpd")} {
		f, err := elf.Open(img)
		if err != nil {
			t.Fatal(err)
		}
		syms, err := f.Symbols()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		var mark *elf.Symbol
		for i := range syms {
			if syms[i].Name == demandZeroMark {
				mark = &syms[i]
			}
		}
		if mark == nil {
			t.Fatalf("%s: no symbol %s", img, demandZeroMark)
		}
		if s := f.Sections[mark.Section]; s.Name != ".noptrbss" {
			t.Errorf("%s: the mark is in %s, want .noptrbss, the image's last section", img, s.Name)
		}
		kernel := 0
		for _, s := range syms {
			if s.Name == demandZeroMark || s.Section >= elf.SectionIndex(len(f.Sections)) || s.Section < elf.SHN_UNDEF+1 {
				continue
			}
			if sec := f.Sections[s.Section].Name; sec != ".bss" && sec != ".noptrbss" {
				continue
			}
			if !strings.HasPrefix(s.Name, "github.com/coracle-os/coracle/") && s.Name != "bootData" {
				continue
			}
			kernel++
			if s.Value+s.Size > mark.Value {
				t.Errorf("%s: %s (%d bytes at %#x) ends past the demand-zero mark at %#x (%d bytes): make the mark larger (kernel/mem_layout.go)",
					img, s.Name, s.Size, s.Value, mark.Value, mark.Size)
			}
		}
		if kernel < 20 {
			t.Errorf("%s: only %d zero-initialised kernel symbols found", img, kernel)
		}
	}
}
