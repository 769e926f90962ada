package disk

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// BlockSize is the file system block size of every image, in bytes.
const BlockSize = 4096

// MinSize is the smallest image Create makes, in bytes: 8 MiB, 2048 blocks
// of 4 KiB. mke2fs gives a file system of fewer than 2048 blocks no
// journal at all (it says "Filesystem too small for a journal" and goes
// on), and the guest's ext4 relies on the jbd2 journal; from 2048 blocks
// on it makes a journal of 1024 blocks (4 MiB), jbd2's minimum.
const MinSize = 2048 * BlockSize

// units are the size suffixes ParseSize accepts, binary multiples all:
// "M" and "MiB" both mean 2^20 bytes, as for mkfs.ext4, qemu-img and
// truncate.
var units = map[string]int64{
	"":  1,
	"K": 1 << 10,
	"M": 1 << 20,
	"G": 1 << 30,
	"T": 1 << 40,
}

// ParseSize parses an image size: a whole number of bytes, optionally
// followed by K, M, G or T (or KiB, MiB, GiB, TiB; either case), which
// are powers of 1024. It checks only the syntax; CheckSize checks the
// value.
func ParseSize(s string) (int64, error) {
	end := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(s)
	}
	digits, suffix := s[:end], s[end:]
	if digits == "" {
		return 0, fmt.Errorf("size %q is not a number of bytes: write e.g. 64M, 1G, 512MiB, 2GiB or 8388608", s)
	}
	unit := strings.ToUpper(suffix)
	if u, ok := strings.CutSuffix(unit, "IB"); ok && u != "" {
		unit = u
	}
	mult, ok := units[unit]
	if !ok {
		if strings.HasSuffix(unit, "B") {
			return 0, fmt.Errorf("size %q: unknown unit %q: sizes are in binary multiples, K/KiB, M/MiB, G/GiB or T/TiB (%sM is %s MiB)", s, suffix, digits, digits)
		}
		return 0, fmt.Errorf("size %q: unknown unit %q: use K, M, G or T (or KiB, MiB, GiB, TiB), or plain bytes", s, suffix)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * mult, nil
}

// CheckSize says whether size bytes make an image: at least MinSize and a
// whole number of blocks.
func CheckSize(size int64) error {
	switch {
	case size < MinSize:
		return fmt.Errorf("size %d bytes is below the minimum of 8 MiB (%d bytes): ext4 needs that much for its journal; use --size 8M or more", size, MinSize)
	case size%BlockSize != 0:
		return fmt.Errorf("size %d bytes is not a multiple of the %d-byte block: use %d or %d", size, BlockSize, size/BlockSize*BlockSize, (size/BlockSize+1)*BlockSize)
	}
	return nil
}

// FormatSize writes size in the largest binary unit that divides it.
func FormatSize(size int64) string {
	for _, u := range []string{"T", "G", "M", "K"} {
		if m := units[u]; size >= m && size%m == 0 {
			return fmt.Sprintf("%d %siB", size/m, u)
		}
	}
	return fmt.Sprintf("%d bytes", size)
}
