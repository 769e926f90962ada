package symtab

import "unsafe"

// imagePCLNTab returns the bounds of the running image's pclntab: the
// addresses of the linker symbols runtime.pclntab (the start of
// .gopclntab, where the pcHeader is) and runtime.epclntab (its end).
func imagePCLNTab() (start, end uintptr)

// imageText returns the address of the linker symbol runtime.text, which
// the pclntab's function entries are relative to.
func imageText() uintptr

// Image returns a Table over the pclntab of the running image, which must
// be mapped at its link address (as coracle images and ordinary Go
// executables are). It reports false if the table does not validate.
//
// Trap context: safe (no allocation, no lock, no panic).
func Image() (Table, bool) {
	start, end := imagePCLNTab()
	// The table's own offsets are 32-bit; a larger span is not one
	// (and would make unsafe.Slice panic if it were absurdly large).
	if start == 0 || end <= start || end-start > 1<<32 {
		return Table{}, false
	}
	// The table is in the image's read-only data, outside the Go heap.
	p := (*byte)(unsafe.Add(unsafe.Pointer(nil), start))
	return New(unsafe.Slice(p, end-start), imageText())
}
