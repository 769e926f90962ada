package virtq

// Descriptor flags (§2.7.5, struct virtq_desc), with the values the spec
// gives them (masks, not bit positions).
const (
	VIRTQ_DESC_F_NEXT     = 1 // the chain continues at next
	VIRTQ_DESC_F_WRITE    = 2 // device write-only (otherwise device read-only)
	VIRTQ_DESC_F_INDIRECT = 4 // a table of descriptors: never set here
)

// Ring flags.
const (
	// VIRTQ_AVAIL_F_NO_INTERRUPT in avail flags asks the device not to
	// interrupt when it uses buffers (§2.7.6, §2.7.7). Only without
	// VIRTIO_F_EVENT_IDX: with it the driver must leave flags at 0.
	VIRTQ_AVAIL_F_NO_INTERRUPT = 1
	// VIRTQ_USED_F_NO_NOTIFY in used flags asks the driver not to notify
	// when it adds buffers (§2.7.8, §2.7.10). Ignored with
	// VIRTIO_F_EVENT_IDX.
	VIRTQ_USED_F_NO_NOTIFY = 1
)

// Structure layouts, in bytes (§2.7.5 virtq_desc, §2.7.6 virtq_avail,
// §2.7.8 virtq_used and virtq_used_elem). All fields are little-endian.
const (
	DESC_SIZE  = 16
	DESC_ADDR  = 0  // le64 addr: guest-physical
	DESC_LEN   = 8  // le32 len
	DESC_FLAGS = 12 // le16 flags: VIRTQ_DESC_F_*
	DESC_NEXT  = 14 // le16 next: valid if flags has VIRTQ_DESC_F_NEXT

	AVAIL_FLAGS = 0 // le16 flags: VIRTQ_AVAIL_F_*
	AVAIL_IDX   = 2 // le16 idx: free-running, where the next entry goes
	AVAIL_RING  = 4 // le16 ring[size], then le16 used_event (VIRTIO_F_EVENT_IDX)

	USED_FLAGS = 0 // le16 flags: VIRTQ_USED_F_*
	USED_IDX   = 2 // le16 idx: free-running, where the next entry goes
	USED_RING  = 4 // virtq_used_elem ring[size], then le16 avail_event (VIRTIO_F_EVENT_IDX)

	USED_ELEM_SIZE = 8
	USED_ELEM_ID   = 0 // le32 id: head of the chain
	USED_ELEM_LEN  = 4 // le32 len: bytes the device wrote
)

// Sizes and alignments.
const (
	// MaxSize is the largest queue size (§2.7): the largest power of two
	// in 16 bits, so that idx can tell a full ring from an empty one.
	MaxSize = 32768

	// DescAlign, AvailAlign and UsedAlign are the minimum alignments of
	// the three parts' physical addresses (§2.7 table, §2.7.1).
	DescAlign  = 16
	AvailAlign = 2
	UsedAlign  = 4

	// LegacyQueueAlign is Queue Align for legacy devices (§2.7.2): the
	// page size, to which the legacy PCI transport fixes it (the queue
	// address register holds a page number) and which legacy MMIO drivers
	// write to QueueAlign. The queue starts on it, and so does the used
	// ring.
	LegacyQueueAlign = 4096
)

// Memory is device-visible memory the queue lives in: a virtual address
// the driver uses and the physical (guest-physical) address the device
// uses, for Size bytes.
//
// The queue keeps Virt as a number, which the garbage collector does not
// see: the memory must be outside the Go heap (the kernel's direct map of
// RAM) or kept alive by the caller for as long as the queue is used (as
// the tests do with a []byte).
type Memory struct {
	Virt uintptr
	Phys uint64
	Size uint64
}

// Layout returns where the descriptor table, the available ring and the
// used ring of a queue of size entries start in its Memory, and the bytes
// it needs. size must be a power of two from 1 to MaxSize; for any other
// size every result is 0.
//
// The modern layout (legacy false) packs the parts with the alignments of
// §2.7: the table at 0, the available ring right after it, the used ring
// at the next multiple of 4 after used_event. total rounds the used ring,
// avail_event included, up to a multiple of 4, so that avail_event can
// be loaded as an aligned 32-bit word (see the package doc).
//
// The legacy layout is the one of §2.7.2: the available ring right after
// the table, the used ring at the next multiple of LegacyQueueAlign, and
// total = ALIGN(16*size + 2*(3+size)) + ALIGN(2*3 + 8*size) with
// ALIGN rounding up to LegacyQueueAlign, as virtq_size computes it.
//
// Trap context: arithmetic.
//
//go:nosplit
func Layout(size uint16, legacy bool) (descOff, availOff, usedOff, total uint64) {
	if !validSize(size) {
		return 0, 0, 0, 0
	}
	n := uint64(size)
	availOff = DESC_SIZE * n
	availEnd := availOff + AVAIL_RING + 2*n + 2 // through used_event
	usedLen := USED_RING + USED_ELEM_SIZE*n + 2 // through avail_event
	align := uint64(UsedAlign)
	if legacy {
		align = LegacyQueueAlign
	}
	usedOff = alignUp(availEnd, align)
	total = usedOff + alignUp(usedLen, align)
	return 0, availOff, usedOff, total
}

// validSize reports whether size is a power of two from 1 to MaxSize
// (§2.7; uint16 holds no larger power of two).
//
// Trap context: arithmetic.
//
//go:nosplit
func validSize(size uint16) bool {
	return size != 0 && size&(size-1) == 0
}

// alignUp rounds x up to a multiple of a, a power of two.
//
// Trap context: arithmetic.
//
//go:nosplit
func alignUp(x, a uint64) uint64 {
	return (x + a - 1) &^ (a - 1)
}

// Error is an error Init returns. It is a string type so that the errors
// are constants: Init may run before the Go runtime has initialised
// package variables.
type Error string

func (e Error) Error() string { return string(e) }

// Errors Init returns.
const (
	ErrSize   Error = "virtq: queue size is not a power of two from 1 to 32768"
	ErrAlign  Error = "virtq: queue memory is misaligned (modern: 16 bytes; legacy: physical 4096, virtual 16)"
	ErrMemory Error = "virtq: queue memory is too small, or wraps around the address space"
)
