package crashreport

import (
	"encoding/hex"
	"strconv"
	"strings"
)

// Code is what a "coracle: code" line holds: the bytes at Start, and the
// faulting instruction's address.
type Code struct {
	Start, RIP uint64
	Bytes      []byte
}

// codePrefix starts the line the kernel prints (kernel/diag_crash_code.go):
//
//	coracle: code at 0x<16 hex digits>, RIP at +<decimal>: <hex bytes>
const codePrefix = "coracle: code at "

// ParseCodeLine decodes a "coracle: code" line (with or without its line
// ending). It reports false for any other line, or a malformed one.
func ParseCodeLine(line string) (Code, bool) {
	line = strings.TrimRight(line, "\r\n")
	rest, ok := strings.CutPrefix(line, codePrefix)
	if !ok {
		return Code{}, false
	}
	addr, rest, ok := strings.Cut(rest, ", RIP at +")
	if !ok || !strings.HasPrefix(addr, "0x") {
		return Code{}, false
	}
	start, err := strconv.ParseUint(addr[2:], 16, 64)
	if err != nil {
		return Code{}, false
	}
	off, bytesHex, ok := strings.Cut(rest, ": ")
	if !ok {
		return Code{}, false
	}
	ripOff, err := strconv.ParseUint(off, 10, 64)
	if err != nil {
		return Code{}, false
	}
	b, err := hex.DecodeString(bytesHex)
	if err != nil || ripOff >= uint64(len(b)) || start+ripOff < start {
		return Code{}, false
	}
	return Code{Start: start, RIP: start + ripOff, Bytes: b}, true
}
