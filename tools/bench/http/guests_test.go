package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/net/stack"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/qemu"
)

func TestCoracleCmdline(t *testing.T) {
	if got, want := coracleCmdline(2), "coracle.smp=on "+coracleCmdline(1); got != want {
		t.Errorf("coracleCmdline(2) = %q, want %q", got, want)
	}
	line := coracleCmdline(1)
	if line != "ip=192.0.2.2/24 gw=192.0.2.1 coracle.argv0=httpd" {
		t.Errorf("coracleCmdline = %q", line)
	}
	// The kernel reads the address back as it is meant.
	c, err := stack.ParseConfig(line)
	if err != nil {
		t.Fatal(err)
	}
	if c.DHCP() || len(c.Addrs) != 1 || c.Addrs[0] != guestAddr || len(c.Gateways) != 1 || c.Gateways[0] != hostAddr.Addr() {
		t.Errorf("the kernel reads %+v", c)
	}
}

func TestLinuxCmdline(t *testing.T) {
	got := linuxCmdline(defaultLinuxCmdline, 2596144, []string{"virtio", "virtio_ring", "virtio_mmio"})
	want := "console=ttyS0 quiet panic=-1 tsc_early_khz=2596144 netinit.modules=virtio,virtio_ring,virtio_mmio netinit.ip=192.0.2.2/24 netinit.exec=/httpd"
	if got != want {
		t.Errorf("linuxCmdline:\n got %s\nwant %s", got, want)
	}
	if got := linuxCmdline("", 0, nil); !strings.HasPrefix(got, "netinit.modules= ") {
		t.Errorf("empty base, no TSC frequency: %q", got)
	}
	if got := linuxCmdline("console=ttyS0 tsc_early_khz=1000", 2596144, nil); strings.Count(got, "tsc_early_khz=") != 1 {
		t.Errorf("a frequency in the base is not replaced: %q", got)
	}
}

// The two guests' QEMU command lines differ only in the kernel, its
// command line, the initramfs and ACPI (see linuxMachine).
func TestGuestsShareQEMUArgs(t *testing.T) {
	o, err := parseFlags([]string{"-cpus", "2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := baseConfig(o, qemu.TCG, "benchtap0")
	coracle, err := qemuArgs(base, "httpd.img", coracleCmdline(o.cpus))
	if err != nil {
		t.Fatal(err)
	}
	linux, err := qemuArgs(base, "vmlinux", "console=ttyS0", "-initrd", "initramfs.cpio")
	if err != nil {
		t.Fatal(err)
	}
	if linux, err = linuxguest.WithMachine(linux, linuxMachine); err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]string{
		{"-M", "microvm,acpi=off,rtc=on"},
		{"-accel", "tcg", "-cpu", "max"},
		{"-m", "256"},
		{"-smp", "2,sockets=1,cores=2,threads=1"},
		{"-netdev", "tap,id=net0,ifname=benchtap0,script=no,downscript=no", "-device", "virtio-net-device,netdev=net0"},
	} {
		if !containsRun(coracle, want) {
			t.Errorf("coracle's QEMU arguments lack %q: %q", want, coracle)
		}
	}
	if !containsRun(linux, []string{"-M", "microvm,acpi=on,ioapic2=off,rtc=on"}) || !containsRun(linux, []string{"-initrd", "initramfs.cpio"}) {
		t.Errorf("Linux's QEMU arguments: %q", linux)
	}
	strip := func(args []string) []string {
		var out []string
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "-M", "-kernel", "-append", "-initrd":
				i++
				continue
			}
			out = append(out, args[i])
		}
		return out
	}
	if a, b := strip(coracle), strip(linux); !slices.Equal(a, b) {
		t.Errorf("the guests' QEMU arguments differ beyond -M, -kernel, -append and -initrd:\ncoracle %q\nLinux   %q", a, b)
	}
}

// containsRun reports whether want appears in args as consecutive
// elements.
func containsRun(args, want []string) bool {
	for i := range args {
		if i+len(want) <= len(args) && slices.Equal(args[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
