package integration

import (
	"strings"
	"testing"
)

// The guest lists its network interfaces through NETLINK_ROUTE sockets
// (testdata/ifaceprobe): loopback and the raw netlink behaviour read as
// on the host's Linux; the NIC is what the guest's configuration says:
// QEMU user networking's DHCP lease, a static ip= address, or none.
func TestInterfaces(t *testing.T) {
	img := buildTestProgram(t, "ifaceprobe")
	native := runNative(t, "ifaceprobe")
	// QEMU's default MAC address, and the IPv6 link-local address
	// derived from it.
	const nicLine = `nic: name eth0 index 2 flags up|broadcast|multicast|running mtu 1500 hw "52:54:00:12:34:56"`
	const linkLocal = "nic: addr fe80::5054:ff:fe12:3456/64 link-local"
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"none", []string{"--net", "none", img}, []string{
			"nic: none",
			"ifaceprobe: all addresses: 127.0.0.1/8 ::1/128\n",
		}},
		{"dhcp", []string{img, "--", "-wait"}, []string{
			nicLine,
			"nic: addr 10.0.2.15/24 global",
			linkLocal,
			"ifaceprobe: all addresses: 127.0.0.1/8 10.0.2.15/24 ::1/128 fe80::5054:ff:fe12:3456/64\n",
		}},
		{"static", []string{"--cmdline", "ip=10.0.2.77/24 gw=10.0.2.2", img}, []string{
			nicLine,
			"nic: addr 10.0.2.77/24 global",
			linkLocal,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := coracle(t, append([]string{"run", "--accel", "tcg"}, c.args...)...)
			if res.err != nil || res.status != 0 {
				t.Fatalf("want exit status 0\n%s", res)
			}
			for _, want := range c.want {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("console lacks %q\n%s", want, res.stdout)
				}
			}
			sameLines(t, "lo:", res.stdout, native, 4)
			sameLines(t, "nl:", res.stdout, native, 15)
		})
	}
}
