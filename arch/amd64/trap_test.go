package amd64

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// trapFrameOrder is TrapFrame from its lowest address: what trapCommon
// pushes last comes first.
var trapFrameOrder = []string{
	"R15", "R14", "R13", "R12", "R11", "R10", "R9", "R8",
	"RBP", "RDI", "RSI", "RDX", "RCX", "RBX", "RAX",
	"Vector", "ErrorCode",
	"RIP", "CS", "RFLAGS", "RSP", "SS",
}

func TestTrapFrameLayout(t *testing.T) {
	if size := unsafe.Sizeof(TrapFrame{}); size != 22*8 {
		t.Errorf("sizeof(TrapFrame) = %d, want %d", size, 22*8)
	}
	typ := reflect.TypeFor[TrapFrame]()
	if typ.NumField() != len(trapFrameOrder) {
		t.Fatalf("TrapFrame has %d fields, want %d", typ.NumField(), len(trapFrameOrder))
	}
	for i, name := range trapFrameOrder {
		f, ok := typ.FieldByName(name)
		if !ok {
			t.Errorf("TrapFrame has no field %s", name)
			continue
		}
		if f.Offset != uintptr(i*8) || f.Type.Kind() != reflect.Uint64 {
			t.Errorf("TrapFrame.%s at offset %d (%s), want offset %d (uint64)", name, f.Offset, f.Type, i*8)
		}
	}
	// The spot checks the assembly comment promises.
	var f TrapFrame
	for _, tt := range []struct {
		name      string
		got, want uintptr
	}{
		{"R15", unsafe.Offsetof(f.R15), 0},
		{"RAX", unsafe.Offsetof(f.RAX), 14 * 8},
		{"Vector", unsafe.Offsetof(f.Vector), 15 * 8},
		{"ErrorCode", unsafe.Offsetof(f.ErrorCode), 16 * 8},
		{"RIP", unsafe.Offsetof(f.RIP), 17 * 8},
		{"CS", unsafe.Offsetof(f.CS), 18 * 8},
		{"RFLAGS", unsafe.Offsetof(f.RFLAGS), 19 * 8},
		{"RSP", unsafe.Offsetof(f.RSP), 20 * 8},
		{"SS", unsafe.Offsetof(f.SS), 21 * 8},
	} {
		if tt.got != tt.want {
			t.Errorf("offsetof(TrapFrame.%s) = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

// readTrapAsm returns the lines of the assembly file name with comments
// removed.
func readTrapAsm(t *testing.T, name string) []string {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		if i := strings.Index(l, "//"); i >= 0 {
			l = l[:i]
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	return lines
}

// TestTrapFrameMatchesAssembly derives the frame from trapCommon's
// leading pushes, and checks that every return path (each IRETQ) pops
// them in reverse, so that the two cannot drift apart.
func TestTrapFrameMatchesAssembly(t *testing.T) {
	asmToField := map[string]string{
		"AX": "RAX", "BX": "RBX", "CX": "RCX", "DX": "RDX",
		"SI": "RSI", "DI": "RDI", "BP": "RBP",
		"R8": "R8", "R9": "R9", "R10": "R10", "R11": "R11",
		"R12": "R12", "R13": "R13", "R14": "R14", "R15": "R15",
	}
	lines := readTrapAsm(t, "trap_common_amd64.s")
	var pushes []string
	for i, l := range lines {
		if !strings.HasPrefix(l, "TEXT ·trapCommon(SB)") {
			continue
		}
		for _, l := range lines[i+1:] {
			if !strings.HasPrefix(l, "PUSHQ") {
				break
			}
			pushes = append(pushes, strings.TrimSpace(strings.TrimPrefix(l, "PUSHQ")))
		}
	}
	if len(pushes) != 15 {
		t.Fatalf("trapCommon starts with %d pushes (%v), want the 15 general registers", len(pushes), pushes)
	}
	typ := reflect.TypeFor[TrapFrame]()
	for i, reg := range pushes {
		name, ok := asmToField[reg]
		if !ok {
			t.Errorf("trapCommon pushes unexpected register %s", reg)
			continue
		}
		// The i-th push (of 15) lands (14-i)*8 bytes above the final SP.
		want := uintptr(14-i) * 8
		if f, _ := typ.FieldByName(name); f.Offset != want {
			t.Errorf("trapCommon pushes %s as push #%d, which lands at offset %d; TrapFrame.%s is at %d",
				reg, i, want, name, f.Offset)
		}
	}
	// Before IRETQ: 15 pops, then ADDQ $16, SP past vector and error
	// code. Before SYSRETQ: 15 pops, then the user RSP loaded from past
	// vector, error code, RIP, CS and RFLAGS.
	before := map[string]string{"IRETQ": "ADDQ	$16, SP", "SYSRETQ": "MOVQ	40(SP), SP"}
	returns := map[string]int{}
	for i, l := range lines {
		prev, ok := before[l]
		if !ok {
			continue
		}
		returns[l]++
		if i < 16 || lines[i-1] != prev {
			t.Errorf("%s at line %d is not preceded by %s", l, i+1, prev)
			continue
		}
		for k := range 15 {
			got := strings.TrimSpace(strings.TrimPrefix(lines[i-2-k], "POPQ"))
			if want := pushes[k]; !strings.HasPrefix(lines[i-2-k], "POPQ") || got != want {
				t.Errorf("%s at line %d: pop %d from the end is %q, want POPQ %s", l, i+1, k, lines[i-2-k], want)
			}
		}
	}
	if returns["IRETQ"] < 2 || returns["SYSRETQ"] < 1 {
		t.Errorf("found %d IRETQ and %d SYSRETQ paths, want at least 2 (ring 0 and ResumeUser) and 1 (ResumeUser)", returns["IRETQ"], returns["SYSRETQ"])
	}
	// The frame offsets SYSRETQ's path relies on.
	var f TrapFrame
	if off := unsafe.Offsetof(f.RSP) - unsafe.Offsetof(f.Vector); off != 40 {
		t.Errorf("RSP is %d bytes past Vector, want 40 (MOVQ 40(SP), SP)", off)
	}
}

// TestSysretSelectors checks that SYSRET, which loads CS from
// STAR[63:48]+16 and SS from STAR[63:48]+8, lands on the user selectors.
func TestSysretSelectors(t *testing.T) {
	base := userCS32 &^ rplUser
	if cs := (base + 16) | rplUser; cs != UserCS {
		t.Errorf("SYSRET CS = %#x, want UserCS %#x", cs, UserCS)
	}
	if ss := (base + 8) | rplUser; ss != UserDS {
		t.Errorf("SYSRET SS = %#x, want UserDS %#x", ss, UserDS)
	}
	if UserRFLAGS&^sysretRFLAGS != 0 {
		t.Errorf("UserRFLAGS %#x has bits SYSRET clears", UserRFLAGS)
	}
}

// TestTrapStubs checks each entry stub against ExceptionHasErrorCode: a
// stub pushes a zero error code exactly when the CPU pushes none, then its
// own vector, and jumps to trapCommon; the stub table lists the stubs in
// vector order.
func TestTrapStubs(t *testing.T) {
	textRE := regexp.MustCompile(`^TEXT trap(\d+)<>\(SB\),NOSPLIT\|NOFRAME,\$0$`)
	dataRE := regexp.MustCompile(`^DATA ·trapStubs\+(\d+)\(SB\)/8, \$trap(\d+)<>\(SB\)$`)
	stubs := map[int][]string{} // vector -> its instructions
	table := map[int]int{}
	lines := readTrapAsm(t, "trap_amd64.s")
	for i := 0; i < len(lines); i++ {
		if m := textRE.FindStringSubmatch(lines[i]); m != nil {
			v, _ := strconv.Atoi(m[1])
			for i+1 < len(lines) && lines[i+1] != "" {
				i++
				stubs[v] = append(stubs[v], strings.Join(strings.Fields(lines[i]), " "))
			}
			continue
		}
		if m := dataRE.FindStringSubmatch(lines[i]); m != nil {
			off, _ := strconv.Atoi(m[1])
			v, _ := strconv.Atoi(m[2])
			table[off] = v
		}
	}
	if len(stubs) != 256 {
		t.Errorf("found %d entry stubs, want 256", len(stubs))
	}
	for v := range 256 {
		want := []string{fmt.Sprintf("PUSHQ $%d", v), "JMP ·trapCommon(SB)"}
		if !ExceptionHasErrorCode(v) {
			want = append([]string{"PUSHQ $0"}, want...)
		}
		if got := stubs[v]; !slices.Equal(got, want) {
			t.Errorf("stub trap%d is %q, want %q (ExceptionHasErrorCode = %v)", v, got, want, ExceptionHasErrorCode(v))
		}
		if got, ok := table[v*8]; !ok || got != v {
			t.Errorf("trapStubs+%d = trap%d (present %v), want trap%d", v*8, got, ok, v)
		}
	}
}

func TestExceptionHasErrorCode(t *testing.T) {
	// SDM Vol. 3A Table 6-1: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX.
	want := map[int]bool{8: true, 10: true, 11: true, 12: true, 13: true, 14: true, 17: true, 21: true, 29: true, 30: true}
	for v := -1; v <= 256; v++ {
		if got := ExceptionHasErrorCode(v); got != want[v] {
			t.Errorf("ExceptionHasErrorCode(%d) = %v, want %v", v, got, want[v])
		}
	}
}

func TestExceptionNames(t *testing.T) {
	if len(ExceptionNames) != 32 || NumExceptions != 32 {
		t.Fatalf("len(ExceptionNames) = %d, NumExceptions = %d; want 32", len(ExceptionNames), NumExceptions)
	}
	for v, name := range ExceptionNames {
		if name == "" {
			t.Errorf("ExceptionNames[%d] is empty", v)
		}
	}
	exact := map[int]string{
		0:  "#DE divide error",
		6:  "#UD invalid opcode",
		8:  "#DF double fault",
		13: "#GP general protection",
		14: "#PF page fault",
	}
	for v, want := range exact {
		if got := ExceptionNames[v]; got != want {
			t.Errorf("ExceptionNames[%d] = %q, want %q", v, got, want)
		}
	}
	// SDM mnemonics (Table 6-1).
	mnemonic := map[int]string{
		0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM",
		8: "#DF", 10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF",
		16: "#MF", 17: "#AC", 18: "#MC", 19: "#XM", 20: "#VE", 21: "#CP",
		28: "#HV", 29: "#VC", 30: "#SX",
	}
	for v, want := range mnemonic {
		if got := ExceptionNames[v]; !strings.HasPrefix(got, want) {
			t.Errorf("ExceptionNames[%d] = %q, want it to start with %q", v, got, want)
		}
	}
	for _, v := range []int{15, 22, 23, 24, 25, 26, 27, 31} {
		if got := ExceptionNames[v]; !strings.HasPrefix(got, "reserved") {
			t.Errorf("ExceptionNames[%d] = %q, want a reserved vector", v, got)
		}
	}
	// The named vector constants agree with the table.
	for _, tt := range []struct {
		name string
		v    int
		want string
	}{
		{"VectorDE", VectorDE, "#DE"}, {"VectorNMI", VectorNMI, "NMI"}, {"VectorBP", VectorBP, "#BP"},
		{"VectorUD", VectorUD, "#UD"}, {"VectorDF", VectorDF, "#DF"}, {"VectorGP", VectorGP, "#GP"},
		{"VectorPF", VectorPF, "#PF"}, {"VectorMC", VectorMC, "#MC"},
	} {
		if !strings.HasPrefix(ExceptionNames[tt.v], tt.want) {
			t.Errorf("%s = %d names %q, want %s", tt.name, tt.v, ExceptionNames[tt.v], tt.want)
		}
	}
}
