package main

import (
	"bytes"
	"strings"
	"testing"
)

// inAsmLog is the shape of QEMU's -d in_asm output: a firmware block, a
// kernel block, the runtime's entry, a kernel block after it, and a
// block at an address no symbol covers.
const inAsmLog = `----------------
IN: 
0xfffffff0:  e9 8d ff                 jmp      0xff80

----------------
IN: 
0x00101000:  31 c0                    xorl     %eax, %eax
0x00101002:  c3                       retq     

----------------
IN: 
0x00102000:  48 89 e7                 movq     %rsp, %rdi
0x00102003:  e9 00 00 00 00           jmp      0x102008

----------------
IN: 
0x00101010:  90                       nop      
0x00101011:  90                       nop      
0x00101012:  c3                       retq     

----------------
IN: 
0x00103000:  f4                       hlt      

`

// fakeFuncs is a function table for the tests, in place of an image's.
type fakeFuncs []struct {
	start, end uint64
	name       string
}

func (f fakeFuncs) Func(pc uint64) (string, uint64, bool) {
	for _, s := range f {
		if pc >= s.start && pc < s.end {
			return s.name, s.start, true
		}
	}
	return "", 0, false
}

func testSymbols() fakeFuncs {
	return fakeFuncs{
		{start: 0x101000, end: 0x101100, name: "github.com/coracle-os/coracle/kernel.kernelMain"},
		{start: 0x102000, end: 0x102010, name: "_rt0_amd64_linux"},
		{start: 0x102010, end: 0x102100, name: "runtime.rt0_go"},
	}
}

func TestCountTranslated(t *testing.T) {
	syms := testSymbols()
	c, err := countTranslated(strings.NewReader(inAsmLog), coracleCode(syms), runtimeEntry(syms))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]tally{
		codeFirmware:    {1, 1},
		codeKernelBoot:  {1, 2},
		codeRuntime:     {1, 2},
		codeKernelLater: {1, 3},
		codeUnnamed:     {1, 1},
	}
	if len(c.counts) != len(want) {
		t.Errorf("kinds %v, want %d of them", c.kinds, len(want))
	}
	for k, w := range want {
		if got := c.counts[k]; got == nil || *got != w {
			t.Errorf("%s: %v, want %v", k, got, w)
		}
	}
	if got := c.total(); got != (tally{5, 9}) {
		t.Errorf("total %v, want {5 9}", got)
	}
	if c.kinds[0] != codeFirmware || c.kinds[1] != codeKernelBoot {
		t.Errorf("kinds in order %v: want the order first seen", c.kinds)
	}
}

func TestCountTranslatedNoSplit(t *testing.T) {
	syms := testSymbols()
	c, err := countTranslated(strings.NewReader(inAsmLog), coracleCode(syms), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.counts[codeKernelBoot]; got == nil || *got != (tally{2, 5}) {
		t.Errorf("without a split every kernel block is the boot's: %v", got)
	}
	if c.counts[codeKernelLater] != nil {
		t.Errorf("kernel blocks after the runtime's entry without a split: %v", c.counts[codeKernelLater])
	}
}

func TestInstructionAddr(t *testing.T) {
	for _, tc := range []struct {
		line string
		addr uint64
		ok   bool
	}{
		{"0xffffffff81000000:  48 8d 25 51 3f 60 01  leaq ...", 0xffffffff81000000, true},
		{"0x00101000:  31 c0  xorl %eax, %eax", 0x101000, true},
		{"IN: ", 0, false},
		{"----------------", 0, false},
		{"0xzz:  00", 0, false},
		{"0x1234 no colon", 0, false},
		{"", 0, false},
	} {
		addr, ok := instructionAddr([]byte(tc.line))
		if addr != tc.addr || ok != tc.ok {
			t.Errorf("instructionAddr(%q) = %#x, %v; want %#x, %v", tc.line, addr, ok, tc.addr, tc.ok)
		}
	}
}

func TestRuntimeEntry(t *testing.T) {
	entry := runtimeEntry(testSymbols())
	for _, tc := range []struct {
		addr uint64
		want bool
	}{
		{0x102000, true},  // _rt0_amd64_linux's entry
		{0x102003, false}, // inside it
		{0x101000, false}, // another function's entry
		{0x300000, false}, // no function
	} {
		if got := entry(tc.addr); got != tc.want {
			t.Errorf("runtimeEntry(%#x) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestLinuxAndFloorCode(t *testing.T) {
	for _, tc := range []struct {
		addr        uint64
		linux, flor string
	}{
		{0xf0000, codeFirmware, codeFirmware},
		{0xfffffff0, codeFirmware, codeFirmware},
		{0x1000000, codeLinuxOther, codeAll},
		{0x401000, codeLinuxOther, codeAll},
		{0xffffffff81000000, codeLinuxKernel, codeAll},
	} {
		if got := linuxCode(tc.addr, false); got != tc.linux {
			t.Errorf("linuxCode(%#x) = %q, want %q", tc.addr, got, tc.linux)
		}
		if got := floorCode(tc.addr, false); got != tc.flor {
			t.Errorf("floorCode(%#x) = %q, want %q", tc.addr, got, tc.flor)
		}
	}
}

func TestWriteCensus(t *testing.T) {
	var c census
	c.add(codeFirmware, 2, 10)
	c.add(codeRuntime, 3, 12)
	var b bytes.Buffer
	writeCensus(&b, []censusRow{{system: "coracle", counts: c}, {system: "linux", missing: "not booted: skipped"}})
	out := b.String()
	for _, want := range []string{
		"| coracle | " + codeFirmware + " | 2 | 10 |",
		"| coracle | **in all** | **5** | **22** |",
		"| linux | not booted: skipped | | |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("census table lacks %q:\n%s", want, out)
		}
	}
}

func TestCoracleCodeOwners(t *testing.T) {
	syms := fakeFuncs{
		{start: 0x200000, end: 0x200010, name: "github.com/coracle-os/coracle/kernel.schedule"},
		{start: 0x200010, end: 0x200020, name: "github.com/coracle-os/coracle/net/stack.New"},
		{start: 0x200020, end: 0x200030, name: "github.com/coracle-os/coracle/drivers/virtio.(*Queue).Add"},
		{start: 0x200030, end: 0x200040, name: "gvisor.dev/gvisor/pkg/tcpip/stack.New"},
		{start: 0x200040, end: 0x200050, name: "internal/runtime/maps.(*Map).Get"},
		{start: 0x200050, end: 0x200060, name: "net/http.(*conn).serve"},
	}
	classify := coracleCode(syms)
	for _, tc := range []struct {
		addr  uint64
		after bool
		want  string
	}{
		{0x200000, false, codeKernelBoot},
		{0x200000, true, codeKernelLater},
		{0x200010, true, codeNetwork},
		{0x200020, false, codeNetwork},
		{0x200030, true, codeNetwork},
		{0x200040, true, codeRuntime},
		{0x200050, true, codeProgram},
		{0x300000, true, codeUnnamed},
		{0xf0000, false, codeFirmware},
	} {
		if got := classify(tc.addr, tc.after); got != tc.want {
			t.Errorf("coracleCode(%#x, after %v) = %q, want %q", tc.addr, tc.after, got, tc.want)
		}
	}
}
