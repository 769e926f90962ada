// Package ext4 reads and writes ext4 file systems: the on-disk format
// that Linux's Documentation/filesystems/ext4/ describes (cited below by
// file name and heading, e.g. super.rst "Super Block"). It is coracle's
// own implementation, built to the layout mkfs.ext4 gives by default on
// Debian (extents, 64bit, flex_bg, metadata_csum, dir_index, huge_file,
// large inodes).
//
// Open checks the superblock and the group descriptors and refuses, by
// name, an incompat feature this package cannot read, and a journal that
// needs recovery. Every metadata block is verified when it is read (with
// metadata_csum its crc32c, see checksums.rst "Checksums", and always its
// structure), so a damaged image gives an *Error that names the damaged
// object instead of wrong data.
//
// Mount opens a file system for writing: it replays the journal
// (package jbd2) if needed, and every metadata change after it goes
// through a handle (begin/end) in the running transaction, which commits
// to the journal on Sync, SyncFS, Unmount, by size and every 5 s
// (journalling.rst "Overview"). File data is written to the device
// before the transaction that maps it commits (data=ordered). The
// allocators (bitmaps.rst, allocators.rst) keep bitmaps, group
// descriptors, checksums and superblock counts exact in each transaction;
// extent trees grow, split and shrink as ifork.rst "Extent Tree" lays
// them out. Names change (Create, Mkdir, Symlink, Link, Unlink, Rmdir,
// Rename) in one handle each; a directory that outgrows its first block
// becomes a hash tree, whose leaves and index nodes split as
// directory.rst "Hash Tree Directories" lays them out (dirops.go).
// docs/ext4.md describes the policies.
//
// Errors carry Linux errnos as ext4 reports them: EBADMSG for a checksum
// that does not match (Linux's EFSBADCRC), EUCLEAN for any other
// inconsistency (EFSCORRUPTED), EIO when the device fails, ENOSPC,
// EFBIG, EROFS, and ENOENT, ENOTDIR, EISDIR, EINVAL, ENAMETOOLONG for the
// caller's mistakes.
//
// Trap context: none. The code runs in ring-3 goroutines (a file
// service) and on the host in tests; it allocates freely. An *FS is safe
// for concurrent use: reads share a lock, changes hold it alone.
package ext4
