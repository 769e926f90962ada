// Package virtionet drives a virtio network device (VIRTIO 1.2 §5.1) over
// any virtio transport: it sends and receives Ethernet frames through a
// receive queue kept full of buffers and a transmit queue, with the
// device's interrupt delivered as a readable descriptor (kernel/devio).
//
// Negotiated when offered (§5.1.3): VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS,
// VIRTIO_F_VERSION_1 on modern devices, and the transmit offloads
// VIRTIO_NET_F_CSUM (the device finishes transport checksums) and
// VIRTIO_NET_F_HOST_TSO4/6 (it cuts large TCP frames into segments).
// QEMU offers the offloads when its backend can do them (a tap device,
// not user networking). Nothing is offloaded on receive, and there are no
// mergeable receive buffers: every receive buffer holds a whole frame.
//
// Trap context: none. The driver runs in goroutines (docs/network.md).
package virtionet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unsafe"

	"github.com/coracle-os/coracle/drivers/virtio"
	"github.com/coracle-os/coracle/drivers/virtio/virtq"
	"github.com/coracle-os/coracle/kernel/devio"
)

// Feature bits and configuration layout (§5.1.3, §5.1.4).
const (
	VIRTIO_NET_F_CSUM      = 0
	VIRTIO_NET_F_MAC       = 5
	VIRTIO_NET_F_HOST_TSO4 = 11
	VIRTIO_NET_F_HOST_TSO6 = 12
	VIRTIO_NET_F_STATUS    = 16

	configMAC    = 0 // mac[6]
	configStatus = 6 // le16, with VIRTIO_NET_F_STATUS

	VIRTIO_NET_S_LINK_UP = 1

	receiveq  = 0
	transmitq = 1

	// Header sizes (§5.1.6): struct virtio_net_hdr is 10 bytes on
	// legacy devices without mergeable buffers, 12 with VERSION_1.
	legacyHeaderSize = 10
	modernHeaderSize = 12

	// MaxFrame is the largest Ethernet frame without a VLAN tag or FCS
	// that the device may hand over (MTU 1500 + 14 header); buffers are
	// sized for it.
	MaxFrame   = 1514
	bufferSize = 2048
	queueSize  = 256

	// With segmentation offload a frame may carry up to MaxGSO bytes
	// of TCP payload (plus headers), in one of gsoSlots transmit
	// buffers of gsoBufferSize.
	MaxGSO        = 64000
	gsoBufferSize = 64 << 10
	gsoSlots      = 32
)

// ErrFrameSize is returned for a frame larger than MaxFrame or smaller
// than an Ethernet header.
var ErrFrameSize = errors.New("virtionet: frame size out of range")

// Device is one virtio-net device, ready to send and receive.
type Device struct {
	dev      virtio.Device
	t        virtio.Transport
	features uint64
	hdrLen   int
	mac      [6]byte
	irq      *os.File

	rx, tx       virtq.Queue
	rxMem, txMem []byte // bufferSize per descriptor, DMA memory
	rxPhys       uint64
	txPhys       uint64

	// rxSlot and txSlot map a descriptor chain's head to the buffer
	// slot it carries: the queue picks heads, the driver picks slots.
	rxSlot []uint16
	// txBufSize is the size of a transmit buffer slot: bufferSize, or
	// gsoBufferSize when the device segments.
	txBufSize int
	txMu      sync.Mutex
	txFree    []uint16 // free transmit buffer slots; guarded by txMu
	txSlot    []uint16 // guarded by txMu
}

// Open initialises dev and starts its queues. irqFlags says how the
// interrupt line signals (devio.IRQLevel for virtio-mmio and PCI INTx).
func Open(dev virtio.Device, irqFlags int) (*Device, error) {
	if dev.Type != virtio.Net {
		return nil, fmt.Errorf("virtionet: %v is not a network device", dev)
	}
	d := &Device{t: dev.Transport, dev: dev}
	d.hdrLen = modernHeaderSize
	if d.t.Legacy() {
		d.hdrLen = legacyHeaderSize
	}
	supported := uint64(1<<VIRTIO_NET_F_MAC | 1<<VIRTIO_NET_F_STATUS |
		1<<VIRTIO_NET_F_CSUM | 1<<VIRTIO_NET_F_HOST_TSO4 | 1<<VIRTIO_NET_F_HOST_TSO6)
	features, err := virtio.Init(d.t, supported, d.setupQueues)
	if err != nil {
		return nil, fmt.Errorf("virtionet: %v: %w", dev, err)
	}
	d.features = features
	if features&(1<<VIRTIO_NET_F_MAC) != 0 {
		d.mac, _ = virtio.ReadConfig(d.t, func(r virtio.Registers) (m [6]byte) {
			for i := range m {
				m[i] = r.Read8(configMAC + uint32(i))
			}
			return m
		})
	}
	if dev.IRQ < 0 {
		return nil, fmt.Errorf("virtionet: %v has no interrupt line", dev)
	}
	if d.irq, err = devio.OpenIRQ(dev.IRQ, irqFlags); err != nil {
		return nil, fmt.Errorf("virtionet: %v: %w", dev, err)
	}
	d.fillReceive()
	return d, nil
}

// setupQueues lays out both queues and their buffers in DMA memory.
func (d *Device) setupQueues(features uint64) error {
	var err error
	if d.rxMem, d.rxPhys, err = d.setupQueue(receiveq, &d.rx, bufferSize, 0); err != nil {
		return err
	}
	slots := 0 // one per descriptor
	d.txBufSize = bufferSize
	if features&(1<<VIRTIO_NET_F_CSUM) != 0 && features&(1<<VIRTIO_NET_F_HOST_TSO4|1<<VIRTIO_NET_F_HOST_TSO6) != 0 {
		d.txBufSize, slots = gsoBufferSize, gsoSlots
	}
	if d.txMem, d.txPhys, err = d.setupQueue(transmitq, &d.tx, d.txBufSize, slots); err != nil {
		return err
	}
	for i := range len(d.txMem) / d.txBufSize {
		d.txFree = append(d.txFree, uint16(i))
	}
	d.rxSlot = make([]uint16, d.rx.Size())
	d.txSlot = make([]uint16, d.tx.Size())
	// Sent buffers are reclaimed by the next Send and after each
	// receive pass: the device need not interrupt for them.
	d.tx.DisableInterrupts()
	return nil
}

// setupQueue sets queue q up with slots buffers of bufSize bytes (slots
// 0: as many as the queue has descriptors).
func (d *Device) setupQueue(q uint16, vq *virtq.Queue, bufSize, slots int) (bufs []byte, bufPhys uint64, err error) {
	size, err := d.t.QueueSize(q, queueSize)
	if err != nil {
		return nil, 0, err
	}
	_, _, _, ringBytes := virtq.Layout(size, d.t.Legacy())
	ring, ringPhys, err := devio.AllocDMA(ringBytes)
	if err != nil {
		return nil, 0, err
	}
	mem := virtq.Memory{Virt: addressOf(ring), Phys: ringPhys, Size: ringBytes}
	if err := vq.Init(mem, size, d.t.Legacy(), false); err != nil {
		return nil, 0, err
	}
	desc, driver, device := vq.Areas()
	if err := d.t.SetupQueue(q, size, virtio.QueueAddrs{Desc: desc, Driver: driver, Device: device}); err != nil {
		return nil, 0, err
	}
	if slots == 0 || slots > int(size) {
		slots = int(size)
	}
	bufs, bufPhys, err = devio.AllocDMA(uint64(slots * bufSize))
	return bufs, bufPhys, err
}

// String describes the device: where it is, its MAC address and the
// offloads it took.
func (d *Device) String() string {
	m := d.mac
	s := fmt.Sprintf("%v, MAC %02x:%02x:%02x:%02x:%02x:%02x", d.dev, m[0], m[1], m[2], m[3], m[4], m[5])
	csum, tso4, tso6 := d.Offloads()
	var offloads []string
	for _, o := range []struct {
		on   bool
		name string
	}{{csum, "checksum"}, {tso4, "TSO4"}, {tso6, "TSO6"}} {
		if o.on {
			offloads = append(offloads, o.name)
		}
	}
	if len(offloads) == 0 {
		offloads = append(offloads, "none")
	}
	return s + ", offloads: " + strings.Join(offloads, " ")
}

// MAC returns the device's MAC address (zero if it offers none).
func (d *Device) MAC() [6]byte { return d.mac }

// LinkUp reports the link status, or true if the device does not report
// one.
func (d *Device) LinkUp() bool {
	if d.features&(1<<VIRTIO_NET_F_STATUS) == 0 {
		return true
	}
	s, _ := virtio.ReadConfig(d.t, func(r virtio.Registers) uint16 { return r.Read16(configStatus) })
	return s&VIRTIO_NET_S_LINK_UP != 0
}

// fillReceive gives every receive buffer to the device.
func (d *Device) fillReceive() {
	for slot := range d.rx.Size() {
		d.postReceive(slot)
	}
	if d.rx.NeedsNotify() {
		d.t.Notify(receiveq)
	}
}

// postReceive hands receive buffer slot to the device.
func (d *Device) postReceive(slot uint16) {
	head, ok := d.rx.Add([]virtq.Buffer{{Phys: d.rxPhys + uint64(slot)*bufferSize, Len: bufferSize, DeviceWrites: true}})
	if ok {
		d.rxSlot[head] = slot
	}
}

// Offloads reports what the device does for Send: finish checksums
// (TxOffload.NeedsCsum), and segment TCP over IPv4 and over IPv6.
func (d *Device) Offloads() (csum, tso4, tso6 bool) {
	csum = d.features&(1<<VIRTIO_NET_F_CSUM) != 0
	gso := d.txBufSize == gsoBufferSize
	return csum, gso && d.features&(1<<VIRTIO_NET_F_HOST_TSO4) != 0, gso && d.features&(1<<VIRTIO_NET_F_HOST_TSO6) != 0
}

// Send transmits one Ethernet frame, the concatenation of parts, with
// the offloads o asks for (only those Offloads reports). It fails with
// ErrFrameSize for a frame that is too small, or too large (MaxFrame; a
// frame to be segmented may be larger), and with an error when every
// transmit buffer is still in flight.
func (d *Device) Send(o TxOffload, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	limit := MaxFrame
	if o.GSOType != VIRTIO_NET_HDR_GSO_NONE {
		limit = d.txBufSize - d.hdrLen
	}
	if n < 14 || n > limit {
		return ErrFrameSize
	}
	d.txMu.Lock()
	defer d.txMu.Unlock()
	d.reclaimTransmit()
	if len(d.txFree) == 0 {
		return errors.New("virtionet: transmit queue full")
	}
	slot := d.txFree[len(d.txFree)-1]
	d.txFree = d.txFree[:len(d.txFree)-1]
	buf := d.txMem[int(slot)*d.txBufSize:][:d.txBufSize]
	putHeader(buf[:d.hdrLen], o)
	off := d.hdrLen
	for _, p := range parts {
		off += copy(buf[off:], p)
	}
	head, ok := d.tx.Add([]virtq.Buffer{{Phys: d.txPhys + uint64(slot)*uint64(d.txBufSize), Len: uint32(off)}})
	if !ok {
		d.txFree = append(d.txFree, slot)
		return errors.New("virtionet: transmit queue full")
	}
	d.txSlot[head] = slot
	if d.tx.NeedsNotify() {
		d.t.Notify(transmitq)
	}
	return nil
}

// reclaimTransmit frees the buffers of frames the device has sent.
// Preconditions: d.txMu is held.
func (d *Device) reclaimTransmit() {
	for {
		head, _, ok := d.tx.Used()
		if !ok {
			return
		}
		d.txFree = append(d.txFree, d.txSlot[head])
	}
}

// Receive calls deliver with every frame that arrives, until the
// interrupt descriptor fails. The frame is only valid during the call.
func (d *Device) Receive(deliver func(frame []byte)) error {
	var count [8]byte
	for {
		d.t.AckInterrupt()
		// No interrupts while the queue is drained: frames that
		// arrive meanwhile are taken in the same pass (§2.7.7).
		d.rx.DisableInterrupts()
		for {
			head, n, ok := d.rx.Used()
			if !ok {
				if d.rx.NeedsNotify() {
					d.t.Notify(receiveq) // once for the buffers given back
				}
				if d.rx.EnableInterrupts() {
					d.rx.DisableInterrupts()
					continue // a frame came in before the device saw the flag
				}
				break
			}
			slot := d.rxSlot[head]
			if int(n) > d.hdrLen {
				buf := d.rxMem[int(slot)*bufferSize:][:bufferSize]
				deliver(buf[d.hdrLen:min(int(n), bufferSize)])
			}
			d.postReceive(slot)
		}
		d.txMu.Lock()
		d.reclaimTransmit()
		d.txMu.Unlock()
		// Wait for the next interrupt; reading re-enables the line.
		if _, err := io.ReadFull(d.irq, count[:]); err != nil {
			return fmt.Errorf("virtionet: waiting for the interrupt: %w", err)
		}
	}
}

// addressOf is the address of DMA memory, which the kernel mapped and the
// garbage collector does not manage.
func addressOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
