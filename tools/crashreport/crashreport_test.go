package crashreport

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

func TestParseCodeLine(t *testing.T) {
	good := "coracle: code at 0x0000000000516a20, RIP at +2: f7f10f0b\r\n"
	c, ok := ParseCodeLine(good)
	want := Code{Start: 0x516a20, RIP: 0x516a22, Bytes: []byte{0xf7, 0xf1, 0x0f, 0x0b}}
	if !ok || !reflect.DeepEqual(c, want) {
		t.Errorf("ParseCodeLine(%q) = %+v, %v; want %+v", good, c, ok, want)
	}
	for _, bad := range []string{
		"coracle: code: RIP is outside the image's code; not read",
		"coracle: code at 516a20, RIP at +2: f7f10f0b",
		"coracle: code at 0x0000000000516a20, RIP at +4: f7f10f0b", // RIP past the bytes
		"coracle: code at 0x0000000000516a20, RIP at +x: f7f10f0b",
		"coracle: code at 0x0000000000516a20, RIP at +1: f7f1z",
		"coracle: code at 0x0000000000516a20, RIP at +1: f7f10",
		"coracle: code at 0xffffffffffffffff, RIP at +1: f7f1",
		"hello coracle: code at 0x0000000000516a20, RIP at +0: f7",
		"",
	} {
		if c, ok := ParseCodeLine(bad); ok {
			t.Errorf("ParseCodeLine(%q) = %+v; want false", bad, c)
		}
	}
}

// The bytes of kernel.crashDivide and kernel.crashInvalidOpcode as the
// linker lays them out: MOVL $1, AX; XORL DX, DX; XORL CX, CX; DIVL CX;
// RET; INT3 padding; UD2; RET.
const crashBytes = "b80100000031d231c9f7f1c3cccccccccccccccccccccccccccccccccccccccc0f0bc3cccc"

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// marked returns the text of the instruction at RIP and where decoding
// started.
func marked(t *testing.T, c Code, syms *Symbols) (string, uint64) {
	t.Helper()
	insts, err := Disassemble(c, syms)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	text := ""
	for i, in := range insts {
		if i > 0 && insts[i-1].Addr+uint64(len(insts[i-1].Bytes)) != in.Addr {
			t.Errorf("instruction at %#x does not follow the one before", in.Addr)
		}
		if in.AtRIP {
			n++
			text = in.Text
			if in.Addr != c.RIP {
				t.Errorf("marked instruction at %#x, RIP is %#x", in.Addr, c.RIP)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d instructions marked; want 1", n)
	}
	return text, insts[0].Addr
}

func TestDisassembleMarksRIP(t *testing.T) {
	b := mustHex(t, crashBytes)
	tests := []struct {
		name      string
		start     uint64
		ripOff    uint64
		want      string
		wantFirst uint64 // offset decoding starts at
	}{
		{"ud", 0x1000, 32, "UD2", 0},
		{"de", 0x1000, 9, "DIVL CX", 0},
		{"first byte", 0x1000, 0, "MOVL $0x1, AX", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, first := marked(t, Code{Start: tt.start, RIP: tt.start + tt.ripOff, Bytes: b}, nil)
			if got != tt.want || first != tt.start+tt.wantFirst {
				t.Errorf("marked %q, decoded from %#x; want %q from %#x", got, first, tt.want, tt.start+tt.wantFirst)
			}
		})
	}
}

// A window that starts inside an instruction whose tail would swallow
// RIP's: decoding from its first byte (MOVQ $imm64 is ten bytes) or the
// next (MOVL $imm32, five) overruns RIP, so decoding starts at RIP.
func TestDisassembleStartsWhereItLandsOnRIP(t *testing.T) {
	b := mustHex(t, "48b80f0bc3cccccccccc")
	got, first := marked(t, Code{Start: 0x2000, RIP: 0x2002, Bytes: b}, nil)
	if got != "UD2" || first != 0x2002 {
		t.Errorf("marked %q, decoded from %#x; want UD2 from 0x2002", got, first)
	}
	// Bytes that do not decode at RIP are an error, not a guess.
	if _, err := Disassemble(Code{Start: 0x3000, RIP: 0x3000, Bytes: []byte{0x0f}}, nil); err == nil {
		t.Error("Disassemble of a truncated instruction at RIP succeeded")
	}
}

//go:noinline
func knownFunc(x int) int {
	for i := range x {
		x += i * i
	}
	return x
}

// With the test binary's own symbols, decoding starts at a function
// entry in the window, and the listing names the function.
func TestDisassembleWithSymbols(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	syms, err := LoadImage(exe)
	if err != nil {
		t.Fatal(err)
	}
	entry := uint64(reflect.ValueOf(knownFunc).Pointer())
	name, e, ok := syms.Func(entry)
	if !ok || e != entry || !strings.HasSuffix(name, "crashreport.knownFunc") {
		t.Fatalf("Func(%#x) = %q, %#x, %v; want knownFunc at its entry", entry, name, e, ok)
	}
	c := Code{Start: entry - 32, RIP: entry, Bytes: readCode(entry-32, 48)}
	_, first := marked(t, c, syms)
	if _, e, ok := syms.Func(first); !ok || e != first {
		t.Errorf("decoding started at %#x, which is not a function entry", first)
	}
	var out bytes.Buffer
	if err := WriteDisassembly(&out, c, syms); err != nil {
		t.Fatal(err)
	}
	wantLines := []string{"coracle:   " + name + ":", fmt.Sprintf("coracle: => %#016x", entry), "crashreport_test.go:"}
	for _, w := range wantLines {
		if !strings.Contains(out.String(), w) {
			t.Errorf("listing lacks %q:\n%s", w, out.String())
		}
	}
}

// Writer passes the stream through byte for byte and puts the listing
// right after the code line, however the writes split it.
func TestWriter(t *testing.T) {
	in := "booted\r\ncoracle: code at 0x0000000000001000, RIP at +32: " + crashBytes + "\r\ncoracle: kernel fault\r\ntail"
	for _, chunk := range []int{1, 7, 64, len(in)} {
		var out bytes.Buffer
		w := NewWriter(&out, nil)
		for i := 0; i < len(in); i += chunk {
			n, err := w.Write([]byte(in[i:min(i+chunk, len(in))]))
			if err != nil || n != min(chunk, len(in)-i) {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		got := out.String()
		var listing bytes.Buffer
		WriteDisassembly(&listing, Code{Start: 0x1000, RIP: 0x1020, Bytes: mustHex(t, crashBytes)}, nil)
		cut := strings.Index(in, "coracle: kernel fault")
		want := in[:cut] + listing.String() + in[cut:]
		if got != want {
			t.Errorf("chunks of %d: got\n%q\nwant\n%q", chunk, got, want)
		}
		if !strings.Contains(got, "=> 0x0000000000001020  0f0b") || !strings.Contains(got, "UD2") {
			t.Errorf("chunks of %d: no marked UD2 in\n%s", chunk, got)
		}
	}
}

func TestAnnotate(t *testing.T) {
	var out bytes.Buffer
	log := "coracle: code at 0x0000000000001000, RIP at +9: " + crashBytes + "\n"
	if err := Annotate(&out, strings.NewReader(log), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), log) || !strings.Contains(out.String(), "=> 0x0000000000001009  f7f1") {
		t.Errorf("Annotate wrote\n%s", out.String())
	}
}

// readCode copies n bytes of the test binary's code at addr.
func readCode(addr uint64, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = *(*byte)(unsafe.Add(unsafe.Pointer(nil), addr+uint64(i)))
	}
	return b
}
