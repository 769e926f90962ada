package virtioblk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/coracle-os/coracle/drivers/virtio"
)

// arena is the tests' platform: DMA memory is Go memory, page-aligned,
// that the device model reaches through made-up physical addresses, and
// the interrupt is a channel.
type arena struct {
	mu      sync.Mutex
	next    uint64
	regions []dmaRegion
	irq     *fakeIRQ
}

type dmaRegion struct {
	phys uint64
	buf  []byte
}

// arenaBase is the first physical address handed out: far from any
// virtual address, so a mix-up shows.
const arenaBase = 0x3_8000_0000

func newArena() *arena {
	return &arena{next: arenaBase, irq: &fakeIRQ{ch: make(chan struct{}, 1), stop: make(chan struct{})}}
}

func (a *arena) allocDMA(size uint64) ([]byte, uint64, error) {
	size = (size + 4095) &^ 4095
	raw := make([]byte, size+4096)
	off := int(-uintptr(unsafe.Pointer(&raw[0])) & 4095)
	buf := raw[off : off+int(size) : off+int(size)]
	a.mu.Lock()
	defer a.mu.Unlock()
	phys := a.next
	a.next += size + 4096 // a gap: a device that runs over faults
	a.regions = append(a.regions, dmaRegion{phys, buf})
	return buf, phys, nil
}

func (a *arena) openMSIX(virtio.Device, Interrupts) (waiter, string, error) { return nil, "", nil }

func (a *arena) openLine(int, int) (waiter, error) { return a.irq, nil }

// bytes returns the n bytes at physical address phys.
func (a *arena) bytes(phys uint64, n uint64) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.regions {
		if phys >= r.phys && phys+n <= r.phys+uint64(len(r.buf)) && phys+n >= phys {
			o := phys - r.phys
			return r.buf[o : o+n : o+n], nil
		}
	}
	return nil, fmt.Errorf("DMA to %#x+%d, outside any allocation", phys, n)
}

// fakeIRQ is an interrupt line that holds one pending interrupt.
type fakeIRQ struct {
	ch     chan struct{}
	stop   chan struct{}
	closed sync.Once
}

func (w *fakeIRQ) raise() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

func (w *fakeIRQ) Wait() error {
	select {
	case <-w.ch:
		return nil
	case <-w.stop:
		return errors.New("interrupt closed")
	}
}

func (w *fakeIRQ) Close() error {
	w.closed.Do(func() { close(w.stop) })
	return nil
}

// fakeTransport is a virtio transport with a block device behind it,
// modern or legacy: enough of §3.1.1 to satisfy virtio.Init, one queue,
// and a configuration space with a generation count.
type fakeTransport struct {
	legacy   bool
	maxQueue uint16
	offered  uint64

	mu       sync.Mutex
	status   uint8
	accepted uint64
	size     uint16
	addrs    virtio.QueueAddrs
	ready    chan struct{} // closed by SetupQueue

	isr  atomic.Uint32
	kick chan struct{} // one pending notification
	cfg  configSpace

	// onAck, if set, runs inside AckInterrupt.
	onAck atomic.Pointer[func()]
}

func newFakeTransport(legacy bool, offered uint64, maxQueue uint16) *fakeTransport {
	return &fakeTransport{legacy: legacy, offered: offered, maxQueue: maxQueue,
		ready: make(chan struct{}), kick: make(chan struct{}, 1)}
}

var _ virtio.Transport = (*fakeTransport)(nil)

func (f *fakeTransport) Type() virtio.DeviceType { return virtio.Block }
func (f *fakeTransport) Legacy() bool            { return f.legacy }

func (f *fakeTransport) Status() uint8 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fakeTransport) SetStatus(s uint8) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s&(1<<virtio.STATUS_FEATURES_OK) != 0 && f.accepted&^f.DeviceFeatures() != 0 {
		s &^= 1 << virtio.STATUS_FEATURES_OK // features it never offered
	}
	f.status = s
}

func (f *fakeTransport) DeviceFeatures() uint64 {
	if f.legacy {
		return f.offered & (1<<32 - 1)
	}
	return f.offered | 1<<virtio.VIRTIO_F_VERSION_1
}

func (f *fakeTransport) SetDriverFeatures(v uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accepted = v
}

func (f *fakeTransport) QueueSize(q, want uint16) (uint16, error) {
	if q != 0 {
		return 0, virtio.ErrNoQueue
	}
	return min(want, f.maxQueue), nil
}

func (f *fakeTransport) SetupQueue(q, size uint16, a virtio.QueueAddrs) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if q != 0 || size > f.maxQueue {
		return virtio.ErrQueueSize
	}
	f.size, f.addrs = size, a
	close(f.ready)
	return nil
}

func (f *fakeTransport) Notify(q uint16) {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

func (f *fakeTransport) AckInterrupt() uint32 {
	if h := f.onAck.Load(); h != nil {
		(*h)()
	}
	return f.isr.Swap(0)
}

func (f *fakeTransport) ConfigGeneration() uint32 { return f.cfg.gen.Load() }

func (f *fakeTransport) Config() virtio.Registers { return &f.cfg }

// configSpace is struct virtio_blk_config as the device presents it.
type configSpace struct {
	mu  sync.Mutex
	b   [96]byte
	gen atomic.Uint32
}

// update changes the configuration under a new generation.
func (c *configSpace) update(f func(b []byte)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c.b[:])
	c.gen.Add(1)
}

func (c *configSpace) Read8(off uint32) uint8 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b[off]
}

func (c *configSpace) Read16(off uint32) uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return binary.LittleEndian.Uint16(c.b[off:])
}

func (c *configSpace) Read32(off uint32) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return binary.LittleEndian.Uint32(c.b[off:])
}

func (c *configSpace) Write8(uint32, uint8)   {}
func (c *configSpace) Write16(uint32, uint16) {}
func (c *configSpace) Write32(uint32, uint32) {}
