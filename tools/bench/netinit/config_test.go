package main

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestSplitCmdline(t *testing.T) {
	for in, want := range map[string][]string{
		"console=ttyS0  quiet\tpanic=-1\n": {"console=ttyS0", "quiet", "panic=-1"},
		`a="b c" "d e"f`:                   {"a=b c", "d ef"},
		"a -- b c":                         {"a"},
		"a --":                             {"a"},
		"":                                 nil,
		`dyndbg="file x.c +p" virtio_mmio.device=512@0xfeb00e00:12`: {"dyndbg=file x.c +p", "virtio_mmio.device=512@0xfeb00e00:12"},
	} {
		if got := splitCmdline(in); !slices.Equal(got, want) {
			t.Errorf("splitCmdline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	// What the benchmark gives and QEMU's microvm appends.
	line := "console=ttyS0 quiet panic=-1 netinit.modules=virtio,virtio_ring,virtio-mmio,failover,net_failover,virtio_net " +
		"netinit.ip=192.0.2.2/24 netinit.exec=/httpd virtio_mmio.device=512@0xfeb00e00:12 virtio-mmio.device=512@0xfeb00c00:11 " +
		`virtio_net.napi_tx="1" other.param=x virtio_mmio.broken="a b"` + "\n"
	c, err := parseConfig(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"virtio", "virtio_ring", "virtio_mmio", "failover", "net_failover", "virtio_net"}; !slices.Equal(c.modules, want) {
		t.Errorf("modules %q, want %q", c.modules, want)
	}
	if c.addr != netip.MustParsePrefix("192.0.2.2/24") || c.dev != "eth0" || c.exec != "/httpd" {
		t.Errorf("addr %v dev %q exec %q", c.addr, c.dev, c.exec)
	}
	if got, want := c.params["virtio_mmio"], `device=512@0xfeb00e00:12 device=512@0xfeb00c00:11 broken="a b"`; got != want {
		t.Errorf("virtio_mmio params %q, want %q", got, want)
	}
	if got := c.params["virtio_net"]; got != "napi_tx=1" {
		t.Errorf("virtio_net params %q", got)
	}
	if _, ok := c.params["other"]; ok {
		t.Error("parameters of a module that is not loaded were kept")
	}

	c, err = parseConfig("netinit.ip=10.0.0.2/8 netinit.dev=ens3 netinit.exec=/bin/srv")
	if err != nil || c.dev != "ens3" || len(c.modules) != 0 {
		t.Errorf("no modules: %+v, %v", c, err)
	}
	for _, bad := range []string{
		"netinit.exec=/httpd",
		"netinit.ip=192.0.2.2 netinit.exec=/httpd",
		"netinit.ip=2001:db8::2/64 netinit.exec=/httpd",
		"netinit.ip=192.0.2.2/24",
		"netinit.ip=192.0.2.2/24 netinit.exec=httpd",
		"netinit.ip=192.0.2.2/24 netinit.exec=/httpd netinit.dev=",
		"netinit.ip=192.0.2.2/24 netinit.exec=/httpd netinit.dev=" + strings.Repeat("e", 16),
	} {
		if _, err := parseConfig(bad); err == nil {
			t.Errorf("parseConfig(%q) accepted it", bad)
		}
	}
}
