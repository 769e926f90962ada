// Package disk makes raw ext4 disk images on the host for the guest's
// virtio-blk disks: Create runs the host's mkfs.ext4 (e2fsprogs),
// optionally filling the file system from a host directory (mkfs.ext4 -d),
// then checks the result with e2fsck -fn and reads its features back with
// dumpe2fs -h before putting the image in place.
//
// Every image has the same geometry and feature set, whatever the size
// and whatever the host's /etc/mke2fs.conf says, because the guest's ext4
// must support exactly what is on the disk: mkfs.ext4 runs with coracle's
// own configuration (MKE2FS_CONFIG), which asks for the features Debian's
// mke2fs.conf gives ext4 (see Features), 256-byte inodes and 4 KiB blocks
// (BlockSize) even below 512 MiB, where mke2fs would otherwise choose
// 1 KiB blocks: 4 KiB is the guest's page size.
//
// Host only: never linked into an image.
package disk
