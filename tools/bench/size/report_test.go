package main

import (
	"strings"
	"testing"
)

func TestKiB(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 KiB"},
		{511, "0 KiB"},
		{512, "1 KiB"},
		{1024, "1 KiB"},
		{1234567, "1,206 KiB"},
		{-2048, "-2 KiB"},
		{1 << 30, "1,048,576 KiB"},
	} {
		if got := kib(c.n); got != c.want {
			t.Errorf("kib(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := signedKiB(3072); got != "+3 KiB" {
		t.Errorf("signedKiB(3072) = %q", got)
	}
}

// prog makes a program whose image is native plus kernel (and network)
// bytes, in KiB.
func prog(pkg string, native, kernel, network uint64) program {
	p := program{pkg: pkg}
	p.native.LoadFile, p.native.File = native<<10, int64(native<<10)
	p.image = p.native
	p.image.LoadFile += (kernel + network) << 10
	p.image.File += int64((kernel + network) << 10)
	p.image.Loaded[groupKernel] = kernel << 10
	p.image.Loaded[groupNetwork] = network << 10
	p.image.symbols = []symbol{{name: "github.com/coracle-os/coracle/kernel.dispatch", size: kernel << 10, group: groupKernel}}
	if network > 0 {
		p.image.symbols = append(p.image.symbols, symbol{name: "gvisor.dev/gvisor/pkg/tcpip/stack.New", size: network << 10, group: groupNetwork})
	}
	return p
}

func TestTargets(t *testing.T) {
	for _, c := range []struct {
		name                  string
		kernel, network       uint64
		wantKernel, wantNet   string
		wantListed, notListed string
	}{
		{"both met", 300, 3072, "| met |", "| met |", "", "Largest"},
		{"kernel missed", 400, 1000, "missed by 100 KiB", "| met |", "Largest kernel packages", "Largest network"},
		{"network missed", 200, 3100, "| met |", "missed by 28 KiB", "Largest network packages", "Largest kernel"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := report{
				programs:     []program{prog("hello", 2000, c.kernel, 0), prog("httpd", 6000, c.kernel, c.network)},
				kernelTarget: 300, networkTarget: 3072, top: 5,
			}
			var b strings.Builder
			r.writeTargets(&b)
			out := b.String()
			lines := strings.Split(out, "\n")
			var kernelRow, netRow string
			for _, l := range lines {
				if strings.HasPrefix(l, "| kernel |") {
					kernelRow = l
				}
				if strings.HasPrefix(l, "| network |") {
					netRow = l
				}
			}
			if !strings.Contains(kernelRow, c.wantKernel) || !strings.Contains(netRow, c.wantNet) {
				t.Errorf("kernel row %q (want %q), network row %q (want %q)", kernelRow, c.wantKernel, netRow, c.wantNet)
			}
			// The network's addition is httpd's less hello's: the kernel
			// is counted once.
			if want := "| +" + kib(int64(c.network<<10)) + " |"; !strings.Contains(netRow, want) {
				t.Errorf("network row %q lacks %q", netRow, want)
			}
			if c.wantListed != "" && !strings.Contains(out, c.wantListed) {
				t.Errorf("output lacks %q:\n%s", c.wantListed, out)
			}
			if strings.Contains(out, c.notListed) {
				t.Errorf("output has %q:\n%s", c.notListed, out)
			}
		})
	}
}

func TestTargetsNeedAProgramWithoutNetwork(t *testing.T) {
	r := report{programs: []program{prog("httpd", 6000, 300, 3000)}, kernelTarget: 300, networkTarget: 3072}
	var b strings.Builder
	r.writeTargets(&b)
	if !strings.Contains(b.String(), "No program without networking") {
		t.Errorf("output:\n%s", b.String())
	}
}
