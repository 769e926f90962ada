package integration

import (
	"strings"
	"testing"
)

// Drivers run as goroutines and reach devices through kernel/abi/devcall:
// mapped registers, DMA memory, interrupt descriptors. A probe program
// finds QEMU microvm's virtio-net device through them.
func TestDeviceAccessFromGoroutines(t *testing.T) {
	img := buildTestProgram(t, "devprobe")
	// QEMU microvm puts its first virtio-mmio device in the last of its
	// slots (base 0xfeb00000 + 512*i, IRQ 5+i) and names it on the
	// command line: 512@0xfeb00e00:12.
	console := bootOnMicrovm(t, img, []string{"0xfeb00e00", "12"},
		[]string{"-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"})
	if !strings.Contains(console, "virtio_mmio.device=512@0xfeb00e00:12") {
		t.Fatalf("QEMU did not name the device where the test expects it:\n%s", console)
	}
	for _, want := range []string{
		// "virt", legacy transport (QEMU's default), network card, "QEMU".
		"mmio: magic 0x74726976 version 1 device 1 vendor 0x554d4551",
		"dma: 12288 bytes, zeroed true, page-aligned true, writable true",
		"irq: opened irq12",
		"irq: second open: devcall: open IRQ 12: file exists",
		"mmio: mapping RAM: devcall: map MMIO 0x100000+0x1000: invalid argument",
	} {
		if !strings.Contains(console, want) {
			t.Errorf("console lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(console)
	}
}
