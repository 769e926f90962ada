// Package cpio reads cpio archives in the "new ASCII" (newc) format, the
// format Linux unpacks as an initramfs: the kernel unpacks the program's
// files, which coracle build packs in this format, into the root file
// system at boot.
//
// Each entry is a 110-byte header ("070701" and thirteen 8-digit
// hexadecimal fields: ino, mode, uid, gid, nlink, mtime, filesize,
// devmajor, devminor, rdevmajor, rdevminor, namesize, check), the name
// with its NUL, zeros to a multiple of 4, the data, zeros to a multiple
// of 4. The entry named "TRAILER!!!" ends the archive. (Facts from
// Linux's Documentation/driver-api/early-userspace/buffer-format.rst and
// cpio(5).)
//
// The reader is strict, because its input comes from outside the
// kernel: every field must be hexadecimal, every name NUL-terminated and
// a clean relative path (no leading "/", no empty, "." or ".."
// component), every entry must lie within the buffer, and only
// directories, regular files and symbolic links are accepted. Owners,
// devices and hard links are not kept: every entry stands alone.
//
// Trap context: none; the reader runs at boot, before the program. It
// does not allocate, so it is also safe before the Go runtime is up.
package cpio

// Header layout.
const (
	headerSize = 110
	Magic      = "070701" // every newc header starts with it
	trailer    = "TRAILER!!!"
)

// Header fields, by index after the magic.
const (
	fieldMode     = 1
	fieldMtime    = 5
	fieldFileSize = 6
	fieldNameSize = 11
)

// File types in an entry's mode (stat(2)'s S_IFMT bits).
const (
	TypeMask    = 0o170000
	TypeDir     = 0o040000
	TypeRegular = 0o100000
	TypeSymlink = 0o120000
)

// PathMax bounds names and symbolic link targets, as PATH_MAX does on
// Linux (include/uapi/linux/limits.h).
const PathMax = 4096

// Entry is one member of an archive. Name and Data alias the archive.
type Entry struct {
	Name  []byte // a clean relative path, without its NUL
	Mode  uint32 // TypeDir, TypeRegular or TypeSymlink, and permission bits
	Mtime uint32 // seconds since the Unix epoch
	Data  []byte // a file's contents or a symbolic link's target
}

// Error says why Next stopped.
type Error uint8

// Next's answers besides 0 (an entry).
const (
	End          Error = iota + 1 // the trailer, or an empty archive
	ErrMagic                      // an entry does not start with "070701"
	ErrHex                        // a header field is not 8 hexadecimal digits
	ErrTruncated                  // an entry runs past the end of the archive
	ErrName                       // a name is empty, unterminated, too long or not clean
	ErrType                       // an entry is not a directory, file or link
	ErrLink                       // a symbolic link's target is empty, too long or holds a NUL
)

// String describes e for a console line.
func (e Error) String() string {
	switch e {
	case End:
		return "end of archive"
	case ErrMagic:
		return "an entry lacks the newc magic 070701"
	case ErrHex:
		return "a header field is not hexadecimal"
	case ErrTruncated:
		return "an entry runs past the end of the archive"
	case ErrName:
		return "a name is empty, absolute, too long or has an empty, . or .. component"
	case ErrType:
		return "an entry is neither a directory, a regular file nor a symbolic link"
	case ErrLink:
		return "a symbolic link's target is empty, too long or holds a NUL"
	}
	return "unknown error"
}

// Reader iterates over the entries of an archive held in memory.
type Reader struct {
	buf  []byte
	off  int
	done Error
}

// NewReader returns a reader of the archive in b.
func NewReader(b []byte) Reader { return Reader{buf: b} }

// Offset is where the next entry starts in the archive.
func (r *Reader) Offset() int { return r.off }

// Next returns the next entry, or End after the trailer, or the error
// that stops the archive. After End or an error it keeps answering the
// same.
func (r *Reader) Next() (Entry, Error) {
	if r.done != 0 {
		return Entry{}, r.done
	}
	e, err := r.next()
	if err != 0 {
		r.done = err
	}
	return e, err
}

func (r *Reader) next() (Entry, Error) {
	if r.off == 0 && len(r.buf) == 0 {
		return Entry{}, End
	}
	rest := r.buf[r.off:]
	if len(rest) < headerSize {
		return Entry{}, ErrTruncated
	}
	if string(rest[:len(Magic)]) != Magic {
		return Entry{}, ErrMagic
	}
	var fields [13]uint32
	for i := range fields {
		v, ok := hex8(rest[len(Magic)+8*i:][:8])
		if !ok {
			return Entry{}, ErrHex
		}
		fields[i] = v
	}
	nameSize, size := int(fields[fieldNameSize]), int(fields[fieldFileSize])
	if nameSize < 2 || nameSize > PathMax {
		return Entry{}, ErrName
	}
	if len(rest)-headerSize < nameSize {
		return Entry{}, ErrTruncated
	}
	name := rest[headerSize : headerSize+nameSize]
	if name[nameSize-1] != 0 {
		return Entry{}, ErrName
	}
	name = name[:nameSize-1]
	dataStart := align4(headerSize + nameSize)
	if dataStart > len(rest) || len(rest)-dataStart < size {
		return Entry{}, ErrTruncated
	}
	data := rest[dataStart : dataStart+size]
	next := dataStart + size
	if string(name) == trailer {
		r.off = len(r.buf)
		return Entry{}, End
	}
	// The padding after the last entry's data may be missing.
	r.off += min(align4(next), len(rest))
	if !clean(name) {
		return Entry{}, ErrName
	}
	e := Entry{Name: name, Mode: fields[fieldMode], Mtime: fields[fieldMtime], Data: data}
	switch e.Mode & TypeMask {
	case TypeDir:
		e.Data = nil
	case TypeRegular:
	case TypeSymlink:
		if len(data) == 0 || len(data) >= PathMax || indexNUL(data) >= 0 {
			return Entry{}, ErrLink
		}
	default:
		return Entry{}, ErrType
	}
	return e, 0
}

// hex8 parses 8 hexadecimal digits (either case).
func hex8(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

func align4(n int) int { return (n + 3) &^ 3 }

// clean reports whether name is a relative path whose components are
// all non-empty, not "." and not "..", and hold no NUL.
func clean(name []byte) bool {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '/' {
			if name[i] == 0 {
				return false
			}
			continue
		}
		c := name[start:i]
		if len(c) == 0 || string(c) == "." || string(c) == ".." {
			return false
		}
		start = i + 1
	}
	return true
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}
