package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// The devices of /dev: character device nodes in the root tmpfs (tmpfs
// Mknod), made at boot with Linux's numbers (Documentation/admin-guide/
// devices.txt, the "mem" major 1) and mode 0666. Opening one gives an
// ordinary fdFile description of the node (so stat, fstat, close and
// descriptor passing need nothing new); read, write and lseek on it are
// served here by device number instead of by tmpfs. The files under
// DIR given to coracle build --files are unpacked afterwards, so they
// may replace a node like any file.
//
// ttyS0 (4,64, mode 0620, as fstat reports descriptors 0-2) is the
// serial console, which /proc/self/fd/0-2 and so /dev/stdin,
// /dev/stdout and /dev/stderr lead to: it reads end of file, as the
// console does, and writes to the console.

// Device numbers, encoded as Linux's new_encode_dev does for numbers
// below 256: major<<8 | minor.
const (
	devMemMajor = 1
	devNull     = devMemMajor<<8 | 3
	devZero     = devMemMajor<<8 | 5
	devFull     = devMemMajor<<8 | 7
	devRandom   = devMemMajor<<8 | 8
	devURandom  = devMemMajor<<8 | 9

	devTTYMajor = 4 // the serial ports are 4,64 on
	devTTYS0    = devTTYMajor<<8 | 64
)

// devNodes are the nodes setupDev makes in /dev.
var devNodes = [...]struct {
	name string
	rdev uint64
	mode uint32
}{
	{"null", devNull, 0o666},
	{"zero", devZero, 0o666},
	{"full", devFull, 0o666},
	{"random", devRandom, 0o666},
	{"urandom", devURandom, 0o666},
	{"ttyS0", devTTYS0, 0o620},
}

// setupDev makes /dev (mode 0755) and its device nodes.
// Boot path.
func setupDev(now int64) {
	dir, e := rootFS.Mkdir(tmpfs.RootIno, []byte("dev"), 0o755, now)
	if e != 0 {
		bootFailure("no memory for /dev")
	}
	for _, n := range devNodes {
		if _, e := rootFS.Mknod(dir, strBytes(n.name), n.mode, n.rdev, now); e != 0 {
			bootFailure("no memory for /dev")
		}
	}
}

// fileDev returns the device number of the node description d is open
// on, and whether it is a device node.
func fileDev(d *openFile) (uint64, bool) {
	a := rootFS.Getattr(fileIno(d))
	return a.Rdev, a.Mode&linux.S_IFMT == linux.S_IFCHR
}

// devRead reads device rdev into b: null reads end of file; zero and
// full read zeros; random and urandom read from the source getrandom
// uses (the CPU's), so reading never blocks, as urandom and, since
// Linux 5.6, random once seeded do; ttyS0 reads end of file, as the
// console does. ENXIO for a number with no device.
func devRead(rdev uint64, b []byte) (int, linux.Errno) {
	switch rdev {
	case devNull:
		return 0, 0
	case devZero, devFull:
		clear(b)
		return len(b), 0
	case devRandom, devURandom:
		if !fillRandom(b) {
			return 0, linux.EIO
		}
		return len(b), 0
	case devTTYS0:
		return 0, 0 // no console input yet: end of file
	}
	return 0, linux.ENXIO
}

// devWrite writes b to device rdev: null, zero, random and urandom take
// everything and keep nothing (Linux's random mixes what is written into
// its pool without crediting entropy; the CPU's source has no pool);
// full answers ENOSPC; ttyS0 writes to the console.
func devWrite(rdev uint64, b []byte) (int, linux.Errno) {
	switch rdev {
	case devNull, devZero, devRandom, devURandom:
		return len(b), 0
	case devFull:
		return 0, linux.ENOSPC
	case devTTYS0:
		console.bytes(b)
		return len(b), 0
	}
	return 0, linux.ENXIO
}

// consoleNode is /dev/ttyS0's inode, if it is still the console's node.
func consoleNode() (tmpfs.Ino, bool) {
	dev, e := rootFS.Lookup(rootFS.Root(), []byte("dev"))
	if e != 0 {
		return 0, false
	}
	n, e := rootFS.Lookup(dev, []byte("ttyS0"))
	if e != 0 {
		return 0, false
	}
	a := rootFS.Getattr(n.Ino)
	return n.Ino, a.Mode&linux.S_IFMT == linux.S_IFCHR && a.Rdev == devTTYS0
}
