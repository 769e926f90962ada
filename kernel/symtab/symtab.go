// Package symtab reads the Go function table (the pclntab, section
// .gopclntab) that the Go 1.26 linker writes into every image, so that the
// kernel's crash report can name the function containing a faulting RIP,
// and its file and line, without the runtime: runtime.FuncForPC may
// allocate and needs a working g, which a kernel fault does not have.
//
// A Table is a view of the table's bytes plus the address of runtime.text,
// which the function entries are relative to. Go 1.26 no longer stores that
// address in the pcHeader (the old textStart slot is zero), so New takes it
// as an argument; Image supplies both from the linker symbols of the
// running image (runtime.pclntab, runtime.epclntab and runtime.text).
//
// Lookup finds a function by binary search over the functab, which the
// linker sorts by entry offset and ends with a sentinel holding the end of
// the last function (the runtime's own findfunctab buckets live in
// moduledata, which this package does not use). Line decodes the
// function's pcfile and pcln tables. Both follow the runtime's view of a
// PC: a PC in the padding after a function belongs to that function; the
// name is that of the function the code was compiled into, while the file
// and line are those of the innermost inlined call, as in
// runtime.(*Func).FileLine. Names are returned as stored, so generic
// functions carry their shape names (runtime prints "[...]" instead).
//
// Only a single text section is supported, as in coracle images: a PC
// outside [runtime.text, end of the last function) is not found.
//
// Trap context: Lookup and Line may run in trap context: they do not
// allocate, lock or panic on any input (all offsets are bounds-checked).
// The strings they return are views into the table, not copies. New and
// Image do not allocate or lock either, and store nothing global.
package symtab

import "unsafe"

// Layout of the Go 1.20+ pclntab on a 64-bit target; see
// runtime/symtab.go (pcHeader, functab, _func) and
// cmd/link/internal/ld/pcln.go.
const (
	magic     = 0xFFFFFFF1 // abi.Go120PCLnTabMagic, still current in Go 1.26
	minLC     = 1          // instruction size quantum on amd64
	ptrSize   = 8
	headerLen = 8 + 8*ptrSize // magic, pads, minLC, ptrSize, then 8 words

	// Word offsets in the pcHeader.
	hdrNfunc       = 8
	hdrFuncnameOff = 32 // after nfunc, nfiles and the unused textStart slot
	hdrCuOff       = 40
	hdrFiletabOff  = 48
	hdrPctabOff    = 56
	hdrPclnOff     = 64

	// functab entries: entryoff uint32 (from runtime.text), funcoff uint32
	// (from the start of the functab). nfunc of them, then a last entryoff.
	ftabEntryLen = 8

	// _func fields used here, and its fixed size.
	funcEntryOff  = 0
	funcNameOff   = 4
	funcPcfileOff = 20
	funcPclnOff   = 24
	funcCuOff     = 32
	funcLen       = 44
)

// Table reads a Go pclntab in memory. The zero Table finds nothing.
type Table struct {
	text  uintptr // address of runtime.text
	nfunc int

	// Sub-slices of the table, in the order the linker lays them out.
	funcnametab []byte // NUL-terminated function names
	cutab       []byte // uint32 offsets into filetab, per compilation unit
	filetab     []byte // NUL-terminated file names
	pctab       []byte // varint-encoded pc-value tables
	functab     []byte // ftab, then the _func records (and funcdata)
}

// New returns a Table over pclntab, the bytes of a Go 1.20+ function
// table starting at its pcHeader (the .gopclntab section, or the memory
// from runtime.pcheader to runtime.epclntab), for code whose runtime.text
// symbol is at textStart. It reports false if the header is not that of a
// 64-bit Go 1.20+ table with a one-byte instruction quantum, if the
// header's offsets do not lie in order within pclntab, or if the
// functab does not fit or is not sorted.
func New(pclntab []byte, textStart uintptr) (Table, bool) {
	b := pclntab
	if len(b) < headerLen {
		return Table{}, false
	}
	m, _ := u32(b, 0)
	if m != magic || b[4] != 0 || b[5] != 0 || b[6] != minLC || b[7] != ptrSize {
		return Table{}, false
	}
	nfunc, _ := u64(b, hdrNfunc)
	var offs [5]uint64
	prev := uint64(headerLen)
	for i := range offs {
		o, _ := u64(b, hdrFuncnameOff+8*i)
		if o < prev || o > uint64(len(b)) {
			return Table{}, false
		}
		offs[i], prev = o, o
	}
	t := Table{
		text:        textStart,
		funcnametab: b[offs[0]:offs[1]],
		cutab:       b[offs[1]:offs[2]],
		filetab:     b[offs[2]:offs[3]],
		pctab:       b[offs[3]:offs[4]],
		functab:     b[offs[4]:],
	}
	if nfunc == 0 || len(t.functab) < 4 || nfunc > uint64(len(t.functab)-4)/ftabEntryLen {
		return Table{}, false
	}
	t.nfunc = int(nfunc)
	// The binary search in Lookup relies on the order; check it once.
	last, _ := u32(t.functab, 0)
	for i := 1; i <= t.nfunc; i++ {
		e, _ := u32(t.functab, int64(i)*ftabEntryLen)
		if e < last {
			return Table{}, false
		}
		last = e
	}
	return t, true
}

// Lookup returns the function whose code contains pc: its name, a view
// into the table, and its entry address. It reports false if pc is not in
// the table's text or the table is inconsistent there.
func (t *Table) Lookup(pc uintptr) (name string, entry uintptr, ok bool) {
	f, entry, ok := t.findFunc(pc)
	if !ok {
		return "", 0, false
	}
	nameOff, _ := i32(t.functab, f+funcNameOff)
	name, ok = cstring(t.funcnametab, int64(nameOff))
	if !ok {
		return "", 0, false
	}
	return name, entry, true
}

// Line returns the source file and line of the instruction at pc, as
// runtime.(*Func).FileLine does: for inlined code, the position in the
// inlined function. The file name is a view into the table. It reports
// false if pc is not in the table's text or the function has no (or a
// malformed) line table there.
func (t *Table) Line(pc uintptr) (file string, line int, ok bool) {
	f, entry, ok := t.findFunc(pc)
	if !ok {
		return "", 0, false
	}
	pcfile, _ := u32(t.functab, f+funcPcfileOff)
	pcln, _ := u32(t.functab, f+funcPclnOff)
	cu, _ := u32(t.functab, f+funcCuOff)
	fileno, ok := t.pcvalue(pcfile, entry, pc)
	if !ok || fileno < 0 || cu == ^uint32(0) {
		return "", 0, false
	}
	ln, ok := t.pcvalue(pcln, entry, pc)
	if !ok || ln < 0 {
		return "", 0, false
	}
	fileOff, ok := u32(t.cutab, 4*(int64(cu)+int64(fileno)))
	if !ok || fileOff == ^uint32(0) {
		return "", 0, false
	}
	file, ok = cstring(t.filetab, int64(fileOff))
	if !ok {
		return "", 0, false
	}
	return file, int(ln), true
}

// findFunc returns the offset in functab of the _func record of the
// function containing pc, and the function's entry address.
func (t *Table) findFunc(pc uintptr) (f int64, entry uintptr, ok bool) {
	if t == nil || t.nfunc == 0 || pc < t.text {
		return 0, 0, false
	}
	off := uint64(pc - t.text)
	end, _ := u32(t.functab, int64(t.nfunc)*ftabEntryLen)
	if off >= uint64(end) {
		return 0, 0, false
	}
	// Find the first entry past off; the one before it contains pc.
	lo, hi := 0, t.nfunc
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		e, _ := u32(t.functab, int64(mid)*ftabEntryLen)
		if uint64(e) <= off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return 0, 0, false // before the first function
	}
	i := int64(lo-1) * ftabEntryLen
	e, _ := u32(t.functab, i)
	funcoff, _ := u32(t.functab, i+4)
	f = int64(funcoff)
	// The record must be in the table and agree with the functab.
	if f+funcLen > int64(len(t.functab)) {
		return 0, 0, false
	}
	if fe, _ := u32(t.functab, f+funcEntryOff); fe != e {
		return 0, 0, false
	}
	return f, t.text + uintptr(e), true
}

// pcvalue decodes the pc-value table at off in pctab for the function at
// entry and returns its value at targetpc. A table is a sequence of
// (value delta, pc delta) varint pairs, the value delta zig-zag encoded,
// starting from value -1 at entry and ending with a zero value delta
// (which is allowed as the first delta). Each pair covers the PCs up to
// the new pc; see runtime.pcvalue and runtime.step.
func (t *Table) pcvalue(off uint32, entry, targetpc uintptr) (int32, bool) {
	if off == 0 || uint64(off) >= uint64(len(t.pctab)) {
		return 0, false // no table
	}
	p := t.pctab[off:]
	pc := entry
	val := int32(-1)
	// Every step reads at least two bytes, so this ends.
	for i := 0; i < len(p); {
		uv, n := uvarint(p[i:])
		if n == 0 || uv == 0 && pc != entry {
			return 0, false // malformed, or the end before targetpc
		}
		i += n
		val += int32(-(uv & 1) ^ (uv >> 1))
		pcdelta, n := uvarint(p[i:])
		if n == 0 {
			return 0, false
		}
		i += n
		pc += uintptr(pcdelta) * minLC
		if targetpc < pc {
			return val, true
		}
	}
	return 0, false
}

// uvarint decodes an unsigned LEB128 value of at most 32 bits from p and
// returns it and its length, or length 0 if p does not hold one.
func uvarint(p []byte) (uint32, int) {
	var v uint32
	for i := 0; i < len(p) && i < 5; i++ {
		b := p[i]
		v |= uint32(b&0x7F) << (7 * i)
		if b&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// cstring returns the NUL-terminated string at off in b, without copying.
func cstring(b []byte, off int64) (string, bool) {
	if off < 0 || off >= int64(len(b)) {
		return "", false
	}
	s := b[off:]
	for n := 0; n < len(s); n++ {
		if s[n] == 0 {
			if n == 0 {
				return "", true
			}
			return unsafe.String(&s[0], n), true
		}
	}
	return "", false
}

// u32 reads a little-endian uint32 at off in b; zero and false if it is
// not all in b.
func u32(b []byte, off int64) (uint32, bool) {
	if off < 0 || off > int64(len(b))-4 {
		return 0, false
	}
	b = b[off : off+4]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24, true
}

func i32(b []byte, off int64) (int32, bool) {
	v, ok := u32(b, off)
	return int32(v), ok
}

// u64 reads a little-endian uint64 at off in b; zero and false if it is
// not all in b.
func u64(b []byte, off int) (uint64, bool) {
	lo, ok1 := u32(b, int64(off))
	hi, ok2 := u32(b, int64(off)+4)
	return uint64(lo) | uint64(hi)<<32, ok1 && ok2
}

// funcPcspOff is the offset of _func.pcsp, the table of SP deltas.
const funcPcspOff = 16

// FrameSize returns how far the function containing pc has moved SP
// below its entry SP (not counting the return address the CALL pushed)
// when it is about to execute pc, as runtime.funcspdelta does: the
// return address of the call that entered the function is at SP plus
// this size. It reports false if pc is not in the table's text or the
// function has no (or a malformed) SP table there.
func (t *Table) FrameSize(pc uintptr) (int, bool) {
	f, entry, ok := t.findFunc(pc)
	if !ok {
		return 0, false
	}
	pcsp, _ := u32(t.functab, f+funcPcspOff)
	if pcsp == 0 {
		// No table: the linker omits it for a function that never
		// moves SP, but a zero offset is also what a missing table
		// looks like; both mean "no frame" to the runtime.
		return 0, true
	}
	d, ok := t.pcvalue(pcsp, entry, pc)
	if !ok || d < 0 {
		return 0, false
	}
	return int(d), true
}

// Text returns the bounds of the code the table describes: from
// runtime.text to the end of the last function.
func (t *Table) Text() (start, end uintptr) {
	if t == nil || t.nfunc == 0 {
		return 0, 0
	}
	e, _ := u32(t.functab, int64(t.nfunc)*ftabEntryLen)
	return t.text, t.text + uintptr(e)
}
