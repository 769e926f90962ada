// Package virtionet drives a virtio network device (VIRTIO 1.2 §5.1) over
// any virtio transport: it sends and receives Ethernet frames through a
// receive queue kept full of buffers and a transmit queue, with the
// device's interrupt delivered as a readable descriptor (kernel/abi/devcall).
//
// Negotiated when offered (§5.1.3): VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS,
// VIRTIO_F_VERSION_1 on modern devices, mergeable receive buffers
// (VIRTIO_NET_F_MRG_RXBUF), the transmit offloads VIRTIO_NET_F_CSUM (the
// device finishes transport checksums) and VIRTIO_NET_F_HOST_TSO4/6 (it
// cuts large TCP frames into segments), and the receive offloads
// VIRTIO_NET_F_GUEST_CSUM (the device may deliver frames whose checksum
// is partial, or marked checked) and VIRTIO_NET_F_GUEST_TSO4/6 (it may
// coalesce TCP segments into frames of up to MaxRxFrame bytes). QEMU
// offers the offloads when its backend can do them (a tap device, not
// user networking); it offers mergeable buffers either way.
//
// Receive buffers are 2 KiB each, 256 of them for QEMU's queue size, and
// hold any frame up to MaxFrame with its header. A larger, coalesced
// frame flows over into as many buffers as it needs (§5.1.6.4), which
// the driver copies into one frame (merge.go); so GUEST_TSO4/6 are taken
// only together with mergeable buffers, and a device that offers them
// without is initialised again without them (the alternative, 64 KiB
// buffers, would take 16 MiB of DMA memory). A partial checksum
// (VIRTIO_NET_HDR_F_NEEDS_CSUM) is finished before the frame is
// delivered (checksum.go). The driver checks no checksum and delivers
// frames marked VIRTIO_NET_HDR_F_DATA_VALID like any other: whoever
// receives them checks (net/virtiolink leaves that to netstack).
//
// Trap context: none. The driver runs in goroutines (docs/network.md).
package virtionet

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/coracle-os/coracle/drivers/virtio"
	"github.com/coracle-os/coracle/drivers/virtio/virtq"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
)

// Feature bits and configuration layout (§5.1.3, §5.1.4).
const (
	VIRTIO_NET_F_CSUM       = 0
	VIRTIO_NET_F_GUEST_CSUM = 1
	VIRTIO_NET_F_MAC        = 5
	VIRTIO_NET_F_GUEST_TSO4 = 7
	VIRTIO_NET_F_GUEST_TSO6 = 8
	VIRTIO_NET_F_HOST_TSO4  = 11
	VIRTIO_NET_F_HOST_TSO6  = 12
	VIRTIO_NET_F_MRG_RXBUF  = 15
	VIRTIO_NET_F_STATUS     = 16

	configMAC    = 0 // mac[6]
	configStatus = 6 // le16, with VIRTIO_NET_F_STATUS

	VIRTIO_NET_S_LINK_UP = 1

	receiveq  = 0
	transmitq = 1

	// Header sizes (§5.1.6): struct virtio_net_hdr is 10 bytes on
	// legacy devices without mergeable buffers, 12 with VERSION_1 or
	// VIRTIO_NET_F_MRG_RXBUF (num_buffers).
	legacyHeaderSize = 10
	modernHeaderSize = 12

	// MaxFrame is the largest Ethernet frame without a VLAN tag or FCS
	// that the device may hand over (MTU 1500 + 14 header) unless it
	// coalesces TCP segments; buffers are sized for it.
	MaxFrame   = 1514
	bufferSize = 2048
	queueSize  = 256

	// MaxRxFrame is the largest frame a device that coalesces TCP
	// segments (GUEST_TSO4/6) may deliver: 14 bytes of Ethernet
	// header, 40 of IPv6 header and 65,535 of IPv6 payload (§5.1.6.3).
	// Such a frame spans up to maxRxBuffers mergeable buffers.
	MaxRxFrame   = 14 + 40 + 65535
	maxRxBuffers = (modernHeaderSize + MaxRxFrame + bufferSize - 1) / bufferSize

	// With segmentation offload a frame may carry up to MaxGSO bytes
	// of TCP payload (plus headers): with its virtio-net header at most
	// gsoChainBytes, spread over a chain of up to maxTxChain transmit
	// buffers (§2.7.4: a device takes a chain of any layout). Frames
	// share the queue's buffers, one per descriptor, so that many
	// small frames can be in flight while the device is busy, as well
	// as a few large ones.
	MaxGSO        = 64000
	gsoChainBytes = 64 << 10
	maxTxChain    = gsoChainBytes / bufferSize
)

// Feature sets. GUEST_TSO4/6 require GUEST_CSUM (§5.1.3.1), and a device
// offers neither without it; this driver also requires MRG_RXBUF for
// them (see the package doc).
const (
	baseFeatures = 1<<VIRTIO_NET_F_MAC | 1<<VIRTIO_NET_F_STATUS
	txOffloads   = 1<<VIRTIO_NET_F_CSUM | 1<<VIRTIO_NET_F_HOST_TSO4 | 1<<VIRTIO_NET_F_HOST_TSO6
	rxOffloads   = 1<<VIRTIO_NET_F_GUEST_CSUM | 1<<VIRTIO_NET_F_GUEST_TSO4 | 1<<VIRTIO_NET_F_GUEST_TSO6
	guestTSO     = 1<<VIRTIO_NET_F_GUEST_TSO4 | 1<<VIRTIO_NET_F_GUEST_TSO6
)

// errNeedsMergeable is setupQueues' complaint about features that would
// have the device coalesce frames without mergeable buffers to put them
// in (or, against §5.1.3.1, without GUEST_CSUM); Open then starts over
// without GUEST_TSO4/6.
var errNeedsMergeable = errors.New("virtionet: large receive offload without mergeable receive buffers")

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
	irq      *devcall.Events

	rx, tx       virtq.Queue
	rxMem, txMem []byte // bufferSize per descriptor, DMA memory
	rxPhys       uint64
	txPhys       uint64

	// rxSlot maps a receive chain's head to the buffer slot it carries:
	// the queue picks heads, the driver picks slots.
	// rxSlot and asm belong to the goroutine in Receive.
	rxSlot []uint16
	asm    *assembler

	// irqDesc says how a PCI device interrupts, for String.
	irqDesc string

	// Transmit buffers: one bufferSize slot per descriptor of the
	// transmit queue; a frame takes as many as it spans. Guarded by
	// txMu.
	txMu       sync.Mutex
	txFree     []uint16                 // free slots
	txChain    []uint16                 // per chain head, maxTxChain entries: the slots it holds
	txChainLen []uint8                  // per chain head: how many of them
	txBufs     [maxTxChain]virtq.Buffer // Send's list for Add
}

// Interrupts says how the device interrupts.
type Interrupts struct {
	// LineFlags says how an interrupt line signals (devcall.IRQLevel for
	// virtio-mmio and PCI INTx).
	LineFlags int
	// NoMSIX keeps a PCI device that has MSI-X on its INTx line.
	NoMSIX bool
}

// Open initialises dev and starts its queues. A modern PCI device with
// MSI-X signals with a message (devcall.OpenMSI) unless irq.NoMSIX; any
// other uses its interrupt line.
func Open(dev virtio.Device, irq Interrupts) (*Device, error) {
	if dev.Type != virtio.Net {
		return nil, fmt.Errorf("virtionet: %v is not a network device", dev)
	}
	d := &Device{t: dev.Transport, dev: dev}
	if pt, ok := dev.Transport.(*virtio.PCITransport); ok && pt.HasMSIX() && !irq.NoMSIX {
		// Before Init: setting the queues up maps them to the vector.
		f, msg, err := devcall.OpenMSI()
		if err == nil {
			err = pt.UseMSIX(msg.Address, msg.Data)
		}
		if err != nil {
			return nil, fmt.Errorf("virtionet: %v: %w", dev, err)
		}
		d.irq, d.irqDesc = f, "MSI-X"
	}
	supported := uint64(baseFeatures | txOffloads | rxOffloads | 1<<VIRTIO_NET_F_MRG_RXBUF)
	features, err := virtio.Init(d.t, supported, d.setupQueues)
	if errors.Is(err, errNeedsMergeable) {
		// The device coalesces but cannot merge buffers (QEMU's
		// mrg_rxbuf=off): start over without coalescing. The first
		// attempt set FAILED; Init begins with a reset, which is
		// how a driver recovers from that (§2.1.1).
		features, err = virtio.Init(d.t, supported&^guestTSO, d.setupQueues)
	}
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
	if d.irq == nil {
		if dev.IRQ < 0 {
			return nil, fmt.Errorf("virtionet: %v has no interrupt line", dev)
		}
		if d.irq, err = devcall.OpenIRQ(dev.IRQ, irq.LineFlags); err != nil {
			return nil, fmt.Errorf("virtionet: %v: %w", dev, err)
		}
		if dev.PCI != nil {
			d.irqDesc = fmt.Sprintf("INTx irq %d", dev.IRQ)
		}
	}
	d.fillReceive()
	return d, nil
}

// setupQueues lays out both queues and their buffers in DMA memory, for
// the features negotiated. It allocates nothing before it has checked
// them.
func (d *Device) setupQueues(features uint64) error {
	const needed = 1<<VIRTIO_NET_F_MRG_RXBUF | 1<<VIRTIO_NET_F_GUEST_CSUM
	if features&guestTSO != 0 && features&needed != needed {
		return errNeedsMergeable
	}
	mergeable := features&(1<<VIRTIO_NET_F_MRG_RXBUF) != 0
	d.hdrLen = modernHeaderSize
	if d.t.Legacy() && !mergeable {
		d.hdrLen = legacyHeaderSize
	}
	d.asm = newAssembler(d.hdrLen, bufferSize, mergeable)
	var err error
	if d.rxMem, d.rxPhys, err = d.setupQueue(receiveq, &d.rx, bufferSize, 0); err != nil {
		return err
	}
	if d.txMem, d.txPhys, err = d.setupQueue(transmitq, &d.tx, bufferSize, 0); err != nil {
		return err
	}
	d.txFree = d.txFree[:0]
	for i := range len(d.txMem) / bufferSize {
		d.txFree = append(d.txFree, uint16(i))
	}
	d.rxSlot = make([]uint16, d.rx.Size())
	d.txChain = make([]uint16, int(d.tx.Size())*maxTxChain)
	d.txChainLen = make([]uint8, d.tx.Size())
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
	ring, ringPhys, err := devcall.AllocDMA(ringBytes)
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
	bufs, bufPhys, err = devcall.AllocDMA(uint64(slots * bufSize))
	return bufs, bufPhys, err
}

// String describes the device: where it is, its MAC address, the
// offloads it took for sending and for receiving, and whether receive
// buffers merge. Over a tap device QEMU offers them all:
//
//	..., offloads: checksum TSO4 TSO6, receive checksum TSO4 TSO6; mergeable receive buffers
func (d *Device) String() string {
	m := d.mac
	s := fmt.Sprintf("%v, MAC %02x:%02x:%02x:%02x:%02x:%02x", d.dev, m[0], m[1], m[2], m[3], m[4], m[5])
	if d.irqDesc != "" {
		s = fmt.Sprintf("%v, %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", d.dev, d.irqDesc, m[0], m[1], m[2], m[3], m[4], m[5])
	}
	var groups []string
	if g := offloadNames(d.Offloads()); g != "" {
		groups = append(groups, g)
	}
	if g := offloadNames(d.ReceiveOffloads()); g != "" {
		groups = append(groups, "receive "+g)
	}
	if len(groups) == 0 {
		groups = append(groups, "none")
	}
	s += ", offloads: " + strings.Join(groups, ", ")
	if d.features&(1<<VIRTIO_NET_F_MRG_RXBUF) != 0 {
		s += "; mergeable receive buffers"
	}
	return s
}

// offloadNames names the offloads that are on, separated by spaces.
func offloadNames(csum, tso4, tso6 bool) string {
	var names []string
	for _, o := range []struct {
		on   bool
		name string
	}{{csum, "checksum"}, {tso4, "TSO4"}, {tso6, "TSO6"}} {
		if o.on {
			names = append(names, o.name)
		}
	}
	return strings.Join(names, " ")
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

// Offloads reports what the device does for Send: finish checksums
// (TxOffload.NeedsCsum), and segment TCP over IPv4 and over IPv6.
func (d *Device) Offloads() (csum, tso4, tso6 bool) {
	csum = d.features&(1<<VIRTIO_NET_F_CSUM) != 0
	return csum, csum && d.features&(1<<VIRTIO_NET_F_HOST_TSO4) != 0, csum && d.features&(1<<VIRTIO_NET_F_HOST_TSO6) != 0
}

// ReceiveOffloads reports what the device does for Receive: deliver
// frames with a partial checksum, which the driver finishes, or one it
// has checked (VIRTIO_NET_F_GUEST_CSUM), and frames that coalesce TCP
// segments over IPv4 and over IPv6, of up to MaxRxFrame bytes
// (GUEST_TSO4/6).
func (d *Device) ReceiveOffloads() (csum, tso4, tso6 bool) {
	f := d.features
	return f&(1<<VIRTIO_NET_F_GUEST_CSUM) != 0, f&(1<<VIRTIO_NET_F_GUEST_TSO4) != 0, f&(1<<VIRTIO_NET_F_GUEST_TSO6) != 0
}

// errTransmitFull is Send's error when the frame needs more transmit
// buffers than the device has given back.
var errTransmitFull = errors.New("virtionet: transmit queue full")

// Send transmits one Ethernet frame, the concatenation of parts, with
// the offloads o asks for (only those Offloads reports). It fails with
// ErrFrameSize for a frame that is too small, or too large (MaxFrame; a
// frame to be segmented may be larger), and with an error when the
// transmit buffers it needs are still in flight.
func (d *Device) Send(o TxOffload, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	limit := MaxFrame
	if o.GSOType != VIRTIO_NET_HDR_GSO_NONE {
		limit = gsoChainBytes - d.hdrLen
	}
	if n < 14 || n > limit {
		return ErrFrameSize
	}
	d.txMu.Lock()
	defer d.txMu.Unlock()
	d.reclaimTransmit()
	k := (d.hdrLen + n + bufferSize - 1) / bufferSize
	if len(d.txFree) < k || d.tx.FreeCount() < k {
		return errTransmitFull
	}
	slots := d.txFree[len(d.txFree)-k:]
	chunks := txChunks{mem: d.txMem, slots: slots}
	putHeader(d.txMem[int(slots[0])*bufferSize:][:d.hdrLen], o)
	chunks.off = d.hdrLen
	for _, p := range parts {
		chunks.write(p)
	}
	for i, s := range slots {
		d.txBufs[i] = virtq.Buffer{Phys: d.txPhys + uint64(s)*bufferSize, Len: bufferSize}
	}
	d.txBufs[k-1].Len = uint32(chunks.off)
	head, ok := d.tx.Add(d.txBufs[:k])
	if !ok {
		return errTransmitFull
	}
	copy(d.txChain[int(head)*maxTxChain:], slots)
	d.txChainLen[head] = uint8(k)
	d.txFree = d.txFree[:len(d.txFree)-k]
	if d.tx.NeedsNotify() {
		d.t.Notify(transmitq)
	}
	return nil
}

// txChunks copies a frame into consecutive entries of slots, each a
// bufferSize slot of mem, filling each before the next.
type txChunks struct {
	mem   []byte
	slots []uint16
	i     int // the slot being filled
	off   int // bytes of it in use
}

func (c *txChunks) write(p []byte) {
	for len(p) > 0 {
		if c.off == bufferSize {
			c.i, c.off = c.i+1, 0
		}
		m := copy(c.mem[int(c.slots[c.i])*bufferSize+c.off:][:bufferSize-c.off], p)
		c.off += m
		p = p[m:]
	}
}

// reclaimTransmit frees the buffers of frames the device has sent.
// Preconditions: d.txMu is held.
func (d *Device) reclaimTransmit() {
	for {
		head, _, ok := d.tx.Used()
		if !ok {
			return
		}
		d.txFree = append(d.txFree, d.txChain[int(head)*maxTxChain:][:d.txChainLen[head]]...)
	}
}

// addressOf is the address of DMA memory, which the kernel mapped and the
// garbage collector does not manage.
func addressOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
