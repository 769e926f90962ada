package linuxstack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
)

// parsed is the stack as the Go runtime reads it.
type parsed struct {
	argv, envp []string
	auxv       map[uint64]uint64
}

func cstr(t *testing.T, mem []byte, base, addr uint64) string {
	t.Helper()
	if addr < base || addr >= base+uint64(len(mem)) {
		t.Fatalf("pointer %#x outside the stack area [%#x, %#x)", addr, base, base+uint64(len(mem)))
	}
	s := mem[addr-base:]
	n := bytes.IndexByte(s, 0)
	if n < 0 {
		t.Fatalf("string at %#x is not NUL-terminated", addr)
	}
	return string(s[:n])
}

func parse(t *testing.T, mem []byte, base, sp uint64) parsed {
	t.Helper()
	if sp%16 != 0 {
		t.Errorf("stack pointer %#x is not 16-byte aligned", sp)
	}
	off := sp - base
	word := func() uint64 {
		v := binary.LittleEndian.Uint64(mem[off:])
		off += 8
		return v
	}
	var p parsed
	argc := word()
	for range argc {
		p.argv = append(p.argv, cstr(t, mem, base, word()))
	}
	if word() != 0 {
		t.Fatal("argv is not NULL-terminated")
	}
	for a := word(); a != 0; a = word() {
		p.envp = append(p.envp, cstr(t, mem, base, a))
	}
	p.auxv = map[uint64]uint64{}
	for {
		k, v := word(), word()
		if k == AT_NULL {
			break
		}
		p.auxv[k] = v
	}
	return p
}

func TestBuildMatchesLinuxLayout(t *testing.T) {
	args := []string{"one", "two words", "", "100%", "tab\there\nnewline"}
	env := []string{"HOME=/", "GREETING=hi there", "EMPTY="}
	cl, err := cmdline.Encode("quiet coracle.crash=no", args, env)
	if err != nil {
		t.Fatal(err)
	}
	const base = 0x7ff000000000
	mem := make([]byte, 4096)
	random := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sp, err := Build(mem, base, Params{Program: "/hello", Cmdline: cl, Random: random, HWCap: 0x178bfbff, PageSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, mem, base, sp)
	if want := append([]string{"/hello"}, args...); !slices.Equal(p.argv, want) {
		t.Errorf("argv %q, want %q", p.argv, want)
	}
	if !slices.Equal(p.envp, env) {
		t.Errorf("envp %q, want %q", p.envp, env)
	}
	for tag, want := range map[uint64]uint64{AT_PAGESZ: 4096, AT_HWCAP: 0x178bfbff, AT_CLKTCK: 100, AT_SECURE: 0} {
		if got, ok := p.auxv[tag]; !ok || got != want {
			t.Errorf("auxv[%d] = %#x (present %v), want %#x", tag, got, ok, want)
		}
	}
	if got := cstr(t, mem, base, p.auxv[AT_PLATFORM]); got != "x86_64" {
		t.Errorf("AT_PLATFORM %q", got)
	}
	if got := cstr(t, mem, base, p.auxv[AT_EXECFN]); got != "/hello" {
		t.Errorf("AT_EXECFN %q", got)
	}
	r := p.auxv[AT_RANDOM] - base
	if got := mem[r : r+16]; !bytes.Equal(got, random[:]) {
		t.Errorf("AT_RANDOM bytes %x, want %x", got, random)
	}
}

func TestBuildNoArguments(t *testing.T) {
	mem := make([]byte, 512)
	sp, err := Build(mem, 0x1000, Params{Program: "p", PageSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, mem, 0x1000, sp)
	if !slices.Equal(p.argv, []string{"p"}) || len(p.envp) != 0 {
		t.Errorf("argv %q envp %q", p.argv, p.envp)
	}
}

func TestBuildTooSmall(t *testing.T) {
	cl, _ := cmdline.Encode("", []string{strings.Repeat("x", 300)}, nil)
	if _, err := Build(make([]byte, 256), 0x1000, Params{Program: "p", Cmdline: cl}); !errors.Is(err, ErrTooSmall) {
		t.Errorf("err %v, want ErrTooSmall", err)
	}
	// Exactly enough never writes outside mem: try every size around the
	// minimum and check the result parses whenever Build succeeds.
	for n := 300; n < 700; n++ {
		mem := make([]byte, n)
		sp, err := Build(mem, 0x2000, Params{Program: "p", Cmdline: cl})
		if err != nil {
			continue
		}
		if p := parse(t, mem, 0x2000, sp); len(p.argv) != 2 || len(p.argv[1]) != 300 {
			t.Fatalf("size %d: argv %q", n, p.argv)
		}
	}
}

func TestBuildRejectsMalformedCmdline(t *testing.T) {
	if _, err := Build(make([]byte, 4096), 0, Params{Program: "p", Cmdline: "coracle.arg=%g"}); !errors.Is(err, ErrBadCmdline) {
		t.Errorf("err %v, want ErrBadCmdline", err)
	}
}

// Defaults follow the user's environment, and one the user sets is left
// out, whatever the values; the sizes are exact (checked as in
// TestBuildTooSmall).
func TestBuildDefaults(t *testing.T) {
	defaults := []Default{{"GOMEMLIMIT", "46MiB"}, {"EMPTY", ""}}
	for _, tt := range []struct {
		env, want []string
	}{
		{nil, []string{"GOMEMLIMIT=46MiB", "EMPTY="}},
		{[]string{"A=b"}, []string{"A=b", "GOMEMLIMIT=46MiB", "EMPTY="}},
		{[]string{"GOMEMLIMIT=off"}, []string{"GOMEMLIMIT=off", "EMPTY="}},
		{[]string{"GOMEMLIMIT="}, []string{"GOMEMLIMIT=", "EMPTY="}},
		{[]string{"GOMEMLIMITS=1", "EMPTY=x"}, []string{"GOMEMLIMITS=1", "EMPTY=x", "GOMEMLIMIT=46MiB"}},
	} {
		cl, err := cmdline.Encode("", []string{"arg"}, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		params := Params{Program: "p", Cmdline: cl, Defaults: defaults}
		built := false
		for n := 64; n < 512; n++ {
			mem := make([]byte, n)
			sp, err := Build(mem, 0x2000, params)
			if err != nil {
				continue
			}
			built = true
			if p := parse(t, mem, 0x2000, sp); !slices.Equal(p.envp, tt.want) || !slices.Equal(p.argv, []string{"p", "arg"}) {
				t.Fatalf("env %q, %d bytes: argv %q envp %q, want envp %q", tt.env, n, p.argv, p.envp, tt.want)
			}
		}
		if !built {
			t.Errorf("env %q: Build never succeeded", tt.env)
		}
	}
}

// TestStackReadsBuild reads back what Build wrote with Stack, as
// /proc/PID/cmdline, environ and auxv do, and checks it against the
// runtime's view of the same stack.
func TestStackReadsBuild(t *testing.T) {
	mem := make([]byte, 8192)
	const base = 0x7fff_0000_0000
	cmd := "coracle.arg=-v coracle.arg=a%20b coracle.env=HOME=/root coracle.env=X="
	sp, err := Build(mem, base, Params{Program: "/bin/prog", Cmdline: cmd, PageSize: 4096, HWCap: 7, SysinfoEHDR: 0x1000,
		Defaults: []Default{{Name: "GOMEMLIMIT", Value: "10MiB"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := parse(t, mem, base, sp)
	s := Stack{Mem: mem, Base: base, SP: sp}
	var argv, envp []string
	for i := uint64(0); ; i++ {
		a, ok := s.Arg(i)
		if !ok {
			break
		}
		b, ok := s.String(a)
		if !ok {
			t.Fatalf("argument %d at %#x unreadable", i, a)
		}
		argv = append(argv, string(b))
	}
	for i := uint64(0); ; i++ {
		a, ok := s.Env(i)
		if !ok {
			break
		}
		b, _ := s.String(a)
		envp = append(envp, string(b))
	}
	if !slices.Equal(argv, want.argv) || !slices.Equal(envp, want.envp) {
		t.Errorf("Stack read argv %q envp %q; the runtime reads %q %q", argv, envp, want.argv, want.envp)
	}
	a, n, ok := s.Auxv()
	if !ok || n != 2*8*auxPairs {
		t.Fatalf("Auxv = %#x, %d, %v; want %d bytes", a, n, ok, 2*8*auxPairs)
	}
	got := map[uint64]uint64{}
	for i := 0; i < n-16; i += 16 {
		k, _ := s.Word(a + uint64(i))
		v, _ := s.Word(a + uint64(i) + 8)
		got[k] = v
	}
	if len(got) != len(want.auxv) || got[AT_PAGESZ] != 4096 || got[AT_SYSINFO_EHDR] != 0x1000 || got[AT_RANDOM] != want.auxv[AT_RANDOM] {
		t.Errorf("Auxv pairs %v, want %v", got, want.auxv)
	}
	// Reads outside the area fail.
	if _, ok := s.Word(base - 8); ok {
		t.Error("Word below the area succeeded")
	}
	if _, ok := s.Word(base + uint64(len(mem)) - 4); ok {
		t.Error("Word across the end succeeded")
	}
	if _, ok := s.String(base + uint64(len(mem))); ok {
		t.Error("String past the end succeeded")
	}
	bad := Stack{Mem: mem, Base: base, SP: base + uint64(len(mem)) - 8}
	if _, _, ok := bad.Auxv(); ok {
		t.Error("Auxv without an end succeeded")
	}
}
