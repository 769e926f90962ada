// Package ext4 reads ext4 file systems: the on-disk format that Linux's
// Documentation/filesystems/ext4/ describes (cited below by file name
// and heading, e.g. super.rst "Super Block"). It is coracle's own
// implementation, built to the layout mkfs.ext4 gives by default on
// Debian (extents, 64bit, flex_bg, metadata_csum, dir_index, huge_file,
// large inodes) and designed so that writing and the jbd2 journal can be
// added beside it: all metadata passes through one block cache over a
// Device that can also write and flush.
//
// Open checks the superblock and the group descriptors and refuses, by
// name, an incompat feature this package cannot read, and a journal that
// needs recovery. Every metadata block is verified when it is read (with
// metadata_csum its crc32c, see checksums.rst "Checksums", and always its
// structure), so a damaged image gives an *Error that names the damaged
// object instead of wrong data.
//
// Errors carry Linux errnos as ext4 reports them: EBADMSG for a checksum
// that does not match (Linux's EFSBADCRC), EUCLEAN for any other
// inconsistency (EFSCORRUPTED), EIO when the device fails, and ENOENT,
// ENOTDIR, EISDIR, EINVAL, ENAMETOOLONG for the caller's mistakes.
//
// Trap context: none. The code runs in ring-3 goroutines (a file
// service) and on the host in tests; it allocates freely. An *FS is safe
// for concurrent use.
package ext4
