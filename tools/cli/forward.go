package cli

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/coracle-os/coracle/tools/qemu"
)

// checkForwards makes sure every host port of a -p forward is free on
// 127.0.0.1: QEMU's own message for a busy port names neither the flag
// nor a fix.
func checkForwards(fs []qemu.Forward) error {
	for _, f := range fs {
		addr := fmt.Sprintf("127.0.0.1:%d", f.HostPort)
		var err error
		if f.Proto == "udp" {
			var c net.PacketConn
			if c, err = net.ListenPacket("udp", addr); err == nil {
				c.Close()
			}
		} else {
			var l net.Listener
			if l, err = net.Listen("tcp", addr); err == nil {
				l.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("-p %d:%d/%s: %s %s is in use (or not available: %v); choose another host port, e.g. -p %d:%d",
				f.HostPort, f.GuestPort, f.Proto, f.Proto, addr, err, f.HostPort+1, f.GuestPort)
		}
	}
	return nil
}

// reportForwards tells the user where each forwarded guest port is.
func reportForwards(w io.Writer, fs []qemu.Forward) {
	for _, f := range fs {
		fmt.Fprintf(w, "coracle: guest %s port %d is at 127.0.0.1:%d", f.Proto, f.GuestPort, f.HostPort)
		if f.Proto == "tcp" {
			fmt.Fprintf(w, " (http://127.0.0.1:%d/ if it serves HTTP)", f.HostPort)
		}
		fmt.Fprintln(w)
	}
}

// checkTap makes sure the --tap device exists: QEMU would otherwise
// create an unconfigured one (as root) or fail with a message about
// /dev/net/tun.
func checkTap(n qemu.Network) error {
	if n.Mode != qemu.NetTap {
		return nil
	}
	if _, err := os.Stat(filepath.Join("/sys/class/net", n.Tap)); err != nil {
		return fmt.Errorf("--tap %s: no such network device; create one with: ip tuntap add dev %[1]s mode tap user $USER && ip link set %[1]s up (and give it an address on the guest's network)", n.Tap)
	}
	return nil
}
