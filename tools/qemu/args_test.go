package qemu

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestArgs(t *testing.T) {
	common := func(accel []string, mem string, tail ...string) []string {
		a := append(slices.Clone(accel), "-m", mem,
			"-nographic", "-chardev", "stdio,id=console,mux=on,signal=on", "-serial", "chardev:console", "-mon", "chardev=console,mode=readline",
			"-no-reboot", "-no-user-config", "-kernel", "hello.img")
		return append(a, tail...)
	}
	tcg := []string{"-accel", "tcg", "-cpu", "max"}
	kvm := []string{"-accel", "kvm", "-cpu", "host,-arch-capabilities"}
	debugExit := []string{"-device", "isa-debug-exit,iobase=0xf4,iosize=4"}
	firmwareMachine := func(m string) []string {
		return []string{"-M", m, "-nodefaults", "-fw_cfg", "name=etc/sercon-port,string=0"}
	}
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"defaults", Config{Image: "hello.img", Accel: TCG},
			slices.Concat([]string{"-M", "microvm,acpi=off,rtc=on"}, common(tcg, "256"), debugExit)},
		{"microvm KVM with a command line", Config{Image: "hello.img", Accel: KVM, Machine: Microvm, MemoryMiB: 64, Cmdline: "coracle.arg=-v"},
			slices.Concat([]string{"-M", "microvm,acpi=off,rtc=on"}, common(kvm, "64", "-append", "coracle.arg=-v"), debugExit)},
		{"q35", Config{Image: "hello.img", Accel: TCG, Machine: Q35, MemoryMiB: 512},
			slices.Concat(firmwareMachine("q35"), common(tcg, "512"), debugExit)},
		{"pc", Config{Image: "hello.img", Accel: KVM, Machine: PC},
			slices.Concat(firmwareMachine("pc"), common(kvm, "256"), debugExit)},
		{"gdb stub", Config{Image: "hello.img", Accel: TCG, GDB: "127.0.0.1:1234"},
			slices.Concat([]string{"-M", "microvm,acpi=off,rtc=on"}, common(tcg, "256"), debugExit, []string{"-gdb", "tcp:127.0.0.1:1234", "-S"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.Args()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Args:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestArgsErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no accelerator", Config{Image: "x"}, "not chosen"},
		{"unknown machine", Config{Image: "x", Accel: TCG, Machine: "virt"}, `unknown machine "virt": use microvm, q35 or pc`},
		{"too little memory", Config{Image: "x", Accel: TCG, MemoryMiB: 8}, "-m 8: a guest needs at least 16 MiB"},
		{"no image", Config{Accel: TCG}, "no image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cfg.Args()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Args error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseMachine(t *testing.T) {
	for in, want := range map[string]Machine{"": Microvm, "microvm": Microvm, "q35": Q35, "pc": PC} {
		if got, err := ParseMachine(in); err != nil || got != want {
			t.Errorf("ParseMachine(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"virt", "Q35", "pc-i440fx-7.2", "microvm,acpi=on"} {
		if _, err := ParseMachine(in); err == nil {
			t.Errorf("ParseMachine(%q) succeeded", in)
		}
	}
}

func TestCheckMemory(t *testing.T) {
	tests := []struct {
		mib, host int
		want      string // "" for no error
	}{
		{16, 8192, ""},
		{256, 0, ""},
		{8192, 8192, ""},
		{15, 8192, "at least 16 MiB"},
		{0, 8192, "at least 16 MiB"},
		{-1, 0, "at least 16 MiB"},
		{8193, 8192, "-m 8193: the host has only 8192 MiB of RAM"},
	}
	for _, tt := range tests {
		err := CheckMemory(tt.mib, tt.host)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckMemory(%d, %d) = %v, want %q", tt.mib, tt.host, err, tt.want)
		}
	}
}

func TestMemTotalMiB(t *testing.T) {
	meminfo := "MemFree:         1000000 kB\nMemTotal:       24684096 kB\nSwapTotal: 0 kB\n"
	if got := memTotalMiB([]byte(meminfo)); got != 24105 {
		t.Errorf("memTotalMiB = %d, want 24105", got)
	}
	if got := memTotalMiB([]byte("MemFree: 1 kB\n")); got != 0 {
		t.Errorf("memTotalMiB without MemTotal = %d, want 0", got)
	}
	if HostMemoryMiB() <= 0 {
		t.Error("HostMemoryMiB cannot read this machine's /proc/meminfo")
	}
}

func TestNetworkArgs(t *testing.T) {
	tests := []struct {
		machine Machine
		net     Network
		want    []string
		err     string
	}{
		{Microvm, Network{}, nil, ""},
		{Microvm, Network{Mode: NetNone}, nil, ""},
		{Microvm, Network{Mode: NetUser, Forwards: []Forward{{"tcp", 8080, 80}, {"udp", 5353, 53}}},
			[]string{"-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:127.0.0.1:5353-:53", "-device", "virtio-net-device,netdev=net0"}, ""},
		{Q35, Network{Mode: NetUser}, []string{"-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0,romfile="}, ""},
		{PC, Network{Mode: NetTap, Tap: "tap0"}, []string{"-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no", "-device", "virtio-net-pci,netdev=net0,romfile="}, ""},
		{Microvm, Network{Mode: NetTap, Tap: "a,b"}, nil, "not a tap device name"},
		{Microvm, Network{Mode: NetTap, Tap: "tap0", Forwards: []Forward{{"tcp", 1, 2}}}, nil, "user networking only"},
		{Microvm, Network{Mode: NetNone, Forwards: []Forward{{"tcp", 1, 2}}}, nil, "--net none"},
		{Microvm, Network{Mode: "bridge"}, nil, "unknown network"},
	}
	for _, tt := range tests {
		got, err := tt.net.Args(tt.machine)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v on %s: err %v, want %q", tt.net, tt.machine, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v on %s: got %q, %v; want %q", tt.net, tt.machine, got, err, tt.want)
		}
	}
}

func TestParseForward(t *testing.T) {
	good := map[string]Forward{
		"8080:80":     {"tcp", 8080, 80},
		"5353:53/udp": {"udp", 5353, 53},
		"1:65535/tcp": {"tcp", 1, 65535},
	}
	for in, want := range good {
		if got, err := ParseForward(in); err != nil || got != want {
			t.Errorf("ParseForward(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"8080", "0:80", "80:70000", "a:b", "80:80/sctp", ":80"} {
		if _, err := ParseForward(bad); err == nil {
			t.Errorf("ParseForward(%q) succeeded", bad)
		}
	}
}
