package stack

import (
	"testing"
)

func TestFiles(t *testing.T) {
	tests := []struct {
		name         string
		cfg          Config
		resolv, host string
	}{
		{
			name: "empty",
			resolv: "# coracle: from the kernel command line or the DHCP lease\n" +
				"# no name servers configured\n",
			host: "# coracle: from the kernel command line or the DHCP lease\n" +
				"127.0.0.1\tlocalhost\n" +
				"::1\tlocalhost ip6-localhost ip6-loopback\n",
		},
		{
			name: "static",
			cfg: Config{
				Addrs:    pfx("10.0.2.15/24", "fd00::15/64"),
				DNS:      addrs("10.0.2.3", "2001:db8::53"),
				Search:   []string{"example.com", "corp.example.com"},
				Hostname: "web.example.com",
			},
			resolv: "# coracle: from the kernel command line or the DHCP lease\n" +
				"nameserver 10.0.2.3\n" +
				"nameserver 2001:db8::53\n" +
				"search example.com corp.example.com\n",
			host: "# coracle: from the kernel command line or the DHCP lease\n" +
				"127.0.0.1\tlocalhost\n" +
				"::1\tlocalhost ip6-localhost ip6-loopback\n" +
				"10.0.2.15\tweb.example.com web\n" +
				"fd00::15\tweb.example.com web\n",
		},
		{
			name: "hostname before DHCP",
			cfg:  Config{Hostname: "vm1"},
			resolv: "# coracle: from the kernel command line or the DHCP lease\n" +
				"# no name servers configured\n",
			host: "# coracle: from the kernel command line or the DHCP lease\n" +
				"127.0.0.1\tlocalhost\n" +
				"::1\tlocalhost ip6-localhost ip6-loopback\n" +
				"127.0.1.1\tvm1\n",
		},
	}
	for _, tt := range tests {
		if got := string(ResolvConf(tt.cfg)); got != tt.resolv {
			t.Errorf("%s: resolv.conf\n%s\nwant\n%s", tt.name, got, tt.resolv)
		}
		if got := string(Hosts(tt.cfg)); got != tt.host {
			t.Errorf("%s: hosts\n%s\nwant\n%s", tt.name, got, tt.host)
		}
	}
}

// The Stack's files follow its configuration.
func TestStackFiles(t *testing.T) {
	s := newStack(t, "ip=10.0.2.15/24 dns=10.0.2.3 hostname=box", newWire(t).A)
	if got, want := string(s.ResolvConf()), string(ResolvConf(s.Config())); got != want || want == "" {
		t.Errorf("ResolvConf() = %q, want %q", got, want)
	}
	if got, want := string(s.Hosts()), "10.0.2.15\tbox\n"; len(got) < len(want) || got[len(got)-len(want):] != want {
		t.Errorf("Hosts() = %q, want it to end with %q", got, want)
	}
}
