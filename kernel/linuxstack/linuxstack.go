// Package linuxstack lays out the initial process stack that Linux gives a
// new program on x86-64 and that the Go runtime's _rt0_amd64_linux reads:
// argc, argv[], NULL, envp[], NULL, then auxiliary-vector pairs ending in
// AT_NULL, with the strings and AT_RANDOM's bytes above them (System V
// AMD64 psABI §3.4.1; docs/linux-abi.md §2).
//
// Arguments and environment come straight from coracle's kernel command
// line (package cmdline): each coracle.arg and coracle.env word is decoded
// into the stack area in place. Entries the kernel adds (Params.Defaults)
// follow them, unless the command line sets the same name.
//
// Trap context: none. Build runs on the boot path before the Go runtime
// exists, so it does not allocate; it writes only into the memory it is
// given.
package linuxstack

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
)

// Auxiliary-vector tags (linux/include/uapi/linux/auxvec.h).
const (
	AT_NULL         = 0
	AT_IGNORE       = 1
	AT_PAGESZ       = 6
	AT_HWCAP        = 16
	AT_CLKTCK       = 17
	AT_PLATFORM     = 15
	AT_SECURE       = 23
	AT_RANDOM       = 25
	AT_EXECFN       = 31
	AT_SYSINFO_EHDR = 33
)

// Params is what the stack tells the program besides its arguments.
type Params struct {
	Program  string   // argv[0] and AT_EXECFN
	Cmdline  string   // kernel command line holding coracle.arg/env words
	Random   [16]byte // AT_RANDOM: must be real entropy
	HWCap    uint64   // AT_HWCAP: CPUID.1:EDX, as Linux reports it
	PageSize uint64   // AT_PAGESZ
	// SysinfoEHDR is AT_SYSINFO_EHDR, the vDSO's ELF header; 0 for no
	// vDSO (the entry is then AT_IGNORE).
	SysinfoEHDR uint64
	// Defaults are environment entries, NAME=VALUE, that follow the
	// command line's coracle.env words; each is left out when one of
	// those sets NAME, so the user's setting wins.
	Defaults []Default
}

// Default is an environment entry the kernel adds unless the user sets
// Name.
type Default struct {
	Name, Value string
}

const (
	platform  = "x86_64"
	clockTick = 100 // AT_CLKTCK: USER_HZ on Linux x86-64
	wordSize  = 8
	auxPairs  = 9 // SYSINFO_EHDR, PAGESZ, HWCAP, CLKTCK, PLATFORM, SECURE, RANDOM, EXECFN, NULL
)

// Error is why Build failed; a constant, so returning it does not allocate.
type Error string

func (e Error) Error() string { return string(e) }

const (
	ErrTooSmall   Error = "initial stack area too small for the arguments and environment"
	ErrBadCmdline Error = "kernel command line has malformed coracle.arg/coracle.env words"
)

// Build writes the initial stack into mem, whose first byte is at address
// base, growing down from the end of mem, and returns the stack pointer
// the program starts with (16-byte aligned, pointing at argc).
func Build(mem []byte, base uint64, p Params) (sp uint64, err error) {
	if _, ok := cmdline.Check(p.Cmdline); !ok {
		return 0, ErrBadCmdline
	}
	argc, envc, strBytes := count(p)
	defEnvc, defBytes := countDefaults(p)
	envc += defEnvc
	strBytes += defBytes
	words := 1 + argc + 1 + envc + 1 + 2*auxPairs
	strBytes += len(p.Program) + 1 + len(platform) + 1 + len(p.Random)
	// Strings take the top strBytes; the vector sits below them, aligned.
	vec := alignDown(len(mem)-strBytes-words*wordSize, 16)
	if vec < 0 {
		return 0, ErrTooSmall
	}
	strTop := len(mem)
	// Strings, from the top down.
	put := func(s string) uint64 {
		strTop -= len(s) + 1
		copy(mem[strTop:], s)
		mem[strTop+len(s)] = 0
		return base + uint64(strTop)
	}
	execfn := put(p.Program)
	plat := put(platform)
	strTop -= len(p.Random)
	copy(mem[strTop:], p.Random[:])
	random := base + uint64(strTop)

	// The vector, from argc upwards.
	w := vec
	word := func(v uint64) {
		binary.LittleEndian.PutUint64(mem[w:], v)
		w += wordSize
	}
	word(uint64(argc))
	word(execfn) // argv[0]
	// argv[1:] and envp: decoded into the string area, below what is there.
	for _, key := range [2]string{cmdline.ArgKey, cmdline.EnvKey} {
		sc := cmdline.NewScanner(p.Cmdline)
		for {
			wd, ok := sc.Next()
			if !ok {
				break
			}
			if wd.Key != key {
				continue
			}
			n := cmdline.DecodedLen(wd.Value)
			strTop -= n + 1
			cmdline.Decode(mem[strTop:], wd.Value)
			mem[strTop+n] = 0
			word(base + uint64(strTop))
		}
		if key == cmdline.EnvKey {
			for _, d := range p.Defaults {
				if setByUser(p.Cmdline, d.Name) {
					continue
				}
				strTop -= len(d.Name) + 1 + len(d.Value) + 1
				n := copy(mem[strTop:], d.Name)
				mem[strTop+n] = '='
				n += 1 + copy(mem[strTop+n+1:], d.Value)
				mem[strTop+n] = 0
				word(base + uint64(strTop))
			}
		}
		word(0) // NULL after argv, then after envp
	}
	vdso := [2]uint64{AT_SYSINFO_EHDR, p.SysinfoEHDR}
	if p.SysinfoEHDR == 0 {
		vdso = [2]uint64{AT_IGNORE, 0}
	}
	for _, kv := range [auxPairs][2]uint64{
		vdso,
		{AT_PAGESZ, p.PageSize},
		{AT_HWCAP, p.HWCap},
		{AT_CLKTCK, clockTick},
		{AT_PLATFORM, plat},
		{AT_SECURE, 0},
		{AT_RANDOM, random},
		{AT_EXECFN, execfn},
		{AT_NULL, 0},
	} {
		word(kv[0])
		word(kv[1])
	}
	return base + uint64(vec), nil
}

// count returns the number of arguments (argv[0] included), environment
// entries, and the bytes their decoded strings take with NULs.
func count(p Params) (argc, envc, strBytes int) {
	argc = 1
	sc := cmdline.NewScanner(p.Cmdline)
	for {
		w, ok := sc.Next()
		if !ok {
			return argc, envc, strBytes
		}
		switch w.Key {
		case cmdline.ArgKey:
			argc++
		case cmdline.EnvKey:
			envc++
		default:
			continue
		}
		strBytes += cmdline.DecodedLen(w.Value) + 1
	}
}

// countDefaults returns the number of p.Defaults the user does not set
// and the bytes their strings take with '=' and NUL.
func countDefaults(p Params) (envc, strBytes int) {
	for _, d := range p.Defaults {
		if !setByUser(p.Cmdline, d.Name) {
			envc++
			strBytes += len(d.Name) + 1 + len(d.Value) + 1
		}
	}
	return envc, strBytes
}

// setByUser reports whether a coracle.env word of cmd sets name.
func setByUser(cmd, name string) bool {
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key == cmdline.EnvKey && cmdline.EnvNames(w.Value, name) {
			return true
		}
	}
	return false
}

func alignDown(n, a int) int {
	if n < 0 {
		return -1
	}
	return n &^ (a - 1)
}
