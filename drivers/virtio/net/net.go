// Package virtionet drives a virtio network device (VIRTIO 1.2 §5.1) over
// any virtio transport: it sends and receives Ethernet frames through a
// receive queue kept full of buffers and a transmit queue, with the
// device's interrupt delivered as a readable descriptor (kernel/devio).
//
// Negotiated: VIRTIO_NET_F_MAC and VIRTIO_NET_F_STATUS when offered
// (§5.1.3), VIRTIO_F_VERSION_1 on modern devices. No offloads and no
// mergeable receive buffers: every receive buffer holds a whole frame.
//
// Trap context: none. The driver runs in goroutines (docs/network.md).
package virtionet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"unsafe"

	"github.com/coracle-os/coracle/drivers/virtio"
	"github.com/coracle-os/coracle/drivers/virtio/virtq"
	"github.com/coracle-os/coracle/kernel/devio"
)

// Feature bits and configuration layout (§5.1.3, §5.1.4).
const (
	VIRTIO_NET_F_MAC    = 5
	VIRTIO_NET_F_STATUS = 16

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
)

// ErrFrameSize is returned for a frame larger than MaxFrame or smaller
// than an Ethernet header.
var ErrFrameSize = errors.New("virtionet: frame size out of range")

// Device is one virtio-net device, ready to send and receive.
type Device struct {
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
	txMu   sync.Mutex
	txFree []uint16 // free transmit buffer slots; guarded by txMu
	txSlot []uint16 // guarded by txMu
}

// Open initialises dev and starts its queues. irqFlags says how the
// interrupt line signals (devio.IRQLevel for virtio-mmio and PCI INTx).
func Open(dev virtio.Device, irqFlags int) (*Device, error) {
	if dev.Type != virtio.Net {
		return nil, fmt.Errorf("virtionet: %v is not a network device", dev)
	}
	d := &Device{t: dev.Transport}
	d.hdrLen = modernHeaderSize
	if d.t.Legacy() {
		d.hdrLen = legacyHeaderSize
	}
	supported := uint64(1<<VIRTIO_NET_F_MAC | 1<<VIRTIO_NET_F_STATUS)
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
	if d.rxMem, d.rxPhys, err = d.setupQueue(receiveq, &d.rx); err != nil {
		return err
	}
	if d.txMem, d.txPhys, err = d.setupQueue(transmitq, &d.tx); err != nil {
		return err
	}
	for i := range d.tx.Size() {
		d.txFree = append(d.txFree, i)
	}
	d.rxSlot = make([]uint16, d.rx.Size())
	d.txSlot = make([]uint16, d.tx.Size())
	return nil
}

func (d *Device) setupQueue(q uint16, vq *virtq.Queue) (bufs []byte, bufPhys uint64, err error) {
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
	bufs, bufPhys, err = devio.AllocDMA(uint64(size) * bufferSize)
	return bufs, bufPhys, err
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

// Send transmits one Ethernet frame. It fails with ErrFrameSize for a
// frame that is too large or too small, and with an error when every
// transmit buffer is still in flight.
func (d *Device) Send(frame []byte) error {
	if len(frame) < 14 || len(frame) > MaxFrame {
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
	buf := d.txMem[int(slot)*bufferSize:][:bufferSize]
	clear(buf[:d.hdrLen]) // no checksum or segmentation offload
	n := copy(buf[d.hdrLen:], frame)
	head, ok := d.tx.Add([]virtq.Buffer{{Phys: d.txPhys + uint64(slot)*bufferSize, Len: uint32(d.hdrLen + n)}})
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
		for {
			head, n, ok := d.rx.Used()
			if !ok {
				break
			}
			slot := d.rxSlot[head]
			if int(n) > d.hdrLen {
				buf := d.rxMem[int(slot)*bufferSize:][:bufferSize]
				deliver(buf[d.hdrLen:min(int(n), bufferSize)])
			}
			d.postReceive(slot)
		}
		if d.rx.NeedsNotify() {
			d.t.Notify(receiveq)
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
