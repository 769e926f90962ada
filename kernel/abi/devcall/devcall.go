// Package devcall is how device drivers, which run as ordinary goroutines
// in ring 3 (docs/network.md), reach hardware: device registers mapped
// into the address space, interrupts delivered as readable descriptors,
// and physically contiguous memory that devices can address.
//
// Each is a coracle-private system call, numbered above Linux's range;
// on Linux (or anywhere else) they fail with ENOSYS. The numbers and the
// calling convention are shared with package kernel, which implements
// them.
//
// Trap context: none; this is the goroutine side.
package devcall

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// Private system-call numbers.
const (
	SysBase          = 0x10000
	SysMapMMIO       = SysBase + iota // (phys, size) → virt
	SysOpenIRQ                        // (irq, flags) → fd
	SysAllocDMA                       // (size) → virt, phys in RDX
	SysSockRegister                   // () → fd: the socket service's work descriptor (kernel/abi/socktab)
	SysSockNotify                     // (sock) → 0: a socket's state changed; re-evaluate readiness
	SysSetFile                        // (path, pathLen, data, dataLen) → 0: publish a file
	SysOpenMSI                        // () → fd, message in RDX (data<<32 | address)
	SysShareRegister                  // () → fd: the file service's work descriptor (kernel/abi/shares)
	SysShareTake                      // (*shares.Request) → 0, or EAGAIN: the next request
	SysShareDone                      // (*shares.Result) → 0: a request's end
	SysSetInterfaces                  // (*iftab.Table) → 0: publish the network interfaces
	SysBootStamp                      // (Stamp) → 0: a point of the network's start (coracle.bootstamps)
	SysSockRelease                    // (sock) → 0: a closed socket's rings are unused; their pages past the first go
	SysEnd
)

// callNames names each private call after the function here that
// makes it, for docs/syscalls.md and logs.
var callNames = [SysEnd - SysBase]string{
	SysMapMMIO - SysBase:       "MapMMIO",
	SysOpenIRQ - SysBase:       "OpenIRQ",
	SysAllocDMA - SysBase:      "AllocDMA",
	SysSockRegister - SysBase:  "SockRegister",
	SysSockNotify - SysBase:    "SockNotify",
	SysSetFile - SysBase:       "SetFile",
	SysOpenMSI - SysBase:       "OpenMSI",
	SysShareRegister - SysBase: "ShareRegister",
	SysShareTake - SysBase:     "ShareTake",
	SysShareDone - SysBase:     "ShareDone",
	SysSetInterfaces - SysBase: "SetInterfaces",
	SysBootStamp - SysBase:     "BootStamp",
	SysSockRelease - SysBase:   "SockRelease",
}

// CallName returns the name of private call nr, or "" if there is none.
func CallName(nr uint64) string {
	if nr < SysBase || nr >= SysEnd {
		return ""
	}
	return callNames[nr-SysBase]
}

// Flags of SysOpenIRQ: how the interrupt line signals (the IOAPIC's
// trigger mode and polarity for the pin).
const (
	IRQLevel     = 1 << 0 // level-triggered (edge otherwise)
	IRQActiveLow = 1 << 1
)

// ErrNotCoracle is returned when the private calls are not there: the
// program is not running on coracle.
var ErrNotCoracle = errors.New("devcall: not running on coracle (private system calls answer ENOSYS)")

func errnoErr(op string, e syscall.Errno) error {
	if e == syscall.ENOSYS {
		return ErrNotCoracle
	}
	return fmt.Errorf("devcall: %s: %w", op, e)
}

// MapMMIO maps size bytes of device registers at physical address phys,
// uncached, and returns where they appear. Access them with sync/atomic
// loads and stores, so the compiler neither merges nor drops them.
func MapMMIO(phys, size uint64) (unsafe.Pointer, error) {
	v, _, e := syscall.RawSyscall(SysMapMMIO, uintptr(phys), uintptr(size), 0)
	if e != 0 {
		return nil, errnoErr(fmt.Sprintf("map MMIO %#x+%#x", phys, size), e)
	}
	return addrPointer(v), nil
}

// OpenIRQ returns a descriptor that becomes readable when interrupt line
// irq (an IOAPIC pin) fires. The kernel masks a level-triggered line
// (flags IRQLevel) on each interrupt. Reading the descriptor returns the
// number of interrupts since the last read as a little-endian uint64,
// and leaves the line masked; a read that finds none re-enables it and
// fails with EAGAIN. So a driver takes the count (Events.Wait),
// acknowledges its device and does its work, and waits again: the wait's
// first read re-enables the line, after the acknowledgement, so that it
// does not fire again for what was handled. An edge-triggered line is
// never masked.
func OpenIRQ(irq int, flags int) (*Events, error) {
	fd, _, e := syscall.RawSyscall(SysOpenIRQ, uintptr(irq), uintptr(flags), 0)
	if e != 0 {
		return nil, errnoErr(fmt.Sprintf("open IRQ %d", irq), e)
	}
	return newEvents(fd, fmt.Sprintf("irq%d", irq))
}

// AllocDMA allocates size bytes (rounded up to pages) of physically
// contiguous memory, zeroed, for device rings and buffers, and returns it
// with its physical address. It is never freed; it is not Go heap
// memory, so it may hold no Go pointers.
func AllocDMA(size uint64) (mem []byte, phys uint64, err error) {
	v, p, e := syscall.RawSyscall(SysAllocDMA, uintptr(size), 0, 0)
	if e != 0 {
		return nil, 0, errnoErr(fmt.Sprintf("allocate %d bytes of DMA memory", size), e)
	}
	return unsafe.Slice((*byte)(addrPointer(v)), size), uint64(p), nil
}

// addrPointer turns the address of memory the kernel mapped, which the
// garbage collector never manages, into a pointer.
func addrPointer(a uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&a))
}

// SockRegister makes the caller the socket service: socket() works from
// then on. It returns the work descriptor, which becomes readable when
// the kernel leaves work in a socket (socktab.Socket.Work); reading it
// (8 bytes) rearms it. The service waits on it through the netpoller,
// so no thread sits blocked in the kernel while it waits.
func SockRegister() (*Events, error) {
	fd, _, e := syscall.RawSyscall(SysSockRegister, 0, 0, 0)
	if e != 0 {
		return nil, errnoErr("register the socket service", e)
	}
	return newEvents(fd, "socket-work")
}

// SockNotify tells the kernel that socket sock changed (data, state,
// error), so that epoll sees it. It never blocks.
func SockNotify(sock int) {
	syscall.RawSyscall(SysSockNotify, uintptr(sock), 0, 0)
}

// SockRelease tells the kernel that socket sock, about to be freed, no
// longer uses its rings: the kernel gives back the frames behind every
// page of them but the first of each, which the next socket in the slot
// writes first (kernel/abi/socktab, Ring). Without it a slot would keep
// every page a connection that streamed through it ever touched.
func SockRelease(sock int) {
	syscall.RawSyscall(SysSockRelease, uintptr(sock), 0, 0)
}

// SetFile publishes a file at path (absolute) with contents data: the
// kernel makes it a regular file of the root file system (mode 0644,
// making the directories on the way) or replaces the contents of the
// file there, and the program opens, reads and stats it as the standard
// library does /etc/resolv.conf and /etc/hosts. The kernel keeps its own
// copy of data.
func SetFile(path string, data []byte) error {
	p := []byte(path)
	var d unsafe.Pointer
	if len(data) > 0 {
		d = unsafe.Pointer(&data[0])
	}
	_, _, e := syscall.RawSyscall6(SysSetFile, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), uintptr(d), uintptr(len(data)), 0, 0)
	if e != 0 {
		return errnoErr("publish "+path, e)
	}
	return nil
}

// MSIMessage is what a device writes to raise a message-signalled
// interrupt (MSI or MSI-X): Data to Address.
type MSIMessage struct {
	Address uint64
	Data    uint32
}

// OpenMSI allocates an interrupt vector for message-signalled interrupts
// and returns a descriptor that becomes readable when a device sends its
// message; program the message into the device's MSI or MSI-X table.
// Reading the descriptor returns the number of messages since the last
// read as a little-endian uint64. Nothing is masked: messages that
// arrive while the driver works are counted.
func OpenMSI() (*Events, MSIMessage, error) {
	fd, msg, e := syscall.RawSyscall(SysOpenMSI, 0, 0, 0)
	if e != 0 {
		return nil, MSIMessage{}, errnoErr("open an MSI vector", e)
	}
	m := MSIMessage{Address: uint64(uint32(msg)), Data: uint32(msg >> 32)}
	ev, err := newEvents(fd, fmt.Sprintf("msi%d", m.Data))
	return ev, m, err
}

// ShareRegister makes the caller the file service for shared host
// directories (kernel/abi/shares). It returns the work descriptor, which
// becomes readable when requests wait; reading it (8 bytes) rearms it.
func ShareRegister() (*Events, error) {
	fd, _, e := syscall.RawSyscall(SysShareRegister, 0, 0, 0)
	if e != 0 {
		return nil, errnoErr("register the file service", e)
	}
	return newEvents(fd, "share-work")
}

// ShareTake copies the next waiting request into req; it reports false
// when none waits.
func ShareTake(req *shares.Request) (bool, error) {
	_, _, e := syscall.RawSyscall(SysShareTake, uintptr(unsafe.Pointer(req)), 0, 0)
	switch e {
	case 0:
		return true, nil
	case syscall.EAGAIN:
		return false, nil
	}
	return false, errnoErr("take a file request", e)
}

// ShareDone ends a request with res.
func ShareDone(res *shares.Result) error {
	_, _, e := syscall.RawSyscall(SysShareDone, uintptr(unsafe.Pointer(res)), 0, 0)
	if e != 0 {
		return errnoErr("end a file request", e)
	}
	return nil
}

// SetInterfaces publishes the network interfaces and their addresses:
// the kernel keeps a copy of t and answers the NETLINK_ROUTE requests
// package net lists interfaces with (net.Interfaces, net.InterfaceAddrs)
// from it until the next call. The network service calls it whenever
// the configuration changes.
func SetInterfaces(t *iftab.Table) error {
	_, _, e := syscall.RawSyscall(SysSetInterfaces, uintptr(unsafe.Pointer(t)), unsafe.Sizeof(*t), 0)
	if e != 0 {
		return errnoErr("publish the network interfaces", e)
	}
	return nil
}

// Stamp names a point of the network's start that the network service
// reports to the kernel with BootStamp. The kernel prints the time it
// first heard of each on its runstamps line (coracle.bootstamps,
// kernel/diag_runstamps.go).
type Stamp uintptr

// The stamps, in the order the network service reaches them.
const (
	// StampNetStart: the service's package init began: package
	// initialization has reached it.
	StampNetStart Stamp = iota
	// StampNICReady: the virtio-net device is open: reset, features
	// negotiated, queues set up, driver ready.
	StampNICReady
	// StampNetConfigured: the interface has its IPv4 address: the
	// static one from the command line, or a DHCP lease.
	StampNetConfigured
	// StampSocketsReady: the socket service is registered: socket(2)
	// works from here on.
	StampSocketsReady

	NumStamps
)

// BootStamp tells the kernel that the network's start reached s. It
// costs one private system call and never fails in a way the caller
// could act on, so it reports nothing.
func BootStamp(s Stamp) {
	syscall.RawSyscall(SysBootStamp, uintptr(s), 0, 0)
}
