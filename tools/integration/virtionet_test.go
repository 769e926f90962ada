package integration

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/kernel/cmdline"
	"github.com/coracle-os/coracle/tools/qemu"
)

// The virtio-net driver, running as goroutines, exchanges Ethernet frames
// with QEMU user networking through virtqueues in DMA memory, woken by
// the device's interrupt: an ARP request for the gateway gets its reply.
// Both virtio-mmio versions: legacy (QEMU's default) and version 2
// (Firecracker's).
func TestVirtioNetARP(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	img := filepath.Join(t.TempDir(), "netprobe.img")
	if res := coracle(t, "build", "-o", img, "./tools/integration/testdata/netprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build: %s", res)
	}
	// microvm's first virtio-mmio device: the last slot, IRQ 12.
	cl, err := cmdline.Encode("", []string{"virtio_mmio.device=512@0xfeb00e00:12"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, transport := range []struct{ name, legacy string }{{"mmio-legacy", "true"}, {"mmio-v2", "false"}} {
		t.Run(transport.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out, errOut bytes.Buffer
			o, err := qemu.Run(ctx, qemu.Config{
				Image: img, Cmdline: cl, Machine: qemu.Microvm, MemoryMiB: 128, Accel: qemu.TCG,
				ExtraArgs: []string{"-global", "virtio-mmio.force-legacy=" + transport.legacy,
					"-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"},
			}, qemu.Streams{Stdout: &out, Stderr: &errOut})
			console := strings.ReplaceAll(out.String(), "\r\n", "\n")
			if err != nil || o.Err != nil || o.Status != 0 {
				t.Fatalf("run: %v, outcome %+v\n%s%s", err, o, console, errOut.String())
			}
			for _, want := range []string{
				"nic: virtio-net at MMIO 0xfeb00e00 irq 12, MAC 52:54:00:12:34:56, link up true",
				"arp: 10.0.2.2 is at 52:55:0a:00:02:02", // slirp's gateway
			} {
				if !strings.Contains(console, want) {
					t.Errorf("console lacks %q\n%s", want, console)
				}
			}
		})
	}
}
