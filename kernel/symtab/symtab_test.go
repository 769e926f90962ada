package symtab

import (
	"bytes"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

//go:noinline
func knownFunc(x int) int {
	for i := range x {
		x += i * i
	}
	return x
}

// imageTable returns the Table of the test binary itself.
func imageTable(t testing.TB) Table {
	t.Helper()
	tab, ok := Image()
	if !ok {
		t.Fatal("Image() did not validate the test binary's pclntab")
	}
	return tab
}

// textEnd returns the end of the last function in tab.
func textEnd(tab *Table) uintptr {
	end, _ := u32(tab.functab, int64(tab.nfunc)*ftabEntryLen)
	return tab.text + uintptr(end)
}

// funcNameForPrint is runtime.funcNameForPrint: runtime.(*Func).Name
// replaces the shape part of a generic function's name with "...".
func funcNameForPrint(name string) string {
	i := strings.IndexByte(name, '[')
	if i < 0 {
		return name
	}
	j := strings.LastIndexByte(name, ']')
	if j <= i {
		return name
	}
	return name[:i] + "[...]" + name[j+1:]
}

func TestImageKnownFunction(t *testing.T) {
	tab := imageTable(t)
	pc := reflect.ValueOf(knownFunc).Pointer()
	const want = "github.com/coracle-os/coracle/kernel/symtab.knownFunc"
	for _, p := range []uintptr{pc, pc + 1, pc + 5} {
		name, entry, ok := tab.Lookup(p)
		if !ok || name != want || entry != pc {
			t.Errorf("Lookup(%#x) = %q, %#x, %v; want %q, %#x, true", p, name, entry, ok, want, pc)
		}
	}
	file, line, ok := tab.Line(pc)
	rfile, rline := runtime.FuncForPC(pc).FileLine(pc)
	if !ok || file != rfile || line != rline || !strings.HasSuffix(file, "kernel/symtab/symtab_test.go") {
		t.Errorf("Line(%#x) = %q, %d, %v; runtime says %q:%d", pc, file, line, ok, rfile, rline)
	}
	// The caller's PC, from inside a function of this file.
	callerPC, _, _, _ := runtime.Caller(0)
	if name, _, ok := tab.Lookup(callerPC); !ok || name != "github.com/coracle-os/coracle/kernel/symtab.TestImageKnownFunction" {
		t.Errorf("Lookup(runtime.Caller(0)) = %q, %v", name, ok)
	}
}

func TestImageOutside(t *testing.T) {
	tab := imageTable(t)
	for _, pc := range []uintptr{0, 1, tab.text - 1, textEnd(&tab), textEnd(&tab) + 4096, ^uintptr(0)} {
		if name, entry, ok := tab.Lookup(pc); ok {
			t.Errorf("Lookup(%#x) = %q, %#x, true; want false", pc, name, entry)
		}
		if file, line, ok := tab.Line(pc); ok {
			t.Errorf("Line(%#x) = %q, %d, true; want false", pc, file, line)
		}
	}
	var zero Table
	if _, _, ok := zero.Lookup(tab.text); ok {
		t.Error("zero Table found a function")
	}
	var nilTab *Table
	if _, _, ok := nilTab.Lookup(tab.text); ok {
		t.Error("nil *Table found a function")
	}
}

// TestImageAgainstRuntime compares Lookup and Line with runtime.FuncForPC
// at every function's entry and last byte, and at PCs spread over the
// whole text.
func TestImageAgainstRuntime(t *testing.T) {
	tab := imageTable(t)
	lo, hi := tab.text, textEnd(&tab)
	pcs := []uintptr{lo, hi - 1}
	for i := 0; i < tab.nfunc; i++ {
		e, _ := u32(tab.functab, int64(i)*ftabEntryLen)
		next, _ := u32(tab.functab, int64(i+1)*ftabEntryLen)
		pcs = append(pcs, lo+uintptr(e), lo+uintptr(e)+1, lo+uintptr(next)-1)
	}
	const samples = 50000
	step := (hi - lo) / samples
	if step == 0 {
		step = 1
	}
	step |= 1 // odd, to hit odd and even offsets
	for pc := lo; pc < hi; pc += step {
		pcs = append(pcs, pc)
	}

	var checked, inlined, lines, unnamed int
	for _, pc := range pcs {
		f := runtime.FuncForPC(pc)
		name, entry, ok := tab.Lookup(pc)
		if f == nil {
			if ok {
				t.Errorf("Lookup(%#x) = %q, true; runtime.FuncForPC = nil", pc, name)
			}
			continue
		}
		if !ok {
			t.Errorf("Lookup(%#x) = false; runtime: %s", pc, f.Name())
			continue
		}
		checked++
		if entry != f.Entry() {
			t.Errorf("Lookup(%#x) entry = %#x (%s); runtime: %#x (%s)", pc, entry, name, f.Entry(), f.Name())
		}
		// FuncForPC returns the function's own _func record (in the
		// pclntab), unless pc is in inlined code: then it returns a
		// new record naming the inlined function.
		fo, _, _ := tab.findFunc(pc)
		raw := unsafe.Pointer(&tab.functab[fo])
		rname := f.Name()
		if unsafe.Pointer(f) != raw {
			inlined++
			outer := runtime.FuncForPC(f.Entry())
			if unsafe.Pointer(outer) != raw {
				outer = (*runtime.Func)(raw) // the entry is inlined code too
			}
			rname = outer.Name()
		}
		if rname == "" {
			// runtime.funcName treats name offset 0 (the first
			// function's) as no name.
			unnamed++
			if nameOff, _ := i32(tab.functab, fo+funcNameOff); nameOff != 0 {
				t.Errorf("runtime has no name for %#x but the name offset is %d", pc, nameOff)
			}
		} else if funcNameForPrint(name) != rname {
			t.Errorf("Lookup(%#x) = %q; runtime: %q", pc, name, rname)
		}

		rfile, rline := f.FileLine(pc)
		file, line, ok := tab.Line(pc)
		if rfile == "?" && rline == 0 {
			if ok {
				t.Errorf("Line(%#x) = %q:%d, true; runtime has no line", pc, file, line)
			}
			continue
		}
		if !ok || file != rfile || line != rline {
			t.Errorf("Line(%#x) = %q:%d, %v; runtime %q:%d (%s)", pc, file, line, ok, rfile, rline, name)
		}
		lines++
	}
	t.Logf("%d functions; %d PCs compared with runtime.FuncForPC (%d in inlined code, %d unnamed), %d lines", tab.nfunc, checked, inlined, unnamed, lines)
	if checked < 10000 || lines < 10000 || inlined == 0 {
		t.Errorf("too few PCs compared: %d, %d lines, %d inlined", checked, lines, inlined)
	}
}

// TestImageMatchesFile checks that Image reads the same bytes as the
// .gopclntab section of the test executable on disk.
func TestImageMatchesFile(t *testing.T) {
	tab := imageTable(t)
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	data, text := readELF(t, exe)
	start, end := imagePCLNTab()
	mem := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), start)), end-start)
	if !bytes.Equal(mem, data) {
		t.Errorf("image pclntab (%d bytes) differs from the file's .gopclntab (%d bytes)", len(mem), len(data))
	}
	if text != tab.text {
		t.Errorf("runtime.text: image %#x, file %#x", tab.text, text)
	}
}

// readELF returns the .gopclntab section of the ELF file at path and the
// address of its runtime.text symbol.
func readELF(t *testing.T, path string) ([]byte, uintptr) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sect := f.Section(".gopclntab")
	if sect == nil {
		t.Fatalf("%s: no .gopclntab section", path)
	}
	data, err := sect.Data()
	if err != nil {
		t.Fatal(err)
	}
	text := f.Section(".text")
	if text == nil {
		t.Fatalf("%s: no .text section", path)
	}
	// go test strips its binaries; then runtime.text is taken to be
	// the start of .text, as it is in Go's internal linking.
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name == "runtime.text" && s.Value != text.Addr {
			t.Errorf("%s: runtime.text %#x is not the start of .text %#x", path, s.Value, text.Addr)
		}
	}
	return data, uintptr(text.Addr)
}

// TestELFFile reads the pclntab of a separately built program and
// compares it with debug/gosym.
func TestELFFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command")
		}
	}
	dir := t.TempDir()
	src := `package main

import (
	"fmt"
	"os"
	"sort"
)

type pair[T any] struct{ a, b T }

//go:noinline
func swap[T any](p pair[T]) pair[T] { return pair[T]{p.b, p.a} }

func main() {
	s := []int{3, 1, 2}
	sort.Ints(s)
	fmt.Fprintln(os.Stdout, s, swap(pair[string]{"x", "y"}))
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "prog")
	cmd := exec.Command(goCmd, "build", "-o", exe, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	data, text := readELF(t, exe)
	tab, ok := New(data, text)
	if !ok {
		t.Fatal("New rejected the program's .gopclntab")
	}
	lt := gosym.NewLineTable(data, uint64(text))
	gt, err := gosym.NewTable(nil, lt)
	if err != nil {
		t.Fatal(err)
	}
	if len(gt.Funcs) != tab.nfunc {
		t.Errorf("nfunc = %d; debug/gosym has %d functions", tab.nfunc, len(gt.Funcs))
	}
	var pcs []uint64
	for _, fn := range gt.Funcs {
		pcs = append(pcs, fn.Entry, fn.Entry+1, fn.End-1)
	}
	hi := uint64(textEnd(&tab))
	for pc := uint64(text); pc < hi; pc += 61 {
		pcs = append(pcs, pc)
	}
	var checked, lines int
	var sawGeneric bool
	for _, pc := range pcs {
		gf := gt.PCToFunc(pc)
		name, entry, ok := tab.Lookup(uintptr(pc))
		if gf == nil {
			if ok {
				t.Errorf("Lookup(%#x) = %q; debug/gosym: none", pc, name)
			}
			continue
		}
		checked++
		if !ok || name != gf.Name || uint64(entry) != gf.Entry {
			t.Errorf("Lookup(%#x) = %q, %#x, %v; debug/gosym: %q, %#x", pc, name, entry, ok, gf.Name, gf.Entry)
		}
		if strings.HasPrefix(name, "main.swap[") {
			sawGeneric = true
		}
		gfile, gline, _ := gt.PCToLine(pc)
		file, line, ok := tab.Line(uintptr(pc))
		if gfile == "" {
			if ok {
				t.Errorf("Line(%#x) = %q:%d; debug/gosym: none", pc, file, line)
			}
			continue
		}
		lines++
		if !ok || file != gfile || line != gline {
			t.Errorf("Line(%#x) = %q:%d, %v; debug/gosym: %q:%d", pc, file, line, ok, gfile, gline)
		}
	}
	t.Logf("%d functions; %d PCs compared with debug/gosym, %d lines", tab.nfunc, checked, lines)
	if checked < 10000 || !sawGeneric {
		t.Errorf("compared %d PCs (generic function seen: %v)", checked, sawGeneric)
	}
}

func TestAllocs(t *testing.T) {
	tab := imageTable(t)
	pc := reflect.ValueOf(knownFunc).Pointer() + 3
	var name, file string
	var line int
	allocs := testing.AllocsPerRun(1000, func() {
		name, _, _ = tab.Lookup(pc)
		file, line, _ = tab.Line(pc)
		_, _, _ = tab.Lookup(0)
		_, _, _ = tab.Line(textEnd(&tab))
	})
	if allocs != 0 {
		t.Errorf("Lookup and Line allocate: %v allocations per run", allocs)
	}
	if allocs := testing.AllocsPerRun(100, func() { tab, _ = Image() }); allocs != 0 {
		t.Errorf("Image allocates: %v allocations per run", allocs)
	}
	if name == "" || file == "" || line == 0 {
		t.Errorf("Lookup/Line = %q, %q:%d", name, file, line)
	}
}

// synthFunc describes a function of a synthetic table. files and lines
// are (value, end offset) runs for its pcfile and pcln tables.
type synthFunc struct {
	name        string
	entry, size uint32
	files       [][2]int32
	lines       [][2]int32
	sp          [][2]int32 // SP delta runs; nil: no pcsp table
}

// buildTable writes a pclntab in the linker's layout for funcs (sorted by
// entry, one compilation unit with the given files).
func buildTable(funcs []synthFunc, files []string) []byte {
	le := binary.LittleEndian
	var names, cutab, filetab []byte
	pctab := []byte{0} // offset 0 means "no table"
	nameOffs := make([]uint32, len(funcs))
	for i, f := range funcs {
		nameOffs[i] = uint32(len(names))
		names = append(append(names, f.name...), 0)
	}
	for _, name := range files {
		cutab = le.AppendUint32(cutab, uint32(len(filetab)))
		filetab = append(append(filetab, name...), 0)
	}
	encode := func(runs [][2]int32) uint32 {
		if runs == nil {
			return 0
		}
		off := uint32(len(pctab))
		val, pc := int32(-1), int32(0)
		for _, r := range runs {
			d := r[0] - val
			pctab = binary.AppendUvarint(pctab, uint64(uint32(d<<1^d>>31)))
			pctab = binary.AppendUvarint(pctab, uint64(r[1]-pc))
			val, pc = r[0], r[1]
		}
		return off
	}
	pcfile := make([]uint32, len(funcs))
	pcln := make([]uint32, len(funcs))
	pcsp := make([]uint32, len(funcs))
	for i, f := range funcs {
		pcfile[i] = encode(f.files)
		pctab = append(pctab, 0)
		pcln[i] = encode(f.lines)
		pctab = append(pctab, 0)
		pcsp[i] = encode(f.sp)
		pctab = append(pctab, 0)
	}
	var functab []byte
	recs := uint32(len(funcs)*8 + 4)
	for i, f := range funcs {
		functab = le.AppendUint32(functab, f.entry)
		functab = le.AppendUint32(functab, recs+uint32(i*funcLen))
	}
	last := funcs[len(funcs)-1]
	functab = le.AppendUint32(functab, last.entry+last.size)
	for i, f := range funcs {
		functab = le.AppendUint32(functab, f.entry)
		functab = le.AppendUint32(functab, nameOffs[i])
		functab = append(functab, make([]byte, 8)...) // args, deferreturn
		functab = le.AppendUint32(functab, pcsp[i])
		functab = le.AppendUint32(functab, pcfile[i])
		functab = le.AppendUint32(functab, pcln[i])
		functab = le.AppendUint32(functab, 0) // npcdata
		functab = le.AppendUint32(functab, 0) // cuOffset
		functab = append(functab, make([]byte, 8)...)
	}

	b := le.AppendUint32(nil, magic)
	b = append(b, 0, 0, minLC, ptrSize)
	b = le.AppendUint64(b, uint64(len(funcs)))
	b = le.AppendUint64(b, uint64(len(files)))
	b = le.AppendUint64(b, 0)
	off := uint64(headerLen)
	for _, part := range [][]byte{names, cutab, filetab, pctab} {
		b = le.AppendUint64(b, off)
		off += uint64(len(part))
	}
	b = le.AppendUint64(b, off)
	for _, part := range [][]byte{names, cutab, filetab, pctab, functab} {
		b = append(b, part...)
	}
	return b
}

const synthText = 0x401000

var synthFuncs = []synthFunc{
	{name: "main.a", entry: 0, size: 0x20,
		files: [][2]int32{{0, 0x20}},
		lines: [][2]int32{{10, 4}, {11, 0x10}, {12, 0x20}}},
	{name: "main.b", entry: 0x20, size: 0x200,
		files: [][2]int32{{1, 0x100}, {0, 0x200}},
		lines: [][2]int32{{300, 0x180}, {5, 0x200}},
		sp:    [][2]int32{{0, 1}, {8, 5}, {0x28, 0x1f0}, {0, 0x200}}},
	{name: "main.nolines", entry: 0x240, size: 0x10},
}

func synthTable() []byte {
	return buildTable(synthFuncs, []string{"/src/a.go", "/src/inl.go"})
}

func TestSynthetic(t *testing.T) {
	tab, ok := New(synthTable(), synthText)
	if !ok {
		t.Fatal("New rejected the synthetic table")
	}
	tests := []struct {
		off   uintptr
		name  string
		entry uintptr
		file  string
		line  int
	}{
		{0, "main.a", 0, "/src/a.go", 10},
		{3, "main.a", 0, "/src/a.go", 10},
		{4, "main.a", 0, "/src/a.go", 11},
		{0x1f, "main.a", 0, "/src/a.go", 12},
		{0x20, "main.b", 0x20, "/src/inl.go", 300},
		{0x20 + 0xff, "main.b", 0x20, "/src/inl.go", 300},
		{0x20 + 0x100, "main.b", 0x20, "/src/a.go", 300},
		{0x20 + 0x180, "main.b", 0x20, "/src/a.go", 5},
		{0x21f, "main.b", 0x20, "/src/a.go", 5},
		{0x220, "main.b", 0x20, "", 0}, // padding after main.b: past its tables
		{0x240, "main.nolines", 0x240, "", 0},
		{0x24f, "main.nolines", 0x240, "", 0},
	}
	for _, tt := range tests {
		pc := synthText + tt.off
		name, entry, ok := tab.Lookup(pc)
		if !ok || name != tt.name || entry != synthText+tt.entry {
			t.Errorf("Lookup(text+%#x) = %q, %#x, %v; want %q, %#x", tt.off, name, entry, ok, tt.name, synthText+tt.entry)
		}
		file, line, ok := tab.Line(pc)
		if ok != (tt.file != "") || file != tt.file || line != tt.line {
			t.Errorf("Line(text+%#x) = %q:%d, %v; want %q:%d", tt.off, file, line, ok, tt.file, tt.line)
		}
	}
	for _, pc := range []uintptr{0, synthText - 1, synthText + 0x250, synthText + 0x10000} {
		if name, _, ok := tab.Lookup(pc); ok {
			t.Errorf("Lookup(%#x) = %q; want none", pc, name)
		}
	}
}

func TestRejectHeader(t *testing.T) {
	good := synthTable()
	le := binary.LittleEndian
	mutate := map[string]func(b []byte) []byte{
		"nil":           func([]byte) []byte { return nil },
		"short header":  func(b []byte) []byte { return b[:headerLen-1] },
		"header only":   func(b []byte) []byte { return b[:headerLen] },
		"Go 1.18 magic": func(b []byte) []byte { le.PutUint32(b, 0xFFFFFFF0); return b },
		"Go 1.16 magic": func(b []byte) []byte { le.PutUint32(b, 0xFFFFFFFA); return b },
		"pad1":          func(b []byte) []byte { b[4] = 1; return b },
		"pad2":          func(b []byte) []byte { b[5] = 1; return b },
		"minLC 4":       func(b []byte) []byte { b[6] = 4; return b },
		"ptrSize 4":     func(b []byte) []byte { b[7] = 4; return b },
		"nfunc 0":       func(b []byte) []byte { le.PutUint64(b[hdrNfunc:], 0); return b },
		"nfunc large":   func(b []byte) []byte { le.PutUint64(b[hdrNfunc:], 1000); return b },
		"nfunc huge":    func(b []byte) []byte { le.PutUint64(b[hdrNfunc:], 1<<62); return b },
		"nfunc -1":      func(b []byte) []byte { le.PutUint64(b[hdrNfunc:], ^uint64(0)); return b },
		"funcname in header": func(b []byte) []byte {
			le.PutUint64(b[hdrFuncnameOff:], 8)
			return b
		},
		"offsets out of order": func(b []byte) []byte {
			x := le.Uint64(b[hdrCuOff:])
			le.PutUint64(b[hdrCuOff:], le.Uint64(b[hdrFiletabOff:]))
			le.PutUint64(b[hdrFiletabOff:], x-1)
			return b
		},
		"pcln past end": func(b []byte) []byte {
			le.PutUint64(b[hdrPclnOff:], uint64(len(b)+1))
			return b
		},
		"pcln offset huge": func(b []byte) []byte {
			le.PutUint64(b[hdrPclnOff:], ^uint64(0))
			return b
		},
		"unsorted functab": func(b []byte) []byte {
			ftab := b[le.Uint64(b[hdrPclnOff:]):]
			le.PutUint32(ftab[8:], 0x1000)
			return b
		},
		"sentinel before last": func(b []byte) []byte {
			ftab := b[le.Uint64(b[hdrPclnOff:]):]
			le.PutUint32(ftab[len(synthFuncs)*8:], 0x100)
			return b
		},
	}
	for name, f := range mutate {
		b := f(bytes.Clone(good))
		if tab, ok := New(b, synthText); ok {
			t.Errorf("%s: New accepted it: %+v", name, tab)
		}
	}
	// Every truncation that cuts into the functab is rejected.
	pcln := int(le.Uint64(good[hdrPclnOff:]))
	for n := 0; n < pcln+len(synthFuncs)*8+4; n++ {
		if _, ok := New(good[:n], synthText); ok {
			t.Errorf("New accepted the table truncated to %d bytes", n)
		}
	}
	// Truncating the orig table is rejected as well.
	img := imageTable(t)
	start, end := imagePCLNTab()
	orig := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), start)), end-start)
	for _, n := range []int{0, 7, headerLen - 1, headerLen, 1000, len(orig) - len(img.functab), len(orig) - len(img.functab) + img.nfunc*8} {
		if _, ok := New(orig[:n], img.text); ok {
			t.Errorf("New accepted the image table truncated to %d of %d bytes", n, len(orig))
		}
	}
}

// TestCorruptRecords damages the _func records and tables after New has
// validated the header: lookups must fail or succeed, never panic.
func TestCorruptRecords(t *testing.T) {
	good := synthTable()
	le := binary.LittleEndian
	pcln := int(le.Uint64(good[hdrPclnOff:]))
	rec := pcln + len(synthFuncs)*8 + 4 // first _func record
	mutate := map[string]func(b []byte){
		"funcoff past end": func(b []byte) { le.PutUint32(b[pcln+4:], 1<<31) },
		"funcoff -1":       func(b []byte) { le.PutUint32(b[pcln+4:], ^uint32(0)) },
		"entry mismatch":   func(b []byte) { le.PutUint32(b[rec:], 2) },
	}
	for name, f := range mutate {
		b := bytes.Clone(good)
		f(b)
		tab, ok := New(b, synthText)
		if !ok {
			t.Errorf("%s: New rejected it", name)
			continue
		}
		if n, _, ok := tab.Lookup(synthText + 1); ok {
			t.Errorf("%s: Lookup = %q, true", name, n)
		}
		if f, l, ok := tab.Line(synthText + 1); ok {
			t.Errorf("%s: Line = %q:%d, true", name, f, l)
		}
	}
	lineMutate := map[string]func(b []byte){
		"pcfile past end": func(b []byte) { le.PutUint32(b[rec+funcPcfileOff:], 1<<30) },
		"pcln past end":   func(b []byte) { le.PutUint32(b[rec+funcPclnOff:], ^uint32(0)) },
		"no CU":           func(b []byte) { le.PutUint32(b[rec+funcCuOff:], ^uint32(0)) },
		"CU past end":     func(b []byte) { le.PutUint32(b[rec+funcCuOff:], 1<<30) },
	}
	for name, f := range lineMutate {
		b := bytes.Clone(good)
		f(b)
		tab, _ := New(b, synthText)
		if n, _, ok := tab.Lookup(synthText + 1); !ok || n != "main.a" {
			t.Errorf("%s: Lookup = %q, %v", name, n, ok)
		}
		if f, l, ok := tab.Line(synthText + 1); ok {
			t.Errorf("%s: Line = %q:%d, true", name, f, l)
		}
	}
	// A bad name fails Lookup only.
	nameMutate := map[string]func(b []byte){
		"name past end": func(b []byte) { le.PutUint32(b[rec+funcNameOff:], 1<<20) },
		"name negative": func(b []byte) { le.PutUint32(b[rec+funcNameOff:], ^uint32(0)) },
	}
	for name, f := range nameMutate {
		b := bytes.Clone(good)
		f(b)
		tab, _ := New(b, synthText)
		if n, _, ok := tab.Lookup(synthText + 1); ok {
			t.Errorf("%s: Lookup = %q, true", name, n)
		}
		if f, l, ok := tab.Line(synthText + 1); !ok || f != "/src/a.go" || l != 10 {
			t.Errorf("%s: Line = %q:%d, %v", name, f, l, ok)
		}
	}
	// Unterminated varints and strings at the end of their tables.
	b := bytes.Clone(good)
	tab, _ := New(b, synthText)
	for i := range tab.pctab[1:] {
		tab.pctab[1+i] = 0xFF
	}
	for i := range tab.funcnametab {
		tab.funcnametab[i] = 'x'
	}
	for i := range tab.filetab {
		tab.filetab[i] = 'y'
	}
	for off := uintptr(0); off < 0x260; off++ {
		if n, _, ok := tab.Lookup(synthText + off); ok {
			t.Errorf("unterminated names: Lookup = %q", n)
		}
		if f, l, ok := tab.Line(synthText + off); ok {
			t.Errorf("bad pctab: Line = %q:%d", f, l)
		}
	}
}

// TestCorruptImageTable flips random bytes in a copy of the test binary's
// table and looks up PCs across it: no input may panic.
func TestCorruptImageTable(t *testing.T) {
	img := imageTable(t)
	start, end := imagePCLNTab()
	orig := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), start)), end-start)
	rng := rand.New(rand.NewSource(1))
	iters := 200
	if testing.Short() {
		iters = 20
	}
	b := make([]byte, len(orig))
	for range iters {
		copy(b, orig)
		for range 1 + rng.Intn(2000) {
			// Mostly damage the tables a lookup reads.
			i := rng.Intn(len(b))
			if rng.Intn(2) == 0 {
				i = len(orig) - len(img.functab) + rng.Intn(img.nfunc*8+4+20000)
			}
			b[i] = byte(rng.Intn(256))
		}
		tab, ok := New(b, img.text)
		if !ok {
			continue
		}
		for range 200 {
			pc := img.text + uintptr(rng.Intn(int(textEnd(&img)-img.text)+64))
			tab.Lookup(pc)
			tab.Line(pc)
		}
	}
}

func FuzzTable(f *testing.F) {
	f.Add(synthTable(), uint64(synthText), uint64(synthText+0x30))
	f.Add(synthTable(), uint64(0), uint64(0x241))
	f.Add(synthTable()[:100], uint64(0), uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, text, pc uint64) {
		tab, ok := New(data, uintptr(text))
		if !ok {
			return
		}
		for _, p := range []uint64{pc, text, pc + 1, pc - 1} {
			if _, entry, ok := tab.Lookup(uintptr(p)); ok && (uintptr(p) < entry || entry < tab.text) {
				t.Errorf("Lookup(%#x): entry %#x", p, entry)
			}
			tab.Line(uintptr(p))
		}
	})
}

func TestSyntheticFrameSize(t *testing.T) {
	tab, ok := New(synthTable(), synthText)
	if !ok {
		t.Fatal("New rejected the synthetic table")
	}
	tests := []struct {
		off  uintptr
		size int
		ok   bool
	}{
		{0x00, 0, true}, // main.a has no SP table: no frame
		{0x1f, 0, true},
		{0x20, 0, true}, // main.b at entry
		{0x21, 8, true}, // after PUSHQ BP
		{0x24, 8, true},
		{0x25, 0x28, true}, // after SUBQ
		{0x20 + 0x1ef, 0x28, true},
		{0x20 + 0x1f0, 0, true}, // after the epilogue, at RET
		{0x220, 0, false},       // padding: past the table
		{0x250, 0, false},       // outside the text
	}
	for _, tt := range tests {
		size, ok := tab.FrameSize(synthText + tt.off)
		if size != tt.size || ok != tt.ok {
			t.Errorf("FrameSize(text+%#x) = %d, %v; want %d, %v", tt.off, size, ok, tt.size, tt.ok)
		}
	}
	if start, end := tab.Text(); start != synthText || end != synthText+0x250 {
		t.Errorf("Text() = %#x, %#x; want %#x, %#x", start, end, synthText, synthText+0x250)
	}
}

// Every function of the test binary starts with no frame, and knownFunc,
// which calls nothing but has a loop, is found with its entry.
func TestImageFrameSizeAtEntry(t *testing.T) {
	tab := imageTable(t)
	n := 0
	for i := 0; i < tab.nfunc; i++ {
		e, _ := u32(tab.functab, int64(i)*ftabEntryLen)
		pc := tab.text + uintptr(e)
		size, ok := tab.FrameSize(pc)
		if ok && size != 0 {
			name, _, _ := tab.Lookup(pc)
			t.Errorf("FrameSize(entry of %s) = %d; want 0", name, size)
		}
		if ok {
			n++
		}
	}
	if n < tab.nfunc/2 {
		t.Errorf("FrameSize answered for %d of %d function entries", n, tab.nfunc)
	}
}
