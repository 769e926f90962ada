package ext4

import (
	"errors"
	"io"
	"os"
)

// Device is the block device a file system lives on: a virtio-blk disk
// in the guest, an image file on the host. Offsets and lengths are in
// bytes; callers keep them multiples of SectorSize. Flush returns once
// every completed write is on stable storage (virtio-blk's FLUSH); the
// read side never calls WriteAt or Flush, but the journal will.
type Device interface {
	io.ReaderAt
	io.WriterAt
	Flush() error
	// Size is the device's size in bytes.
	Size() int64
	// SectorSize is the device's logical block size in bytes (512 or
	// 4096), the unit of its reads and writes.
	SectorSize() int
}

// FileDevice is a Device over an image file.
type FileDevice struct {
	f    *os.File
	size int64
}

// NewFileDevice returns a Device that reads and writes f, whose size is
// taken now.
func NewFileDevice(f *os.File) (*FileDevice, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return &FileDevice{f: f, size: fi.Size()}, nil
}

func (d *FileDevice) ReadAt(p []byte, off int64) (int, error) {
	n, err := d.f.ReadAt(p, off)
	if n == len(p) {
		err = nil // a read that ends at the end of the file is whole
	}
	return n, err
}

func (d *FileDevice) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > d.size {
		return 0, errors.New("write beyond the end of the device")
	}
	return d.f.WriteAt(p, off)
}

func (d *FileDevice) Flush() error    { return d.f.Sync() }
func (d *FileDevice) Size() int64     { return d.size }
func (d *FileDevice) SectorSize() int { return 512 }
