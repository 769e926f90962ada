package image

import "errors"

// Errors that RewritePVHNote and Verify wrap; each message adds the
// details. Test with errors.Is.
var (
	ErrNotELF        = errors.New("not a valid ELF file")
	ErrNotELF64      = errors.New("not a 64-bit little-endian ELF file")
	ErrWrongMachine  = errors.New("not an x86-64 ELF file")
	ErrNotExecutable = errors.New("not an executable ELF file")
	ErrNoPVHNote     = errors.New("no valid PVH entry note")
	ErrEntryRange    = errors.New("entry point outside the PVH range")
	ErrEntryNotText  = errors.New("entry point outside executable code")
	ErrBadLoad       = errors.New("loadable segment a PVH loader cannot place")
)
