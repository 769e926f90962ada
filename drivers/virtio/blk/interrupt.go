package virtioblk

import (
	"fmt"

	"github.com/coracle-os/coracle/drivers/virtio"
)

// run completes requests: on each interrupt it takes every finished
// request off the used ring and wakes its caller. It returns when the
// device dies or is closed.
func (d *Device) run() {
	for {
		d.mu.Lock()
		if d.err != nil {
			d.mu.Unlock()
			return
		}
		// While the ring is drained the device need not interrupt:
		// requests it finishes meanwhile are taken in the same pass
		// (§2.7.7). Acknowledging after the hint is set means an
		// interrupt raised before it is cleared, and one raised after
		// it can only be for a request this pass takes, or spurious.
		d.q.DisableInterrupts()
		isr := d.t.AckInterrupt()
		for {
			d.collect()
			if d.q.Broken() {
				d.failLocked(ErrBroken)
				break
			}
			if !d.q.EnableInterrupts() {
				break
			}
			// A request finished before the device saw interrupts
			// enabled: it may not interrupt for it.
			d.q.DisableInterrupts()
		}
		d.mu.Unlock()
		if isr&(1<<virtio.ISR_CONFIG) != 0 {
			d.configChanged()
		}
		if err := d.irq.Wait(); err != nil {
			d.mu.Lock()
			d.failLocked(fmt.Errorf("%w: waiting for the interrupt: %v", ErrIO, err))
			d.mu.Unlock()
			return
		}
	}
}

// collect wakes the callers of the requests the device has finished.
// d.mu is held.
func (d *Device) collect() {
	for {
		head, _, ok := d.q.Used()
		if !ok {
			return
		}
		// The length the device reports is not needed (and legacy
		// devices get it wrong, §2.7.8.1): the status byte says how
		// the request went, and reads are all or nothing.
		d.slots[d.slotOf[head]].done <- struct{}{}
	}
}

// configChanged rereads the capacity after a configuration change
// interrupt: the device was resized (§5.2.2, §2.5).
func (d *Device) configChanged() {
	c, err := readConfig(d.t, d.features)
	if err == nil && c.capacity < 1<<(63-9) {
		d.capacity.Store(int64(c.capacity) * SectorSize)
	}
}

// failLocked stops the device for reason err, once. d.mu is held.
func (d *Device) failLocked(err error) {
	if d.err == nil {
		d.err = err
		close(d.dead)
	}
}

// deadErr is why the device stopped, or nil.
func (d *Device) deadErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Close refuses new requests, waits for those in flight, resets the
// device and releases its interrupt. Requests after Close fail with
// ErrClosed. The DMA memory is not returned: the kernel never frees it.
func (d *Device) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	// A slot is free again once its request completed and its caller
	// saw the result; callers that were waiting for a slot get
	// ErrClosed from submit and put theirs back.
wait:
	for range d.slots {
		select {
		case <-d.free:
		case <-d.dead:
			break wait
		}
	}
	d.mu.Lock()
	d.failLocked(ErrClosed)
	d.mu.Unlock()
	err := virtio.Reset(d.t)
	if cerr := d.irq.Close(); err == nil {
		err = cerr
	}
	return err
}
