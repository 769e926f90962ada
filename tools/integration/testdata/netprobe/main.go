// Netprobe drives the virtio-net device named on its command line
// (a virtio_mmio.device=SIZE@BASE:IRQ word, as QEMU microvm passes it to
// the kernel) with drivers/virtio/net: it asks, with an ARP request, for
// the MAC address of QEMU user networking's gateway and prints the reply.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/coracle-os/coracle/drivers/virtio"
	virtionet "github.com/coracle-os/coracle/drivers/virtio/net"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
)

// It does not import package net: that would link coracle's own network
// service, which would take the device first.
var (
	ourIP     = []byte{10, 0, 2, 15} // QEMU user networking's guest
	gatewayIP = []byte{10, 0, 2, 2}
)

// mac formats a hardware address as package net does.
func mac(b []byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

func ip(b []byte) string { return fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], b[2], b[3]) }

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: netprobe virtio_mmio.device=SIZE@BASE:IRQ"))
	}
	words, err := virtio.ParseCmdline(os.Args[1])
	check(err)
	devs, err := virtio.FindMMIO(words, virtio.KernelResources{})
	check(err)
	if len(devs) != 1 || devs[0].Type != virtio.Net {
		fail(fmt.Errorf("want one network device, found %v", devs))
	}
	nic, err := virtionet.Open(devs[0], virtionet.Interrupts{LineFlags: devcall.IRQLevel})
	check(err)
	hw := nic.MAC()
	fmt.Printf("nic: %v, MAC %v, link up %v\n", devs[0], mac(hw[:]), nic.LinkUp())

	replies := make(chan []byte, 1)
	go func() {
		err := nic.Receive(func(f []byte) {
			if hw, ok := arpReplyFrom(f, gatewayIP); ok {
				select {
				case replies <- hw:
				default:
				}
			}
		})
		fail(err)
	}()
	request := arpRequest(hw, ourIP, gatewayIP)
	for try := 0; ; try++ {
		check(nic.Send(virtionet.TxOffload{}, request))
		select {
		case got := <-replies:
			fmt.Printf("arp: %v is at %v\n", ip(gatewayIP), mac(got))
			return
		case <-time.After(500 * time.Millisecond):
			if try == 10 {
				fail(fmt.Errorf("no ARP reply from %v", ip(gatewayIP)))
			}
		}
	}
}

// arpRequest builds a broadcast "who has target, tell sender" frame
// (RFC 826).
func arpRequest(mac [6]byte, sender, target []byte) []byte {
	f := make([]byte, 42)
	copy(f[0:6], bytes.Repeat([]byte{0xff}, 6))
	copy(f[6:12], mac[:])
	binary.BigEndian.PutUint16(f[12:], 0x0806) // ARP
	binary.BigEndian.PutUint16(f[14:], 1)      // Ethernet
	binary.BigEndian.PutUint16(f[16:], 0x0800) // IPv4
	f[18], f[19] = 6, 4
	binary.BigEndian.PutUint16(f[20:], 1) // request
	copy(f[22:28], mac[:])
	copy(f[28:32], sender)
	copy(f[38:42], target)
	return f
}

// arpReplyFrom returns the sender MAC of an ARP reply from ip.
func arpReplyFrom(f []byte, from []byte) ([]byte, bool) {
	if len(f) < 42 || binary.BigEndian.Uint16(f[12:]) != 0x0806 || binary.BigEndian.Uint16(f[20:]) != 2 || !bytes.Equal(f[28:32], from) {
		return nil, false
	}
	return bytes.Clone(f[22:28]), true
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Println("netprobe:", err)
	os.Exit(1)
}
