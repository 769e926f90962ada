// Package autostart starts coracle's network in a program that uses
// package net (coracle build links it in then): it finds the virtio-net
// device the kernel command line names, joins it to gVisor's netstack,
// configures it (ip=, gw=, dns= words, or DHCP), serves the program's
// socket system calls (net/sockserver), and publishes the configuration
// to the kernel (resolv.conf, hosts, the interface table). It reports
// the points of that start to the kernel (devcall.BootStamp) for
// coracle.bootstamps. Without a NIC the program still gets
// loopback.
//
// Trap context: none. It runs in goroutines (docs/network.md).
package autostart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/coracle-os/coracle/drivers/virtio"
	virtionet "github.com/coracle-os/coracle/drivers/virtio/net"
	"github.com/coracle-os/coracle/kernel"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/sysgo"
	"github.com/coracle-os/coracle/net/sockserver"
	"github.com/coracle-os/coracle/net/stack"
	"github.com/coracle-os/coracle/net/virtiolink"
	"gvisor.dev/gvisor/pkg/tcpip"
)

func init() {
	if err := start(kernel.Cmdline()); err != nil {
		fmt.Fprintf(os.Stderr, "coracle: network: %v\n", err)
	}
}

func start(cmd string) error {
	devcall.BootStamp(devcall.StampNetStart)
	cfg, cfgErr := stack.ParseConfig(cmd)
	nic, nicErr := findNIC(cmd)
	var s *stack.Stack
	var err error
	if nic != nil {
		devcall.BootStamp(devcall.StampNICReady)
		fmt.Fprintf(os.Stderr, "coracle: network: %v\n", nic)
		link := virtiolink.New(nic)
		sysgo.Go(func() {
			if err := link.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "coracle: network: %v\n", err)
			}
		})
		s, err = stack.New(cfg, link)
		if err == nil && cfg.Loss > 0 {
			fmt.Fprintf(os.Stderr, "coracle: network: net_loss=%g: dropping %g%% of frames at random, each way\n", cfg.Loss, cfg.Loss)
		}
	} else {
		s, err = stack.New(stack.Config{}, nil)
	}
	if err != nil {
		return err
	}
	if nic != nil && !cfg.DHCP() {
		devcall.BootStamp(devcall.StampNetConfigured)
	}
	s.HoldSYNs(kernelListens)
	sockserver.Serve(s.Netstack(), s.ReleaseSYNs)
	devcall.BootStamp(devcall.StampSocketsReady)
	publishFiles(s)
	switch {
	case cfgErr != nil:
		return cfgErr
	case nicErr != nil:
		return nicErr
	case nic != nil && cfg.DHCP():
		sysgo.Go(func() {
			lease, err := s.StartDHCP(context.Background(), stack.DHCPOptions{})
			if err != nil {
				fmt.Fprintf(os.Stderr, "coracle: network: %v\n", err)
				return
			}
			devcall.BootStamp(devcall.StampNetConfigured)
			publishFiles(s)
			fmt.Fprintf(os.Stderr, "coracle: network: %v from DHCP, router %v\n", lease.Addr, lease.Router)
		})
	}
	return nil
}

// findNIC opens the first virtio-net device: among the virtio-mmio
// devices the command line names (microvm, Firecracker), or else on the
// PCI bus (q35, pc). No NIC at all is not an error.
func findNIC(cmd string) (*virtionet.Device, error) {
	devs, err := virtio.Find(cmd, virtio.Net)
	if len(devs) == 0 {
		return nil, err
	}
	// Legacy INTx on PCI: level-triggered, on the IOAPIC pin firmware
	// wrote into the Interrupt Line register.
	nic, nerr := virtionet.Open(devs[0], virtionet.Interrupts{
		LineFlags: devcall.IRQLevel,
		NoMSIX:    cmdline.Has(cmd, "coracle.nomsix"),
	})
	return nic, errors.Join(err, nerr)
}

// publishFiles gives the program /etc/resolv.conf and /etc/hosts for the
// configuration in effect, so that Go's resolver finds the name servers,
// and the kernel the interface table that net.Interfaces and
// net.InterfaceAddrs read through NETLINK_ROUTE sockets.
func publishFiles(s *stack.Stack) {
	if err := devcall.SetInterfaces(s.Interfaces()); err != nil {
		fmt.Fprintf(os.Stderr, "coracle: network: %v\n", err)
	}
	for path, data := range map[string][]byte{
		"/etc/resolv.conf": s.ResolvConf(),
		"/etc/hosts":       s.Hosts(),
	} {
		if err := devcall.SetFile(path, data); err != nil {
			fmt.Fprintf(os.Stderr, "coracle: network: %v\n", err)
		}
	}
}

// kernelListens reports whether a stream socket of the program listens
// on addr: the kernel's socket table is the authority (listen(2) marks
// the socket at once), whether or not netstack listens yet. A socket
// bound to the any-address listens on every address of its port.
func kernelListens(addr tcpip.FullAddress) bool {
	ip := addr.Addr.AsSlice()
	for i := range socktab.Used() {
		s := &socktab.Table[i]
		if s.State.Load() != socktab.Listening || s.Type != socktab.Stream || s.Local.Port != addr.Port {
			continue
		}
		local := s.Local
		local.Unmap4()
		if local.Unspecified() || bytes.Equal(local.IP[:local.Len], ip) {
			return true
		}
	}
	return false
}
