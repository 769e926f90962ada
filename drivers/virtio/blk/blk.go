// Package virtioblk drives a virtio block device (VIRTIO 1.2 §5.2) over
// any virtio transport: virtio-mmio (microvm, Firecracker) or virtio-pci,
// modern or legacy, signalling with MSI-X or an interrupt line. It reads
// the disk's geometry from the configuration space and moves data with
// requests on the device's one request queue; many requests are in
// flight at once, from any number of goroutines, and complete from a
// goroutine that waits for the device's interrupt.
//
// Negotiated when offered (§5.2.3): VIRTIO_BLK_F_SIZE_MAX and
// VIRTIO_BLK_F_SEG_MAX (the limits on a request's data segments),
// VIRTIO_BLK_F_BLK_SIZE (the logical block size), VIRTIO_BLK_F_FLUSH
// (the device has a write cache that VIRTIO_BLK_T_FLUSH empties),
// VIRTIO_BLK_F_RO, VIRTIO_BLK_F_TOPOLOGY, VIRTIO_BLK_F_DISCARD and
// VIRTIO_BLK_F_WRITE_ZEROES. Not negotiated: VIRTIO_BLK_F_MQ (one queue
// is enough for now), VIRTIO_BLK_F_CONFIG_WCE (the cache mode stays the
// device's), VIRTIO_BLK_F_GEOMETRY, VIRTIO_BLK_F_LIFETIME,
// VIRTIO_BLK_F_SECURE_ERASE, VIRTIO_BLK_F_ZONED, VIRTIO_F_EVENT_IDX and
// VIRTIO_F_INDIRECT_DESC.
//
// # Requests
//
// A request (§5.2.6) is one descriptor chain: a 16-byte header the
// device reads (type, reserved, sector), the data segments (read by the
// device for a write, written by it for a read), and a status byte the
// device writes. Header and status have descriptors of their own, as
// legacy devices without VIRTIO_F_ANY_LAYOUT require (§5.2.6.3). The
// data passes through DMA memory of the driver's: callers' buffers are
// ordinary Go memory, whose physical addresses the driver cannot know,
// so a write copies them in and a read copies them out. Each of a fixed
// number of request slots owns a DMA buffer and a share of the queue's
// descriptors, so a request that holds a slot always fits in the queue;
// a caller waits for a free slot when all are in flight. A large read or
// write is cut into requests of at most MaxTransfer bytes, each of as
// many segments as size_max and seg_max allow, and up to all the slots
// carry one caller's requests at once.
//
// Alignment: offsets and lengths of ReadAt, WriteAt, Discard and
// WriteZeroes must be multiples of BlockSize: blk_size if the device
// gives one, else the protocol's 512-byte sector (§5.2.5: the sector is
// always 512 bytes; a device with larger logical blocks, as QEMU's
// logical_block_size=4096, refuses requests that do not cover whole
// blocks). Nothing may reach past Capacity.
//
// Durability: a device that negotiated VIRTIO_BLK_F_FLUSH may keep
// completed writes in a volatile cache until a VIRTIO_BLK_T_FLUSH
// completes; Flush sends one. Without the feature the device writes
// through (§5.2.5), and Flush has nothing to do.
//
// Trap context: none; the driver runs in goroutines.
package virtioblk

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coracle-os/coracle/drivers/virtio"
	"github.com/coracle-os/coracle/drivers/virtio/virtq"
	"github.com/coracle-os/coracle/kernel/sysgo"
)

// Feature bits (§5.2.3).
const (
	VIRTIO_BLK_F_SIZE_MAX     = 1  // size_max: the largest data segment, in bytes
	VIRTIO_BLK_F_SEG_MAX      = 2  // seg_max: the most data segments in a request
	VIRTIO_BLK_F_GEOMETRY     = 4  // geometry: cylinders, heads, sectors
	VIRTIO_BLK_F_RO           = 5  // the device is read-only
	VIRTIO_BLK_F_BLK_SIZE     = 6  // blk_size: the logical block size
	VIRTIO_BLK_F_FLUSH        = 9  // VIRTIO_BLK_T_FLUSH (legacy name VIRTIO_BLK_F_WCE)
	VIRTIO_BLK_F_TOPOLOGY     = 10 // topology: physical blocks and I/O sizes
	VIRTIO_BLK_F_CONFIG_WCE   = 11 // writeback: the cache mode, writable
	VIRTIO_BLK_F_MQ           = 12 // num_queues: more than one request queue
	VIRTIO_BLK_F_DISCARD      = 13 // VIRTIO_BLK_T_DISCARD
	VIRTIO_BLK_F_WRITE_ZEROES = 14 // VIRTIO_BLK_T_WRITE_ZEROES
)

// supported are the features Open accepts when the device offers them.
const supported = 1<<VIRTIO_BLK_F_SIZE_MAX | 1<<VIRTIO_BLK_F_SEG_MAX | 1<<VIRTIO_BLK_F_RO |
	1<<VIRTIO_BLK_F_BLK_SIZE | 1<<VIRTIO_BLK_F_FLUSH | 1<<VIRTIO_BLK_F_TOPOLOGY |
	1<<VIRTIO_BLK_F_DISCARD | 1<<VIRTIO_BLK_F_WRITE_ZEROES

// Offsets in struct virtio_blk_config (§5.2.4). 64-bit fields are read
// as two 32-bit halves, as the transports require (§4.1.3.1, §4.2.2.2).
const (
	configCapacity          = 0  // le64, in 512-byte sectors
	configSizeMax           = 8  // le32, with VIRTIO_BLK_F_SIZE_MAX
	configSegMax            = 12 // le32, with VIRTIO_BLK_F_SEG_MAX
	configBlkSize           = 20 // le32, with VIRTIO_BLK_F_BLK_SIZE
	configPhysicalBlockExp  = 24 // u8, with VIRTIO_BLK_F_TOPOLOGY
	configAlignmentOffset   = 25 // u8
	configMinIOSize         = 26 // le16
	configOptIOSize         = 28 // le32
	configMaxDiscardSectors = 36 // le32, with VIRTIO_BLK_F_DISCARD
	configMaxDiscardSeg     = 40 // le32
	configDiscardAlignment  = 44 // le32
	configMaxZeroesSectors  = 48 // le32, with VIRTIO_BLK_F_WRITE_ZEROES
	configMaxZeroesSeg      = 52 // le32
)

// SectorSize is the unit of the protocol's sector numbers and of
// capacity, whatever the device's block size (§5.2.4, §5.2.6).
const SectorSize = 512

// Sizes the driver chooses.
const (
	requestq  = 0
	queueSize = 256 // QEMU's default queue-size for virtio-blk
	// maxSlots is how many requests may be in flight; fewer if the
	// queue is too small to give each at least three descriptors.
	maxSlots = 32
	// MaxTransfer is the most data one request carries: the size of a
	// slot's DMA buffer. Larger reads and writes take several requests.
	MaxTransfer = 64 << 10
	// maxBlockSize bounds blk_size: a device reporting more is broken.
	maxBlockSize = 64 << 10
)

// Errors. Requests wrap them with details; test with errors.Is. The
// comment after each names the errno a system call reports for it.
var (
	// ErrReadOnly: a write, discard or write-zeroes on a device that
	// offers VIRTIO_BLK_F_RO. Nothing is sent to the device. (EROFS)
	ErrReadOnly = errors.New("virtioblk: device is read-only")
	// ErrUnaligned: an offset or length that is not a multiple of
	// BlockSize, or a negative one. (EINVAL)
	ErrUnaligned = errors.New("virtioblk: offset or length not a multiple of the block size")
	// ErrRange: a request that reaches past Capacity. (EINVAL)
	ErrRange = errors.New("virtioblk: beyond the end of the device")
	// ErrIO: the device answered VIRTIO_BLK_S_IOERR, or a status it
	// should not have. (EIO)
	ErrIO = errors.New("virtioblk: I/O error")
	// ErrUnsupported: the device answered VIRTIO_BLK_S_UNSUPP, or the
	// operation needs a feature it did not offer. (EOPNOTSUPP)
	ErrUnsupported = errors.New("virtioblk: operation not supported by the device")
	// ErrBroken: the device returned something impossible in the
	// request queue; the driver stopped using it. (EIO)
	ErrBroken = errors.New("virtioblk: device broke the virtqueue protocol")
	// ErrClosed: the device was closed. (EIO)
	ErrClosed = errors.New("virtioblk: device closed")
)

// Topology is the device's struct virtio_blk_topology (§5.2.4), which
// says how to lay data out for the best performance.
type Topology struct {
	PhysicalBlockExp uint8  // log2 of logical blocks per physical block
	AlignmentOffset  uint8  // the first logical block aligned to a physical one
	MinIOSize        uint16 // suggested minimum I/O size, in logical blocks
	OptIOSize        uint32 // optimal (suggested maximum) I/O size, in logical blocks
}

// Interrupts says how the device interrupts.
type Interrupts struct {
	// LineFlags says how an interrupt line signals (devcall.IRQLevel for
	// virtio-mmio and PCI INTx).
	LineFlags int
	// NoMSIX keeps a PCI device that has MSI-X on its INTx line.
	NoMSIX bool
}

// Device is an open virtio block device. Its methods are safe for
// concurrent use.
type Device struct {
	dev      virtio.Device
	t        virtio.Transport
	features uint64
	irq      waiter
	irqDesc  string

	capacity    atomic.Int64 // bytes; changes with a configuration interrupt
	blockSize   int64
	topology    Topology
	maxTransfer int64 // data bytes per request: a multiple of blockSize
	segSize     int64 // bytes per data segment
	segs        int   // data segments a slot's request may use
	maxDiscard  int64 // bytes per discard request
	maxZeroes   int64 // bytes per write-zeroes request

	slots []slot
	free  chan int      // indices of free slots
	dead  chan struct{} // closed when the device can take no more requests

	mu     sync.Mutex // guards the fields below and the queue's driver side
	q      virtq.Queue
	slotOf []int // descriptor head -> slot
	closed bool  // Close was called: no new requests
	err    error // why dead was closed
}

// Open initialises dev, which must be a block device, and starts the
// goroutine that completes its requests. A modern PCI device with MSI-X
// signals with a message unless irq.NoMSIX; any other uses its
// interrupt line.
func Open(dev virtio.Device, irq Interrupts) (*Device, error) {
	return open(dev, irq, kernelPlatform{})
}

// open is Open on platform p.
func open(dev virtio.Device, irq Interrupts, p platform) (*Device, error) {
	if dev.Type != virtio.Block {
		return nil, fmt.Errorf("virtioblk: %v is not a block device", dev)
	}
	d := &Device{dev: dev, t: dev.Transport, dead: make(chan struct{})}
	w, desc, err := p.openMSIX(dev, irq)
	if err != nil {
		return nil, fmt.Errorf("virtioblk: %v: %w", dev, err)
	}
	d.irq, d.irqDesc = w, desc
	features, err := virtio.Init(d.t, supported, func(f uint64) error { return d.setup(f, p) })
	if err != nil {
		if d.irq != nil {
			d.irq.Close()
		}
		return nil, fmt.Errorf("virtioblk: %v: %w", dev, err)
	}
	d.features = features
	if d.irq == nil {
		if dev.IRQ < 0 {
			virtio.Reset(d.t)
			return nil, fmt.Errorf("virtioblk: %v has no interrupt line", dev)
		}
		if d.irq, err = p.openLine(dev.IRQ, irq.LineFlags); err != nil {
			virtio.Reset(d.t)
			return nil, fmt.Errorf("virtioblk: %v: %w", dev, err)
		}
		if dev.PCI != nil {
			d.irqDesc = fmt.Sprintf("INTx irq %d", dev.IRQ)
		}
	}
	sysgo.Go(d.run)
	return d, nil
}

// config is what setup reads from the configuration space; fields whose
// feature was not negotiated are left zero.
type config struct {
	capacity                  uint64
	sizeMax, segMax, blkSize  uint32
	topology                  Topology
	maxDiscard, maxDiscardSeg uint32
	discardAlignment          uint32
	maxZeroes, maxZeroesSeg   uint32
}

// readConfig reads the fields features make valid, consistently.
func readConfig(t virtio.Transport, features uint64) (config, error) {
	has := func(bit int) bool { return features&(1<<bit) != 0 }
	return virtio.ReadConfig(t, func(r virtio.Registers) (c config) {
		c.capacity = uint64(r.Read32(configCapacity)) | uint64(r.Read32(configCapacity+4))<<32
		if has(VIRTIO_BLK_F_SIZE_MAX) {
			c.sizeMax = r.Read32(configSizeMax)
		}
		if has(VIRTIO_BLK_F_SEG_MAX) {
			c.segMax = r.Read32(configSegMax)
		}
		if has(VIRTIO_BLK_F_BLK_SIZE) {
			c.blkSize = r.Read32(configBlkSize)
		}
		if has(VIRTIO_BLK_F_TOPOLOGY) {
			c.topology = Topology{
				PhysicalBlockExp: r.Read8(configPhysicalBlockExp),
				AlignmentOffset:  r.Read8(configAlignmentOffset),
				MinIOSize:        r.Read16(configMinIOSize),
				OptIOSize:        r.Read32(configOptIOSize),
			}
		}
		if has(VIRTIO_BLK_F_DISCARD) {
			c.maxDiscard = r.Read32(configMaxDiscardSectors)
			c.maxDiscardSeg = r.Read32(configMaxDiscardSeg)
			c.discardAlignment = r.Read32(configDiscardAlignment)
		}
		if has(VIRTIO_BLK_F_WRITE_ZEROES) {
			c.maxZeroes = r.Read32(configMaxZeroesSectors)
			c.maxZeroesSeg = r.Read32(configMaxZeroesSeg)
		}
		return c
	})
}

// setup reads the configuration, checks it, and sets up the request
// queue and the slots' DMA memory. It runs inside virtio.Init, before
// DRIVER_OK (§3.1.1 step 7).
func (d *Device) setup(features uint64, p platform) error {
	c, err := readConfig(d.t, features)
	if err != nil {
		return err
	}
	d.blockSize = SectorSize
	if features&(1<<VIRTIO_BLK_F_BLK_SIZE) != 0 {
		b := int64(c.blkSize)
		if b < SectorSize || b > maxBlockSize || b&(b-1) != 0 {
			return fmt.Errorf("block size %d is not a power of two from %d to %d", b, SectorSize, maxBlockSize)
		}
		d.blockSize = b
	}
	if c.capacity >= 1<<(63-9) {
		return fmt.Errorf("capacity of %d sectors", c.capacity)
	}
	d.capacity.Store(int64(c.capacity) * SectorSize)
	d.topology = c.topology
	d.maxDiscard = requestLimit(c.maxDiscard, d.blockSize)
	d.maxZeroes = requestLimit(c.maxZeroes, d.blockSize)

	size, err := d.t.QueueSize(requestq, queueSize)
	if err != nil {
		return err
	}
	// Every slot gets the same share of descriptors, at least three:
	// header, one data segment (or a discard range), status.
	nslots := min(maxSlots, int(size)/3)
	if nslots == 0 {
		return fmt.Errorf("queue of %d descriptors cannot hold a request", size)
	}
	d.segs = int(size)/nslots - 2
	if features&(1<<VIRTIO_BLK_F_SEG_MAX) != 0 {
		// seg_max counts data segments only; 0 would allow none,
		// which no device means: take it as 1.
		d.segs = min(d.segs, max(int(c.segMax), 1))
	}
	d.segSize = MaxTransfer
	if features&(1<<VIRTIO_BLK_F_SIZE_MAX) != 0 && c.sizeMax != 0 {
		d.segSize = min(d.segSize, int64(c.sizeMax))
	}
	d.maxTransfer = min(MaxTransfer, int64(d.segs)*d.segSize) / d.blockSize * d.blockSize
	if d.maxTransfer == 0 {
		return fmt.Errorf("%d segments of at most %d bytes cannot carry a block of %d", d.segs, d.segSize, d.blockSize)
	}

	_, _, _, ringBytes := virtq.Layout(size, d.t.Legacy())
	ring, ringPhys, err := p.allocDMA(ringBytes)
	if err != nil {
		return err
	}
	mem := virtq.Memory{Virt: addressOf(ring), Phys: ringPhys, Size: ringBytes}
	if err := d.q.Init(mem, size, d.t.Legacy(), false); err != nil {
		return err
	}
	desc, driver, device := d.q.Areas()
	if err := d.t.SetupQueue(requestq, size, virtio.QueueAddrs{Desc: desc, Driver: driver, Device: device}); err != nil {
		return err
	}
	d.slotOf = make([]int, size)
	return d.allocSlots(nslots, p)
}

// requestLimit is the most bytes one discard or write-zeroes request
// covers: max_*_sectors (0, or no feature: the field's own limit), in
// whole blocks.
func requestLimit(sectors uint32, blockSize int64) int64 {
	n := int64(sectors)
	if n == 0 {
		n = 1<<32 - 1
	}
	return n * SectorSize / blockSize * blockSize
}

// Capacity is the size of the device in bytes. It follows resizes the
// device announces with a configuration change interrupt (INTx and
// virtio-mmio; MSI-X signals none).
func (d *Device) Capacity() int64 { return d.capacity.Load() }

// BlockSize is the unit of alignment for offsets and lengths: blk_size,
// or SectorSize if the device gives none.
func (d *Device) BlockSize() int64 { return d.blockSize }

// ReadOnly reports whether the device is read-only (VIRTIO_BLK_F_RO).
func (d *Device) ReadOnly() bool { return d.has(VIRTIO_BLK_F_RO) }

// CanFlush reports whether the device has a write cache that Flush
// empties (VIRTIO_BLK_F_FLUSH); without one it writes through.
func (d *Device) CanFlush() bool { return d.has(VIRTIO_BLK_F_FLUSH) }

// CanDiscard and CanWriteZeroes report whether Discard and WriteZeroes
// work (VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_WRITE_ZEROES).
func (d *Device) CanDiscard() bool     { return d.has(VIRTIO_BLK_F_DISCARD) }
func (d *Device) CanWriteZeroes() bool { return d.has(VIRTIO_BLK_F_WRITE_ZEROES) }

// Topology returns the device's topology, if it gives one
// (VIRTIO_BLK_F_TOPOLOGY).
func (d *Device) Topology() (Topology, bool) { return d.topology, d.has(VIRTIO_BLK_F_TOPOLOGY) }

// MaxTransfer is the most bytes one request carries; ReadAt and WriteAt
// cut larger ones up.
func (d *Device) MaxTransfer() int64 { return d.maxTransfer }

// Features returns the negotiated feature bits.
func (d *Device) Features() uint64 { return d.features }

func (d *Device) has(bit int) bool { return d.features&(1<<bit) != 0 }

// String describes the device: where it is, how it interrupts, its size,
// block size and what it can do, as
//
//	virtio-block at MMIO 0xfeb00000 irq 12, 1073741824 bytes, 512-byte blocks, flush, discard, write-zeroes
func (d *Device) String() string {
	s := d.dev.String()
	if d.irqDesc != "" {
		s += ", " + d.irqDesc
	}
	s += fmt.Sprintf(", %d bytes, %d-byte blocks", d.Capacity(), d.blockSize)
	for _, f := range []struct {
		bit  int
		name string
	}{{VIRTIO_BLK_F_RO, "read-only"}, {VIRTIO_BLK_F_FLUSH, "flush"}, {VIRTIO_BLK_F_DISCARD, "discard"}, {VIRTIO_BLK_F_WRITE_ZEROES, "write-zeroes"}} {
		if d.has(f.bit) {
			s += ", " + f.name
		}
	}
	return s
}
