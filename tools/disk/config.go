package disk

import "strings"

// Features are the ext4 features of every image, as dumpe2fs names them:
// the features Debian's mke2fs.conf (e2fsprogs 1.47) gives ext4. A newer
// mke2fs.conf may add more (orphan_file, metadata_csum_seed); coracle's
// own configuration keeps them out so that the guest's ext4 sees the same
// set on every host. The journal is an internal jbd2 journal (inode 8).
var Features = append(append([]string(nil), baseFeatures...), ext4Features...)

// baseFeatures and ext4Features are the [defaults] base_features and the
// [fs_types] ext4 features of the configuration, as mke2fs.conf(5)
// splits them.
var (
	baseFeatures = []string{"sparse_super", "large_file", "filetype", "resize_inode", "dir_index", "ext_attr"}
	ext4Features = []string{"has_journal", "extent", "huge_file", "flex_bg", "metadata_csum", "64bit", "dir_nlink", "extra_isize"}
)

// InodeSize is the on-disk inode size of every image, in bytes.
const InodeSize = 256

// mke2fsConfig is the mke2fs.conf(5) that Create gives mkfs.ext4 in
// MKE2FS_CONFIG instead of the host's. Its block size applies to every
// usage type; the usage types mke2fs picks by size ("small" below
// 512 MiB, "big" from 4 TiB, "huge" from 16 TiB) change only the number
// of bytes per inode, as Debian's do.
var mke2fsConfig = `[defaults]
	base_features = ` + strings.Join(baseFeatures, ",") + `
	default_mntopts = acl,user_xattr
	enable_periodic_fsck = 0
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384

[fs_types]
	ext4 = {
		features = ` + strings.Join(ext4Features, ",") + `
	}
	small = {
		inode_ratio = 4096
	}
	big = {
		inode_ratio = 32768
	}
	huge = {
		inode_ratio = 65536
	}
`
