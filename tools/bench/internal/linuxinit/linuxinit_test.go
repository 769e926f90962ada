package linuxinit

import (
	"slices"
	"testing"
)

func TestModules(t *testing.T) {
	if got := Modules(""); got != nil {
		t.Errorf(`Modules("") = %q`, got)
	}
	if got := Modules("virtio_ring,virtio,9p"); !slices.Equal(got, []string{"virtio_ring", "virtio", "9p"}) {
		t.Errorf("Modules = %q", got)
	}
}

func TestMountCommand(t *testing.T) {
	if got := mountCommand("devtmpfs", "/dev", "devtmpfs", ""); got != "mount -t devtmpfs devtmpfs /dev" {
		t.Errorf("without options: %q", got)
	}
	if got := mountCommand("share0", "/share", "9p", "trans=virtio"); got != "mount -t 9p -o trans=virtio share0 /share" {
		t.Errorf("with options: %q", got)
	}
}
