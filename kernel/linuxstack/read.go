package linuxstack

import "encoding/binary"

// Stack reads an initial stack Build wrote, as /proc/PID/cmdline,
// environ and auxv report it: mem is the stack area, whose first byte
// is at address Base, and SP the stack pointer the program started
// with. Reads outside mem fail instead of panicking, since the program
// may have changed the stack since.
//
// Trap context: all methods; they slice mem and never allocate.
type Stack struct {
	Mem  []byte
	Base uint64
	SP   uint64
}

// Word is the 8-byte word at addr.
func (s *Stack) Word(addr uint64) (uint64, bool) {
	if addr < s.Base || addr-s.Base > uint64(len(s.Mem)) || uint64(len(s.Mem))-(addr-s.Base) < wordSize {
		return 0, false
	}
	return binary.LittleEndian.Uint64(s.Mem[addr-s.Base:]), true
}

// String is the NUL-terminated string at addr, without its NUL.
func (s *Stack) String(addr uint64) ([]byte, bool) {
	if addr < s.Base || addr-s.Base >= uint64(len(s.Mem)) {
		return nil, false
	}
	b := s.Mem[addr-s.Base:]
	for i, c := range b {
		if c == 0 {
			return b[:i], true
		}
	}
	return nil, false
}

// Argc is the argument count.
func (s *Stack) Argc() (uint64, bool) { return s.Word(s.SP) }

// Arg is the address of argument i's string, or false past the last.
func (s *Stack) Arg(i uint64) (uint64, bool) {
	argc, ok := s.Argc()
	if !ok || i >= argc {
		return 0, false
	}
	return s.Word(s.SP + wordSize*(1+i))
}

// Env is the address of environment entry i's string, or false past
// the last.
func (s *Stack) Env(i uint64) (uint64, bool) {
	argc, ok := s.Argc()
	if !ok {
		return 0, false
	}
	p, ok := s.Word(s.SP + wordSize*(2+argc+i))
	return p, ok && p != 0
}

// Auxv returns the address of the auxiliary vector and its length in
// bytes, its AT_NULL pair included, or false if it has no end in mem.
func (s *Stack) Auxv() (uint64, int, bool) {
	argc, ok := s.Argc()
	if !ok {
		return 0, 0, false
	}
	a := s.SP + wordSize*(2+argc)
	for {
		p, ok := s.Word(a)
		if !ok {
			return 0, 0, false
		}
		a += wordSize
		if p == 0 {
			break
		}
	}
	for n := 0; ; n += 2 * wordSize {
		tag, ok := s.Word(a + uint64(n))
		if !ok {
			return 0, 0, false
		}
		if tag == AT_NULL {
			if _, ok := s.Word(a + uint64(n) + wordSize); !ok {
				return 0, 0, false
			}
			return a, n + 2*wordSize, true
		}
	}
}
