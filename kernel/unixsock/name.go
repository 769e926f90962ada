package unixsock

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// PathMax is the size of sockaddr_un's sun_path.
const PathMax = linux.UNIX_PATH_MAX

// A Name is a socket's address: none (unbound), a path, or a name in
// the abstract namespace (its first byte 0, every byte significant).
type Name struct {
	b [PathMax]byte
	n uint8
	// path: a path name; otherwise abstract (or none, n == 0).
	path bool
	// ino is a path name's socket inode (0 for abstract names): what
	// connect and sendto find the socket by, since a path reaches the
	// socket through its file.
	ino uint64
}

// PathName is the name of the socket bound at path, whose socket inode
// is ino (path has no NUL and at most PathMax bytes).
func PathName(path []byte, ino uint64) Name {
	var n Name
	n.n = uint8(copy(n.b[:], path))
	n.path, n.ino = true, ino
	return n
}

// AbstractName is the abstract name b (b[0] == 0, at most PathMax
// bytes).
func AbstractName(b []byte) Name {
	var n Name
	n.n = uint8(copy(n.b[:], b))
	return n
}

// Bound reports whether n is a name (not the unbound one).
func (n *Name) Bound() bool { return n.n != 0 }

// Ino is the socket inode of a path name, or 0.
func (n *Name) Ino() uint64 { return n.ino }

// same reports whether n and m name one address.
func (n *Name) same(m *Name) bool {
	if n.path || m.path {
		return n.path && m.path && n.ino != 0 && n.ino == m.ino
	}
	return n.n == m.n && n.b == m.b
}

// SockaddrLen is the length Linux gives the name's sockaddr_un: the
// family alone when unbound, the family and the bytes of an abstract
// name, and the family, the path and its NUL for a path.
func (n *Name) SockaddrLen() int {
	switch {
	case n.n == 0:
		return 2
	case !n.path:
		return 2 + int(n.n)
	}
	return 2 + int(n.n) + 1
}

// PutSockaddr writes the name's sockaddr_un into b, as much as fits, and
// returns its full length (SockaddrLen).
func (n *Name) PutSockaddr(b []byte) int {
	var a [2 + PathMax + 1]byte
	binary.LittleEndian.PutUint16(a[:], linux.AF_UNIX)
	copy(a[2:], n.b[:n.n])
	l := n.SockaddrLen()
	copy(b, a[:l])
	return l
}

// ParseSockaddr decodes the sockaddr_un a (its whole length as given)
// as bind, connect and sendto read it: the family alone (autobind for
// bind), an abstract name, or a path, which ends at its first NUL or at
// the end of a. It returns the path (nil for the others) or the
// abstract name, and EINVAL for a length or family Linux refuses.
func ParseSockaddr(a []byte) (path, abstract []byte, e linux.Errno) {
	if len(a) < 2 || len(a) > 2+PathMax || binary.LittleEndian.Uint16(a) != linux.AF_UNIX {
		return nil, nil, linux.EINVAL
	}
	s := a[2:]
	switch {
	case len(s) == 0:
		return nil, nil, 0
	case s[0] == 0:
		return nil, s, 0
	}
	for i, c := range s {
		if c == 0 {
			return s[:i], nil, 0
		}
	}
	return s, nil, 0
}
