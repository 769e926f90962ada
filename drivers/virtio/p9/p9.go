// Package virtio9p drives a virtio 9P transport device (QEMU's
// virtio-9p-device and virtio-9p-pci, -fsdev/-virtfs): it reads the
// device's mount tag and carries 9P messages to and from it, as an
// io.ReadWriteCloser that a 9P client (github.com/hugelgupf/p9) uses as
// its connection.
//
// The device has one virtqueue. Each request is a chain of two buffers:
// the T-message, read by the device, and room for the R-message, which
// the device writes. Answers come back in any order; 9P's tags match
// them to their requests, so Read returns them as one byte stream, in
// the order the device finishes them.
//
// Spec: VIRTIO 1.2 §5 (device ID 9), and the device's configuration as
// QEMU lays it out (hw/9pfs/virtio-9p-device.c): le16 tag_len, then the
// tag, with feature VIRTIO_9P_MOUNT_TAG.
//
// Trap context: none; this runs in goroutines.
package virtio9p

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unsafe"

	"github.com/coracle-os/coracle/drivers/virtio"
	"github.com/coracle-os/coracle/drivers/virtio/virtq"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/sysgo"
)

// VIRTIO_9P_MOUNT_TAG: the configuration holds the mount tag.
const VIRTIO_9P_MOUNT_TAG = 0

const (
	requestq  = 0
	queueSize = 64
	// MessageSize is the largest 9P message either side sends: the
	// msize the client asks for.
	MessageSize = 64<<10 + 4096
	// slots is how many requests may be in flight (two descriptors
	// each).
	slots = 16
)

// ErrClosed is returned by Read and Write after Close.
var ErrClosed = errors.New("virtio9p: device closed")

// Device is an open virtio 9P device.
type Device struct {
	dev virtio.Device
	t   virtio.Transport
	irq *devcall.Events
	tag string

	q       virtq.Queue
	mem     []byte // slots * 2 * MessageSize of DMA memory: out, in
	memPhys uint64

	mu      sync.Mutex
	cond    *sync.Cond // signalled when a slot frees or an answer comes
	free    []int      // free slots
	slotOf  []int      // descriptor head -> slot
	partial []byte     // the T-message being written
	answers []byte     // R-messages not read yet
	closed  bool
}

// Open sets up device dev, which must be a 9P device.
func Open(dev virtio.Device, irqFlags int) (*Device, error) {
	if dev.Type != virtio.NineP {
		return nil, fmt.Errorf("virtio9p: %v is not a 9P device", dev)
	}
	d := &Device{dev: dev, t: dev.Transport}
	d.cond = sync.NewCond(&d.mu)
	features, err := virtio.Init(d.t, 1<<VIRTIO_9P_MOUNT_TAG, d.setupQueue)
	if err != nil {
		return nil, fmt.Errorf("virtio9p: %v: %w", dev, err)
	}
	if features&(1<<VIRTIO_9P_MOUNT_TAG) != 0 {
		d.tag, _ = virtio.ReadConfig(d.t, func(r virtio.Registers) string {
			n := r.Read16(0)
			b := make([]byte, n)
			for i := range b {
				b[i] = r.Read8(2 + uint32(i))
			}
			return string(b)
		})
	}
	if dev.IRQ < 0 {
		return nil, fmt.Errorf("virtio9p: %v has no interrupt line", dev)
	}
	if d.irq, err = devcall.OpenIRQ(dev.IRQ, irqFlags); err != nil {
		return nil, fmt.Errorf("virtio9p: %v: %w", dev, err)
	}
	for i := range slots {
		d.free = append(d.free, i)
	}
	sysgo.Go(d.run)
	return d, nil
}

func (d *Device) setupQueue(uint64) error {
	size, err := d.t.QueueSize(requestq, queueSize)
	if err != nil {
		return err
	}
	if int(size) < 2*slots {
		return fmt.Errorf("queue of %d descriptors, need %d", size, 2*slots)
	}
	_, _, _, ringBytes := virtq.Layout(size, d.t.Legacy())
	ring, ringPhys, err := devcall.AllocDMA(ringBytes)
	if err != nil {
		return err
	}
	mem := virtq.Memory{Virt: uintptr(unsafe.Pointer(unsafe.SliceData(ring))), Phys: ringPhys, Size: ringBytes}
	if err := d.q.Init(mem, size, d.t.Legacy(), false); err != nil {
		return err
	}
	desc, driver, device := d.q.Areas()
	if err := d.t.SetupQueue(requestq, size, virtio.QueueAddrs{Desc: desc, Driver: driver, Device: device}); err != nil {
		return err
	}
	d.slotOf = make([]int, size)
	d.mem, d.memPhys, err = devcall.AllocDMA(slots * 2 * MessageSize)
	return err
}

// Tag is the device's mount tag ("" if it has none).
func (d *Device) Tag() string { return d.tag }

func (d *Device) String() string { return fmt.Sprintf("%v, tag %q", d.dev, d.tag) }

// Write takes the bytes of T-messages, in order, and sends each to the
// device once it is whole. It blocks while every slot is in flight.
func (d *Device) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		if d.closed {
			return n - len(p), ErrClosed
		}
		if len(d.partial) < 4 {
			k := min(4-len(d.partial), len(p))
			d.partial, p = append(d.partial, p[:k]...), p[k:]
			continue
		}
		size := int(binary.LittleEndian.Uint32(d.partial))
		if size < 7 || size > MessageSize {
			return n - len(p), fmt.Errorf("virtio9p: message of %d bytes (at most %d)", size, MessageSize)
		}
		k := min(size-len(d.partial), len(p))
		d.partial, p = append(d.partial, p[:k]...), p[k:]
		if len(d.partial) == size {
			if err := d.submit(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// submit sends the whole message in d.partial. d.mu is held.
func (d *Device) submit() error {
	for len(d.free) == 0 && !d.closed {
		d.cond.Wait()
	}
	if d.closed {
		return ErrClosed
	}
	d.partial = forQEMU(d.partial)
	s := d.free[len(d.free)-1]
	d.free = d.free[:len(d.free)-1]
	out := uint64(s) * 2 * MessageSize
	copy(d.mem[out:], d.partial)
	head, ok := d.q.Add([]virtq.Buffer{
		{Phys: d.memPhys + out, Len: uint32(len(d.partial))},
		{Phys: d.memPhys + out + MessageSize, Len: MessageSize, DeviceWrites: true},
	})
	if !ok {
		d.free = append(d.free, s)
		return errors.New("virtio9p: no room in the queue")
	}
	d.slotOf[head] = s
	d.partial = d.partial[:0]
	if d.q.NeedsNotify() {
		d.t.Notify(requestq)
	}
	return nil
}

// Read returns bytes of R-messages, as the device finishes them.
func (d *Device) Read(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.answers) == 0 && !d.closed {
		d.cond.Wait()
	}
	if len(d.answers) == 0 {
		return 0, io.EOF
	}
	n := copy(p, d.answers)
	d.answers = d.answers[n:]
	return n, nil
}

// Close stops the device's users: Read answers io.EOF, Write ErrClosed.
func (d *Device) Close() error {
	d.mu.Lock()
	d.closed = true
	d.cond.Broadcast()
	d.mu.Unlock()
	return nil
}

// run waits for the device's interrupts and collects its answers.
func (d *Device) run() {
	for {
		d.t.AckInterrupt()
		d.mu.Lock()
		d.collect()
		d.mu.Unlock()
		if _, err := d.irq.Wait(); err != nil {
			fmt.Fprintf(os.Stderr, "coracle: %v: %v\n", d, err)
			d.Close()
			return
		}
	}
}

// collect moves finished answers to d.answers. d.mu is held.
func (d *Device) collect() {
	got := false
	for {
		head, n, ok := d.q.Used()
		if !ok {
			break
		}
		s := d.slotOf[head]
		in := uint64(s)*2*MessageSize + MessageSize
		if n >= 4 {
			size := min(uint64(binary.LittleEndian.Uint32(d.mem[in:])), uint64(n))
			d.answers = append(d.answers, d.mem[in:in+size]...)
		}
		d.free = append(d.free, s)
		got = true
	}
	if got {
		d.cond.Broadcast()
	}
}

// Message types the transport rewrites, and the protocol QEMU's server
// speaks.
const (
	tfsync    = 50
	tversion  = 100
	version9P = "9P2000.L"
)

// forQEMU adapts the client's messages to what QEMU's server decodes:
// plainVersion, and Tfsync, which 9P2000.L gives a datasync word
// (fid[4] datasync[4]) that the client leaves out; without it QEMU
// cannot decode the request and stops serving the device. The sync
// asked for is a full one.
func forQEMU(m []byte) []byte {
	if len(m) == 11 && m[4] == tfsync {
		m = append(m, 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(m, uint32(len(m)))
		return m
	}
	return plainVersion(m)
}

// plainVersion rewrites a Tversion that asks for a dialect of 9P2000.L
// ("9P2000.L.Google.7": the client asks for its own extensions first)
// into one that asks for 9P2000.L itself. QEMU answers "unknown" to
// anything else, which the client takes for a broken server instead of
// trying the next version; asked for 9P2000.L it gets 9P2000.L and uses
// only that. Other messages are returned as they are.
func plainVersion(m []byte) []byte {
	// size[4] type[1] tag[2] msize[4] version[2+n]
	if len(m) < 13 || m[4] != tversion {
		return m
	}
	n := int(binary.LittleEndian.Uint16(m[11:]))
	if 13+n != len(m) || string(m[13:]) == version9P || !strings.HasPrefix(string(m[13:]), version9P+".") {
		return m
	}
	m = append(m[:13], version9P...)
	binary.LittleEndian.PutUint16(m[11:], uint16(len(version9P)))
	binary.LittleEndian.PutUint32(m, uint32(len(m)))
	return m
}
