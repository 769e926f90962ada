package disks

import (
	"errors"
	"io"
)

// blockDev is what a disk's device offers: drivers/virtio/blk's Device,
// or an image file in the tests. Offsets and lengths of ReadAt and
// WriteAt must be multiples of BlockSize.
type blockDev interface {
	io.ReaderAt
	io.WriterAt
	Flush() error
	Capacity() int64
	BlockSize() int64
}

// device adapts a blockDev to ext4.Device. fs/ext4 reads file data
// straight into the caller's buffer at any byte offset (a 1-byte file's
// byte, the tail of a file), which a block device cannot do: an access
// that is not aligned to the device's blocks goes through a bounce
// buffer covering the blocks it touches (a write reads them first).
type device struct{ dev blockDev }

func (d device) Size() int64     { return d.dev.Capacity() }
func (d device) SectorSize() int { return int(d.dev.BlockSize()) }
func (d device) Flush() error    { return d.dev.Flush() }

// span returns the block-aligned range that covers n bytes at off.
func (d device) span(off int64, n int) (start, end int64) {
	bs := d.dev.BlockSize()
	start = off - off%bs
	end = off + int64(n)
	if r := end % bs; r != 0 {
		end += bs - r
	}
	return start, end
}

func (d device) aligned(off int64, n int) bool {
	bs := d.dev.BlockSize()
	return off%bs == 0 && int64(n)%bs == 0
}

func (d device) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if d.aligned(off, len(p)) {
		return d.dev.ReadAt(p, off)
	}
	start, end := d.span(off, len(p))
	if end > d.Size() {
		return 0, io.ErrUnexpectedEOF
	}
	buf := make([]byte, end-start)
	if _, err := d.dev.ReadAt(buf, start); err != nil {
		return 0, err
	}
	return copy(p, buf[off-start:]), nil
}

func (d device) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if d.aligned(off, len(p)) {
		return d.dev.WriteAt(p, off)
	}
	start, end := d.span(off, len(p))
	if end > d.Size() {
		return 0, io.ErrShortWrite
	}
	buf := make([]byte, end-start)
	if _, err := d.dev.ReadAt(buf, start); err != nil {
		return 0, err
	}
	copy(buf[off-start:], p)
	if _, err := d.dev.WriteAt(buf, start); err != nil {
		return 0, err
	}
	return len(p), nil
}
