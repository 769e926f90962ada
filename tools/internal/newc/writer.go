// Package newc writes cpio archives in the "new ASCII" (newc) format:
// the program's files that coracle build packs into an image (the kernel
// reads them with kernel/cpio), and the initramfs of the Linux guest the
// benchmarks compare with.
//
// Trap context: none; host only.
package newc

import (
	"fmt"
	"io"
)

// File types of a cpio entry's mode (the S_IF* bits of stat(2)).
const (
	cpioDir     = 0o040000
	cpioRegular = 0o100000
	cpioCharDev = 0o020000
	cpioSymlink = 0o120000
)

// trailer names the entry that ends an archive.
const trailer = "TRAILER!!!"

// Writer writes a cpio archive in the "new ASCII" (newc) format, the
// one the Linux kernel unpacks as an initramfs (Documentation/
// driver-api/early-userspace/buffer-format.rst): each entry is a
// 110-byte header of "070701" and thirteen 8-digit hexadecimal fields,
// the NUL-terminated name, padding to a multiple of 4, the data, padding
// to a multiple of 4. Entries are owned by root, dated Mtime, and
// numbered from 1. The first error sticks: Close returns it.
type Writer struct {
	// Mtime is the modification time (seconds since the Unix epoch) of
	// the entries added after it is set; 0 to begin with.
	Mtime uint32

	w   io.Writer
	ino uint32
	err error
}

// NewWriter returns a writer of a newc archive to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Dir adds a directory.
func (c *Writer) Dir(name string, perm uint32) {
	c.entry(name, cpioDir|perm, 2, 0, 0, nil)
}

// File adds a regular file holding data.
func (c *Writer) File(name string, perm uint32, data []byte) {
	c.entry(name, cpioRegular|perm, 1, 0, 0, data)
}

// Symlink adds a symbolic link to target.
func (c *Writer) Symlink(name, target string) {
	c.entry(name, cpioSymlink|0o777, 1, 0, 0, []byte(target))
}

// CharDev adds a character device node.
func (c *Writer) CharDev(name string, perm, major, minor uint32) {
	c.entry(name, cpioCharDev|perm, 1, major, minor, nil)
}

// Close writes the trailer entry and returns the first error. It does
// not close the underlying writer.
func (c *Writer) Close() error {
	c.ino, c.Mtime = 0, 0
	c.entry(trailer, 0, 1, 0, 0, nil)
	return c.err
}

func (c *Writer) entry(name string, mode, nlink, rdevMajor, rdevMinor uint32, data []byte) {
	if c.err != nil {
		return
	}
	ino := uint32(0)
	if name != trailer {
		c.ino++
		ino = c.ino
	}
	header := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		ino, mode, 0, 0, nlink, c.Mtime, len(data),
		0, 0, rdevMajor, rdevMinor, // devmajor, devminor: the archive's own device
		len(name)+1, 0) // namesize counts the NUL; check is 0 in newc
	c.write([]byte(header))
	c.write([]byte(name + "\x00"))
	c.pad(len(header) + len(name) + 1)
	c.write(data)
	c.pad(len(data))
}

// pad writes the zeros that round n up to a multiple of 4.
func (c *Writer) pad(n int) {
	c.write(make([]byte, (4-n%4)%4))
}

func (c *Writer) write(b []byte) {
	if c.err != nil || len(b) == 0 {
		return
	}
	if _, err := c.w.Write(b); err != nil {
		c.err = fmt.Errorf("writing cpio archive: %w", err)
	}
}
