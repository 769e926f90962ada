// Netstackhttp joins the pieces below the socket layer: the virtio-net
// driver named by its argument (a virtio_mmio.device= word), gVisor's
// netstack through net/virtiolink, a DHCP lease from QEMU user
// networking, and an HTTP server on the stack's TCP (through gVisor's
// gonet adapters, not yet through the socket system calls). GET / answers
// a greeting; GET /quit ends the program with status 0.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/coracle-os/coracle/drivers/virtio"
	virtionet "github.com/coracle-os/coracle/drivers/virtio/net"
	"github.com/coracle-os/coracle/kernel/devio"
	"github.com/coracle-os/coracle/net/stack"
	"github.com/coracle-os/coracle/net/virtiolink"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
)

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: netstackhttp virtio_mmio.device=SIZE@BASE:IRQ"))
	}
	words, err := virtio.ParseCmdline(os.Args[1])
	check(err)
	devs, err := virtio.FindMMIO(words, virtio.KernelResources{})
	check(err)
	if len(devs) != 1 {
		fail(fmt.Errorf("want one device, found %v", devs))
	}
	nic, err := virtionet.Open(devs[0], devio.IRQLevel)
	check(err)
	link := virtiolink.New(nic)
	go func() { fail(link.Run()) }()

	s, err := stack.New(stack.Config{}, link)
	check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lease, err := s.StartDHCP(ctx, stack.DHCPOptions{})
	check(err)
	fmt.Printf("dhcp: address %v router %v dns %v\n", lease.Addr, lease.Router, lease.DNS)

	l, err := gonet.ListenTCP(s.Netstack(), tcpip.FullAddress{NIC: s.NIC(), Port: 8080}, ipv4.ProtocolNumber)
	check(err)
	fmt.Println("http: listening on :8080")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from coracle over virtio-net and netstack, %s %s\n", r.Method, r.URL.Path)
	})
	mux.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "bye")
		go func() { time.Sleep(100 * time.Millisecond); os.Exit(0) }()
	})
	fail(http.Serve(l, mux))
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Println("netstackhttp:", err)
	os.Exit(1)
}
