package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync flushes f's data (and the metadata needed to read it) to
// stable storage, as bbolt does after its writes.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
