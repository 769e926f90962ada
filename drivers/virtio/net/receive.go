package virtionet

import (
	"fmt"

	"github.com/coracle-os/coracle/drivers/virtio/virtq"
)

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

// Receive calls deliver with every frame that arrives, until the
// interrupt descriptor fails. The frame is only valid during the call.
//
// Frames are whole: one spread over several mergeable buffers is put
// back together, and a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM) is
// finished, so every frame carries its full transport checksum. The
// driver does not check checksums: frames the device marks
// VIRTIO_NET_HDR_F_DATA_VALID are delivered like the others, and it is
// up to the caller to verify them.
//
// Each buffer goes back to the device as soon as its part of a frame is
// delivered or copied, so the queue stays full. Frames that break the
// rules of mergeable buffers (§5.1.6.4.1) are dropped.
func (d *Device) Receive(deliver func(frame []byte)) error {
	for {
		d.t.AckInterrupt()
		// No interrupts while the queue is drained: frames that
		// arrive meanwhile are taken in the same pass (§2.7.7).
		d.rx.DisableInterrupts()
		for {
			head, n, ok := d.rx.Used()
			if !ok {
				// The device makes all of a frame's buffers used
				// together: one still missing never comes.
				d.asm.abort()
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
			buf := d.rxMem[int(slot)*bufferSize:][:min(int(n), bufferSize)]
			frame, ok := d.asm.add(buf)
			if ok {
				deliver(frame)
			}
			d.postReceive(slot)
			// A device that ran out of buffers asked to be told when
			// there are more: tell it once a frame's worth is back,
			// rather than when the pass ends.
			if ok && d.rx.NeedsNotify() {
				d.t.Notify(receiveq)
			}
		}
		d.txMu.Lock()
		d.reclaimTransmit()
		d.txMu.Unlock()
		// Wait for the next interrupt: its first read, which finds
		// none, re-enables the line, now that the device was
		// acknowledged (devcall.OpenIRQ).
		if _, err := d.irq.Wait(); err != nil {
			return fmt.Errorf("virtionet: waiting for the interrupt: %w", err)
		}
	}
}
