package linuxguest

import (
	"slices"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/qemu"
)

func TestDiskGuestArgs(t *testing.T) {
	g := DiskGuest{Kernel: Kernel{Vmlinux: "/k/vmlinux"}, Initramfs: "/k/init.cpio"}
	args, err := g.Args(qemu.TCG, 512, "console=ttyS0 tsc_early_khz=1", "/d/disk.img", "writeback", []string{"-mount", "/dev/vda"})
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Join(args, " ")
	for _, want := range []string{
		"-M " + MicrovmACPI,
		"-append console=ttyS0 tsc_early_khz=1 -- -mount /dev/vda",
		"-smp 1 -initrd /k/init.cpio",
		"-drive file=/d/disk.img,format=raw,if=none,id=disk0,cache=writeback -device virtio-blk-device,drive=disk0",
		"-m 512",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("args lack %q: %s", want, line)
		}
	}
	if i := slices.Index(args, "-kernel"); i < 0 || args[i+1] != "/k/vmlinux" {
		t.Errorf("no -kernel /k/vmlinux: %s", line)
	}
}
