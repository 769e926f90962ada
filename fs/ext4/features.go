package ext4

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Feature bits of the superblock (super.rst "Super Block":
// s_feature_compat, s_feature_incompat, s_feature_ro_compat). Names are
// the ones dumpe2fs and mkfs.ext4 -O use.
const (
	compatHasJournal  = 0x4
	compatDirIndex    = 0x20
	compatOrphanFile  = 0x1000
	incompatFiletype  = 0x2
	incompatRecover   = 0x4
	incompatJournalDv = 0x8
	incompatMetaBG    = 0x10
	incompatExtents   = 0x40
	incompat64bit     = 0x80
	incompatFlexBG    = 0x200
	incompatCsumSeed  = 0x2000
	incompatLargedir  = 0x4000
	incompatInline    = 0x8000
	roHugeFile        = 0x8
	roGdtCsum         = 0x10
	roBigalloc        = 0x200
	roMetadataCsum    = 0x400
)

var compatNames = map[uint32]string{
	0x1: "dir_prealloc", 0x2: "imagic_inodes", 0x4: "has_journal", 0x8: "ext_attr",
	0x10: "resize_inode", 0x20: "dir_index", 0x40: "lazy_bg", 0x80: "exclude_inode",
	0x100: "exclude_bitmap", 0x200: "sparse_super2", 0x400: "fast_commit",
	0x800: "stable_inodes", 0x1000: "orphan_file",
}

var incompatNames = map[uint32]string{
	0x1: "compression", 0x2: "filetype", 0x4: "needs_recovery", 0x8: "journal_dev",
	0x10: "meta_bg", 0x40: "extent", 0x80: "64bit", 0x100: "mmp", 0x200: "flex_bg",
	0x400: "ea_inode", 0x1000: "dirdata", 0x2000: "metadata_csum_seed",
	0x4000: "large_dir", 0x8000: "inline_data", 0x10000: "encrypt", 0x20000: "casefold",
}

var roCompatNames = map[uint32]string{
	0x1: "sparse_super", 0x2: "large_file", 0x4: "btree_dir", 0x8: "huge_file",
	0x10: "uninit_bg", 0x20: "dir_nlink", 0x40: "extra_isize", 0x80: "snapshot",
	0x100: "quota", 0x200: "bigalloc", 0x400: "metadata_csum", 0x800: "replica",
	0x1000: "read-only", 0x2000: "project", 0x4000: "shared_blocks", 0x8000: "verity",
	0x10000: "orphan_present",
}

// readIncompat is the incompat set this package reads: the image features
// of `coracle disk create` and Debian's mkfs.ext4 (filetype, extent,
// 64bit, flex_bg) plus metadata_csum_seed, which newer mkfs.ext4 turns on.
// needs_recovery is handled apart (Open refuses it with its own message).
const readIncompat = incompatFiletype | incompatExtents | incompat64bit | incompatFlexBG | incompatCsumSeed

// readROCompat is the ro_compat set this package has been built for.
// Reading needs none of them; a write side must refuse the rest.
const readROCompat = 0x1 | 0x2 | roHugeFile | roGdtCsum | 0x20 | 0x40 | roMetadataCsum | 0x100 | 0x2000 | 0x10000

// Features are the superblock's three feature sets.
type Features struct{ Compat, Incompat, ROCompat uint32 }

// UnknownROCompat returns the ro_compat features outside the set this
// package was built for. Reading ignores them, as Linux's read-only
// mounts do; a writer must refuse to write while any is set.
func (f Features) UnknownROCompat() Features { return Features{ROCompat: f.ROCompat &^ readROCompat} }

// Names lists the features by their mkfs.ext4 names; unknown bits show
// as compat_0x..., incompat_0x... or ro_compat_0x....
func (f Features) Names() []string {
	var names []string
	names = appendNames(names, f.Compat, compatNames, "compat")
	names = appendNames(names, f.Incompat, incompatNames, "incompat")
	return appendNames(names, f.ROCompat, roCompatNames, "ro_compat")
}

func appendNames(names []string, set uint32, table map[uint32]string, kind string) []string {
	for set != 0 {
		bit := uint32(1) << bits.TrailingZeros32(set)
		set &^= bit
		if n, ok := table[bit]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("%s_%#x", kind, bit))
		}
	}
	return names
}

// checkFeatures returns the error Open gives for features it cannot
// read, or nil. With recovering, needs_recovery is allowed: Mount
// replays the journal.
func checkFeatures(f Features, recovering bool) error {
	if f.Incompat&incompatRecover != 0 && !recovering {
		return errorf(linux.EINVAL, "the journal needs recovery (needs_recovery is set): the file system was not unmounted cleanly; replay the journal first (e2fsck -E journal_only, or mount it in Linux)")
	}
	if bad := f.Incompat &^ (readIncompat | incompatRecover); bad != 0 {
		return errorf(linux.EINVAL, "unsupported incompat feature(s): %s", strings.Join(Features{Incompat: bad}.Names(), ", "))
	}
	if f.Incompat&incompatExtents == 0 {
		return errorf(linux.EINVAL, "unsupported: the extent feature is off (ext2/ext3-style block-mapped files are not supported)")
	}
	if f.ROCompat&roBigalloc != 0 {
		return errorf(linux.EINVAL, "unsupported ro_compat feature: bigalloc")
	}
	return nil
}
