package integration

import (
	"strings"
	"testing"
)

// The virtio-net driver, running as goroutines, exchanges Ethernet frames
// with QEMU user networking through virtqueues in DMA memory, woken by
// the device's interrupt: an ARP request for the gateway gets its reply.
// Both virtio-mmio versions: legacy (QEMU's default) and version 2
// (Firecracker's).
func TestVirtioNetARP(t *testing.T) {
	img := buildTestProgram(t, "netprobe")
	for _, transport := range []struct{ name, legacy string }{{"mmio-legacy", "true"}, {"mmio-v2", "false"}} {
		t.Run(transport.name, func(t *testing.T) {
			// microvm's first virtio-mmio device: the last slot, IRQ 12.
			console := bootOnMicrovm(t, img, []string{"virtio_mmio.device=512@0xfeb00e00:12"},
				[]string{"-global", "virtio-mmio.force-legacy=" + transport.legacy,
					"-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"})
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
