// Package vecarea places the threads' vector-state save areas (what
// XSAVE stores: SDM Vol. 1 §13.4-13.5) in page frames taken when a thread
// is created and given back when it exits, instead of a fixed area for
// every possible thread in the image.
//
// An area is as large as the CPU's XSAVE layout needs for the components
// the kernel enables (CPUID.(EAX=0DH,ECX=0):EBX once XCR0 is set), and
// at least the least size the trap stubs' own layout needs, rounded up
// to 64 bytes, the alignment XSAVE and XRSTOR require. Several areas
// share a frame when they fit: thread slots are grouped, PerFrame
// consecutive slots to a group, and a group's frame is taken when its
// first thread appears and given back when its last one leaves. The
// kernel hands out the lowest free slot, so live threads fill groups
// densely. Nothing here takes, frees or touches a frame: the caller
// takes one when NeedsFrame says so, frees the one Release returns, and
// initialises an area before its first XRSTOR.
//
// Trap context: Areas' methods run in clone and exit; they do not
// allocate, block, call through interfaces or store Go pointers.
package vecarea
