// Package virtq is the driver side of a VIRTIO split virtqueue: the
// descriptor table, the available ring and the used ring, kept in memory
// the caller provides and the device reads and writes by DMA. It knows no
// transport (PCI, MMIO) and no device type: a virtio-net or virtio-blk
// driver tells the transport where the queue is (Areas, or Memory.Phys
// for a legacy device), adds buffers with Add, kicks the device when
// NeedsNotify says so, and takes finished buffers back with Used.
//
// Spec: VIRTIO 1.2 §2.7 "Split Virtqueues" (OASIS, virtio-v1.2-cs01):
// layout and alignment (§2.7, §2.7.1), the legacy layout (§2.7.2),
// descriptors (§2.7.5), the available ring (§2.7.6), used buffer
// notification suppression (§2.7.7), the used ring (§2.7.8), available
// buffer notification suppression (§2.7.10), supplying buffers (§2.7.13)
// and receiving them (§2.7.14). The index comparison is vring_need_event
// from Linux's include/uapi/linux/virtio_ring.h, which the spec reproduces.
// Not supported: indirect descriptors (VIRTIO_F_INDIRECT_DESC), in-order
// use (VIRTIO_F_IN_ORDER) and packed virtqueues (§2.8).
//
// # Use
//
//	_, _, _, n := virtq.Layout(size, legacy) // size from the transport
//	mem := virtq.Memory{Virt: va, Phys: pa, Size: n} // zeroed by Init
//	err := q.Init(mem, size, legacy, eventIdx) // before the device sees it
//	desc, driver, device := q.Areas()          // tell the transport
//
//	head, ok := q.Add(bufs)     // ok false: not enough free descriptors
//	if q.NeedsNotify() { ... }  // write the transport's notify register
//
//	// interrupt or poll:
//	q.DisableInterrupts()
//	for {
//		head, n, ok := q.Used()
//		if !ok {
//			if !q.EnableInterrupts() {
//				break // armed, and nothing arrived meanwhile
//			}
//			q.DisableInterrupts() // something did: keep polling
//			continue
//		}
//		... // buffer chain head is done, n bytes written
//	}
//
// eventIdx is whether VIRTIO_F_EVENT_IDX was negotiated, legacy whether
// the device uses the legacy interface (its queue is one page-aligned
// block at Memory.Phys: the transport takes Phys/4096 as the queue PFN,
// and legacy MMIO a QueueAlign of 4096). The caller keeps, per head, what
// it needs to know about the buffers (a packet, a request); the queue
// returns only the head and the length the device wrote.
//
// # Memory and ownership
//
// Each part of the queue is written by one side only (§2.7):
//
//	part                     written by  read by  how the driver accesses it
//	descriptor table         driver      device   plain stores, published by avail idx
//	avail flags, idx         driver      device   one atomic 32-bit store
//	avail ring[]             driver      device   plain stores, published by avail idx
//	avail used_event         driver      device   atomic 32-bit store
//	used flags, idx          device      driver   atomic 32-bit load
//	used ring[] (id, len)    device      driver   atomic 32-bit loads, after used idx
//	used avail_event         device      driver   atomic 32-bit load
//
// sync/atomic has no 16-bit operations, so each 16-bit field the other
// side may access at any time is accessed through the aligned 32-bit word
// that holds it, together with a neighbour the same side owns: avail
// flags with avail idx, used flags with used idx, used_event and
// avail_event with two bytes of padding after them (which is why the
// modern Layout's total is rounded up to 4). In a queue of size 1 the
// only ring entry shares its word with used_event, and the two are stored
// together. Fields are little-endian (§2.7.5; native for legacy devices,
// §2.7.3) and the package assumes a little-endian CPU.
//
// # Ordering
//
// A sync/atomic store is sequentially consistent: on amd64 it is XCHG, a
// full barrier, and in the Go memory model everything written before it
// is visible to whoever observes the stored value with an atomic load.
// The queue relies on four such orderings:
//
//   - Add writes the descriptors and the ring entry, then stores avail
//     idx atomically: the barrier §2.7.13.3.1 requires before the idx
//     update, so the device sees the chain when it sees the index.
//   - NeedsNotify loads used flags or avail_event atomically after that
//     store: the barrier §2.7.13.4.1 requires before reading them, so a
//     device that went to sleep before seeing the new idx is woken.
//   - Used loads used idx atomically before the entries it covers, which
//     the device wrote before it stored idx (§2.7.8.2): the read barrier
//     of §2.7.14. A descriptor is reused only after its chain came back
//     through the used ring, so the device has finished reading it.
//   - EnableInterrupts stores the avail flags or used_event atomically,
//     then reloads used idx: the barrier in the §2.7.14 note that closes
//     the race between emptying the ring and re-enabling interrupts.
//     Used, while interrupts are enabled with VIRTIO_F_EVENT_IDX, moves
//     used_event along the same way, so draining the ring keeps the next
//     interrupt armed.
//
// The device must pair them: store used idx after the entries, then read
// the avail flags or used_event; read avail idx before the ring and the
// descriptors it publishes.
//
// # Robustness
//
// The queue trusts the device with nothing it can check cheaply: a used
// entry whose id is not the head of a chain the device holds, or a used
// idx that runs ahead of what was made available, marks the queue broken
// (Broken; Add and Used then fail) instead of corrupting the free list.
// Every descriptor index is masked to the table, so no access leaves the
// queue's memory. The device needs a reset and the queue an Init before
// either is used again.
//
// # Synchronization
//
// None inside: the caller serialises access to one queue (one CPU with
// interrupts off, or a lock the caller holds). Different queues are
// independent.
//
// Trap context: Add, Used, NeedsNotify, DisableInterrupts and
// EnableInterrupts may run in trap context: no allocation, no locks; the
// caller serialises access to one queue. So may FreeCount, Size, Areas
// and Broken. They are //go:nosplit, and a Queue holds no Go pointers
// (Memory.Virt is a uintptr), so updating one, even a global, needs no
// write barrier. Init allocates nothing either and may run on the boot
// path before the Go runtime starts (its errors are constants); it is an
// Init method rather than a constructor so that the kernel can keep its
// queues in fixed globals.
package virtq
