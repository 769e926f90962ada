// Package jbd2 reads, writes and replays the journal of an ext4 file
// system in the jbd2 on-disk format, the format Linux and e2fsprogs
// share (Documentation/filesystems/ext4/journal.rst, "Journal (jbd2)";
// the model of handles, transactions and checkpoints is in
// Documentation/filesystems/journalling.rst, "Overview").
//
// The journal lives in the blocks of the journal inode (inode 8,
// special_inodes.rst). This package does not read inodes: the caller
// resolves the inode's extents and passes them as a mapping from journal
// block number to device block number (Extent). Journal block 0 holds
// the journal superblock; the circular log runs from s_first to s_maxlen.
//
// What it supports (journal.rst "Super Block", feature tables): a v2
// journal superblock; the incompat features REVOKE, 64BIT, CSUM_V2 and
// CSUM_V3; crc32c as the checksum type. It refuses, naming them, the v1
// superblock, the compat CHECKSUM (v1) feature, ASYNC_COMMIT,
// FAST_COMMIT and every incompat bit it does not know. New transactions
// are written with CSUM_V3 tags when the journal has CSUM_V3 (SetFeatures
// turns it on in an empty journal, as Linux does at a read-write mount of
// a metadata_csum file system).
//
// Writing (Journal.Commit): one transaction is a run of descriptor
// blocks, each followed by the journal copies of the blocks its tags
// name, then a commit block. Its durability follows Linux without
// async_commit: descriptor and data blocks, FLUSH, commit block, FLUSH.
// A transaction is durable once Commit returns. Journal.Checkpoint
// writes the committed blocks in place, FLUSHes, and marks the journal
// empty (s_start = 0). Commit checkpoints by itself when the log has no
// room for the next transaction.
//
// No revoke records are written. That is safe only because the file
// system above never reuses a block freed in a transaction before that
// transaction is checkpointed: a replay could otherwise write an old
// journalled copy of a metadata block over data that now lives there.
// Revoke records written by others (Linux, debugfs) are honoured in
// replay.
//
// Replay (Journal.Recover) follows the three passes of Linux and e2fsck
// (fs/jbd2/recovery.c): scan for the end of the log, collect revoke
// records, copy the unrevoked blocks home. It is stricter than Linux in
// one respect: a transaction with any bad checksum (descriptor, revoke,
// data block or commit) ends the log in the scan pass, so that it and
// everything after it are dropped whole; Linux skips single bad data
// blocks of a committed transaction and reports an error.
//
// Trap context: none. The package runs in ring-3 goroutines (and on the
// host in tests) and allocates freely.
package jbd2
