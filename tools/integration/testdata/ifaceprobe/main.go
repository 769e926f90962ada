// Command ifaceprobe lists the network interfaces as package net sees
// them (net.Interfaces, Interface.Addrs, net.InterfaceAddrs,
// InterfaceByName, InterfaceByIndex) and checks NETLINK_ROUTE sockets
// directly (port IDs, MSG_PEEK and MSG_TRUNC, acknowledgements, errors,
// poll). Lines starting "lo:" and "nl:" must read the same on Linux and
// in coracle; "nic:" lines describe the first other interface that is up
// and has an IPv4 address. With -wait it first waits (up to 30 s) for
// such an interface, as DHCP configures it after the program starts.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	wait := flag.Bool("wait", false, "wait for an interface other than loopback with an IPv4 address")
	flag.Parse()
	if *wait {
		deadline := time.Now().Add(30 * time.Second)
		for nic() == nil && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	ift, err := net.Interfaces()
	if err != nil {
		fmt.Println("ifaceprobe: net.Interfaces:", err)
		os.Exit(1)
	}
	for _, ifi := range ift {
		fmt.Printf("ifaceprobe: interface %d %s %v mtu %d hw %q\n", ifi.Index, ifi.Name, ifi.Flags, ifi.MTU, ifi.HardwareAddr)
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		fmt.Println("lo: InterfaceByName:", err)
	} else {
		describe("lo:", lo)
		if byIndex, err := net.InterfaceByIndex(lo.Index); err != nil || byIndex.Name != "lo" {
			fmt.Println("lo: InterfaceByIndex:", byIndex, err)
		}
	}
	if n := nic(); n != nil {
		describe("nic:", n)
	} else {
		fmt.Println("nic: none")
	}
	all, err := net.InterfaceAddrs()
	if err != nil {
		fmt.Println("ifaceprobe: net.InterfaceAddrs:", err)
		os.Exit(1)
	}
	var s []string
	for _, a := range all {
		s = append(s, a.String())
	}
	fmt.Println("ifaceprobe: all addresses:", strings.Join(s, " "))
	if _, err := net.InterfaceByName("nosuchif0"); err != nil {
		fmt.Println("lo: unknown name:", err)
	}
	rawChecks()
	fmt.Println("lo: done")
	fmt.Println("nl: done")
}

// nic is the first interface other than loopback that is up and has an
// IPv4 address, or nil.
func nic() *net.Interface {
	ift, err := net.Interfaces()
	if err != nil {
		return nil
	}
	for _, ifi := range ift {
		if ifi.Flags&net.FlagLoopback != 0 || ifi.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return &ifi
			}
		}
	}
	return nil
}

// describe prints ifi and its addresses, each line starting with prefix.
func describe(prefix string, ifi *net.Interface) {
	fmt.Printf("%s name %s index %d flags %v mtu %d hw %q\n", prefix, ifi.Name, ifi.Index, ifi.Flags, ifi.MTU, ifi.HardwareAddr)
	addrs, err := ifi.Addrs()
	if err != nil {
		fmt.Println(prefix, "Addrs:", err)
	}
	for _, a := range addrs {
		n := a.(*net.IPNet)
		kind := "global"
		switch {
		case n.IP.IsLoopback():
			kind = "loopback"
		case n.IP.IsLinkLocalUnicast():
			kind = "link-local"
		}
		if prefix == "nic:" && kind == "global" && n.IP.To4() == nil {
			continue // the host's own IPv6 addresses vary
		}
		fmt.Printf("%s addr %v %s\n", prefix, a, kind)
	}
}
