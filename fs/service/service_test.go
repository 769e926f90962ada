package service

import (
	"reflect"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// Mounts numbers shares and disks together, in command-line order,
// leaving out what the kernel leaves out.
func TestMounts(t *testing.T) {
	cmd := "quiet coracle.share=share0:/data coracle.disk=/mnt/disk0:ro coracle.disk=/bad%zz " +
		"coracle.arg=x coracle.share=share1:/a%20b:ro coracle.disk=/mnt/disk1"
	all := Mounts(cmd, 0)
	want := []Mount{
		{Index: 0, Kind: shares.KindShare, Tag: "share0", Guest: "/data"},
		{Index: 1, Kind: shares.KindDisk, Guest: "/mnt/disk0", ReadOnly: true},
		{Index: 2, Kind: shares.KindShare, Tag: "share1", Guest: "/a b", ReadOnly: true},
		{Index: 3, Kind: shares.KindDisk, Guest: "/mnt/disk1"},
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("Mounts = %+v\nwant %+v", all, want)
	}
	disks := Mounts(cmd, shares.KindDisk)
	if !reflect.DeepEqual(disks, []Mount{want[1], want[3]}) {
		t.Errorf("disks = %+v", disks)
	}
}
