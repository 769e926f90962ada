package stack

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func pfx(s ...string) []netip.Prefix {
	var ps []netip.Prefix
	for _, x := range s {
		ps = append(ps, netip.MustParsePrefix(x))
	}
	return ps
}

func addrs(s ...string) []netip.Addr {
	var as []netip.Addr
	for _, x := range s {
		as = append(as, netip.MustParseAddr(x))
	}
	return as
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Config
		dhcp bool
	}{
		{"empty", "", Config{}, true},
		{"unrelated words", "console=ttyS0 coracle.strace virtio_mmio.device=512@0xfeb00000:12 ipx=1 gwx", Config{}, true},
		{"dhcp keyword", "ip=dhcp", Config{}, true},
		{"static v4", "ip=10.0.2.15/24 gw=10.0.2.2 dns=10.0.2.3",
			Config{Addrs: pfx("10.0.2.15/24"), Gateways: addrs("10.0.2.2"), DNS: addrs("10.0.2.3")}, false},
		{"comma list", "ip=10.0.2.15/24,fd00::15/64 gw=10.0.2.2,fd00::2",
			Config{Addrs: pfx("10.0.2.15/24", "fd00::15/64"), Gateways: addrs("10.0.2.2", "fd00::2")}, false},
		{"repeated words add up", "ip=10.0.2.15/24 ip=fd00::15/64 dns=1.1.1.1 dns=8.8.8.8,2001:4860:4860::8888",
			Config{Addrs: pfx("10.0.2.15/24", "fd00::15/64"), DNS: addrs("1.1.1.1", "8.8.8.8", "2001:4860:4860::8888")}, false},
		{"tabs and extra spaces", "  ip=192.168.1.5/16\t\tgw=192.168.0.1  ",
			Config{Addrs: pfx("192.168.1.5/16"), Gateways: addrs("192.168.0.1")}, false},
		{"ipv6 only means dhcp for ipv4", "ip=fd00::15/64 gw=fe80::1",
			Config{Addrs: pfx("fd00::15/64"), Gateways: addrs("fe80::1")}, true},
		{"hostname last wins, trailing dot", "hostname=a hostname=web-1.example.com.",
			Config{Hostname: "web-1.example.com"}, true},
		{"dns with dhcp", "dns=9.9.9.9 search=example.com,corp.example.com",
			Config{DNS: addrs("9.9.9.9"), Search: []string{"example.com", "corp.example.com"}}, true},
		{"linux form (firecracker)", "ip=172.16.0.2::172.16.0.1:255.255.255.252::eth0:off",
			Config{Addrs: pfx("172.16.0.2/30"), Gateways: addrs("172.16.0.1")}, false},
		{"linux form, all fields", "ip=10.1.2.3:10.1.2.1:10.1.2.254:24:vm1:eth0:none:10.1.2.53:10.1.2.54:10.1.2.123",
			Config{Addrs: pfx("10.1.2.3/24"), Gateways: addrs("10.1.2.254"), DNS: addrs("10.1.2.53", "10.1.2.54"), Hostname: "vm1"}, false},
		{"linux form, classful mask", "ip=172.20.1.1:::::eth0",
			Config{Addrs: pfx("172.20.1.1/16")}, false},
		{"linux form, dhcp", "ip=:::::eth0:dhcp", Config{}, true},
		{"host bits kept", "ip=10.0.2.15/8", Config{Addrs: pfx("10.0.2.15/8")}, false},
		{"rack off", "tcp_rack=off", Config{NoRACK: true}, true},
		{"rack, the last one wins", "tcp_rack=off tcp_rack=on", Config{}, true},
		{"loss", "net_loss=2.5", Config{Loss: 2.5}, true},
		{"loss with a percent sign, the last one wins", "net_loss=1 net_loss=0.5%", Config{Loss: 0.5}, true},
		{"loss none", "net_loss=0", Config{}, true},
		{"loss all", "net_loss=100", Config{Loss: 100}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(tt.line)
			if err != nil {
				t.Fatalf("ParseConfig(%q): %v", tt.line, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseConfig(%q)\n got %#v\nwant %#v", tt.line, got, tt.want)
			}
			if got.DHCP() != tt.dhcp {
				t.Errorf("DHCP() = %v, want %v", got.DHCP(), tt.dhcp)
			}
			// String renders words that parse back to the same config
			// (the Linux form comes back in the list form).
			again, err := ParseConfig(got.String())
			if err != nil {
				t.Fatalf("ParseConfig(String() = %q): %v", got.String(), err)
			}
			if !reflect.DeepEqual(again, got) {
				t.Errorf("round trip through %q\n got %#v\nwant %#v", got.String(), again, got)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		line string
		want []string // substrings of the error
	}{
		{"ip", []string{`"ip"`, "empty value", "ip=ADDR/PREFIX"}},
		{"ip=", []string{`"ip="`, "empty value"}},
		{"ip=10.0.2.15", []string{`"ip=10.0.2.15"`, "no /PREFIX", "10.0.2.15/24"}},
		{"ip=10.0.2.15/33", []string{`"ip=10.0.2.15/33"`, "ip=ADDR/PREFIX"}},
		{"ip=10.0.2/24", []string{`"ip=10.0.2/24"`}},
		{"ip=10.0.2.15/24,", []string{"empty list element"}},
		{"ip=0.0.0.0/0", []string{"unspecified"}},
		{"ip=224.0.0.1/4", []string{"not a unicast"}},
		{"ip=fe80::1%eth0/64", []string{`"ip=fe80::1%eth0/64"`}},
		{"ip=::ffff:10.0.0.1/120", []string{"use the IPv4 form 10.0.0.1"}},
		{"ip=fd00::2", []string{"ADDR/PREFIX"}},
		{"ip=off", []string{"not supported"}},
		{"ip=10.0.2.15/24 ip=10.0.2.15/16", []string{"10.0.2.15 given twice"}},
		{"ip=10.1.2.3::10.1.2.1:255.0.255.0", []string{"not contiguous"}},
		{"ip=10.1.2.3::10.1.2.1:40", []string{"neither dotted nor a length"}},
		{"ip=::10.1.2.1", []string{"gateway or netmask without a client"}},
		{"ip=1:2:3:4:5:6:7:8:9:10:11", []string{"11 fields"}},
		{"ip=10.0.2.15/24 gw=10.0.2", []string{`"gw=10.0.2"`, "gw=ADDR"}},
		{"ip=10.0.2.15/24 gw=", []string{`"gw="`, "empty value"}},
		{"ip=10.0.2.15/24 gw=10.0.2.1,10.0.2.2", []string{"two IPv4 gateways"}},
		{"gw=10.0.2.2", []string{"without ip=", "DHCP"}},
		{"ip=10.0.2.15/24 gw=fd00::1", []string{"no IPv6 address"}},
		{"dns=8.8.8.8,,1.1.1.1", []string{`"dns=8.8.8.8,,1.1.1.1"`, "empty list element", "dns=ADDR"}},
		{"dns=nameserver", []string{`"dns=nameserver"`}},
		{"dns=255.255.255.255", []string{"not a unicast"}},
		{"hostname=", []string{`"hostname="`, "empty value", "hostname=NAME"}},
		{"hostname=bad_name", []string{`"hostname=bad_name"`, "not allowed"}},
		{"hostname=-x", []string{"starts or ends with '-'"}},
		{"hostname=a..b", []string{"label \"\""}},
		{"hostname=" + strings.Repeat("a", 64), []string{"want 1-63"}},
		{"search=exa mple.com", []string{}}, // "mple.com" is an unrelated word; "exa" is fine
		{"search=.", []string{"search=DOMAIN"}},
		{"tcp_rack", []string{`"tcp_rack"`, "tcp_rack=on or tcp_rack=off"}},
		{"tcp_rack=yes", []string{`"tcp_rack=yes"`, "neither on nor off"}},
		{"net_loss", []string{`"net_loss"`, "empty value", "net_loss=PERCENT"}},
		{"net_loss=", []string{"empty value"}},
		{"net_loss=lots", []string{`"net_loss=lots"`, "not a number", "from 0 to 100"}},
		{"net_loss=-1", []string{"outside 0 to 100"}},
		{"net_loss=100.5", []string{"outside 0 to 100"}},
		{"net_loss=NaN", []string{"outside 0 to 100"}},
		{"net_loss=1%%", []string{"not a number"}},
	}
	for _, tt := range tests {
		_, err := ParseConfig(tt.line)
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("ParseConfig(%q): %v, want success", tt.line, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseConfig(%q) succeeded, want an error", tt.line)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseConfig(%q) = %q, want it to contain %q", tt.line, err, w)
			}
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"ip=10.0.2.15/24 gw=10.0.2.2 dns=1.1.1.1", "ip=::::::", "ip=1.2.3.4:::255.255.255.0:h", "hostname=x search=a,b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseConfig(line)
		if err != nil {
			return
		}
		again, err := ParseConfig(c.String())
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("%q: round trip through %q: %v, %#v != %#v", line, c.String(), err, again, c)
		}
	})
}
