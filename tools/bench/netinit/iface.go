package main

import (
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// ifUp gives the interface name the IPv4 address addr, unless addr is
// the zero Prefix, and brings it up, through the ioctls of netdevice(7).
// Linux then routes addr's subnet through it; lo gets 127.0.0.1/8 by
// itself when it comes up.
func ifUp(name string, addr netip.Prefix) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	if addr.IsValid() {
		// The address first: setting it also sets the class's
		// netmask, which the next ioctl corrects.
		if err := setInet4(fd, name, unix.SIOCSIFADDR, addr.Addr().AsSlice()); err != nil {
			return fmt.Errorf("%s: setting address %s: %w", name, addr.Addr(), err)
		}
		if err := setInet4(fd, name, unix.SIOCSIFNETMASK, net.CIDRMask(addr.Bits(), 32)); err != nil {
			return fmt.Errorf("%s: setting netmask /%d: %w", name, addr.Bits(), err)
		}
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("%s: reading flags: %w", name, err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("%s: bringing it up: %w", name, err)
	}
	return nil
}

// setInet4 issues the ioctl req on the interface name with an IPv4
// address (or mask) as its argument.
func setInet4(fd int, name string, req uint, v4 []byte) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := ifr.SetInet4Addr(v4); err != nil {
		return err
	}
	return unix.IoctlIfreq(fd, req, ifr)
}
