package cli

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/qemu"
)

func TestCheckForwardsBusyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port
	err = checkForwards([]qemu.Forward{{Proto: "tcp", HostPort: busy, GuestPort: 80}})
	if err == nil || !strings.Contains(err.Error(), "is in use") || !strings.Contains(err.Error(), "choose another host port") {
		t.Errorf("busy port: got %v", err)
	}
	// The same port number is free for UDP.
	if err := checkForwards([]qemu.Forward{{Proto: "udp", HostPort: busy, GuestPort: 53}}); err != nil {
		t.Errorf("UDP on a port only TCP uses: %v", err)
	}
}

func TestReportForwards(t *testing.T) {
	var b bytes.Buffer
	reportForwards(&b, []qemu.Forward{{Proto: "tcp", HostPort: 8080, GuestPort: 80}, {Proto: "udp", HostPort: 5353, GuestPort: 53}})
	want := "coracle: guest tcp port 80 is at 127.0.0.1:8080 (http://127.0.0.1:8080/ if it serves HTTP)\n" +
		"coracle: guest udp port 53 is at 127.0.0.1:5353\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestCheckTap(t *testing.T) {
	err := checkTap(qemu.Network{Mode: qemu.NetTap, Tap: "coracle-no-such-tap"})
	if err == nil || !strings.Contains(err.Error(), "no such network device") || !strings.Contains(err.Error(), "ip tuntap add dev coracle-no-such-tap") {
		t.Errorf("missing tap: %v", err)
	}
	if err := checkTap(qemu.Network{Mode: qemu.NetTap, Tap: "lo"}); err != nil {
		t.Errorf("existing device: %v", err)
	}
	if err := checkTap(qemu.Network{Mode: qemu.NetUser}); err != nil {
		t.Errorf("user networking: %v", err)
	}
}
