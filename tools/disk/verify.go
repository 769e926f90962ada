package disk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Verify checks the ext4 image file: e2fsck -fn must find it clean, and
// dumpe2fs -h must show every one of Features, BlockSize and InodeSize
// (an older mke2fs may lack one without failing).
func Verify(ctx context.Context, file string) error {
	e2fsck, err := LookPath("e2fsck")
	if err != nil {
		return err
	}
	// -f checks even a file system marked clean; -n opens it read-only
	// and answers no to every question. Exit status 0 means no errors.
	if out, err := exec.CommandContext(ctx, e2fsck, "-fn", file).CombinedOutput(); err != nil {
		return fmt.Errorf("e2fsck -fn %s is not clean (%v)%s", file, err, indent(out))
	}
	sb, err := Superblock(ctx, file)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, f := range strings.Fields(sb["Filesystem features"]) {
		have[f] = true
	}
	var missing []string
	for _, f := range Features {
		if !have[f] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s lacks the ext4 features %s (it has %s): mkfs.ext4 is too old; coracle needs e2fsprogs 1.43 or newer", file, strings.Join(missing, ", "), sb["Filesystem features"])
	}
	for _, want := range []struct {
		field string
		value int
	}{{"Block size", BlockSize}, {"Inode size", InodeSize}} {
		if got, err := strconv.Atoi(sb[want.field]); err != nil || got != want.value {
			return fmt.Errorf("%s has %s %q, want %d", file, strings.ToLower(want.field), sb[want.field], want.value)
		}
	}
	return nil
}

// Superblock returns the fields of file's superblock as dumpe2fs -h
// prints them ("Block size" -> "4096").
func Superblock(ctx context.Context, file string) (map[string]string, error) {
	dumpe2fs, err := LookPath("dumpe2fs")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, dumpe2fs, "-h", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("dumpe2fs -h %s failed (%v)%s", file, err, indent(stderr.Bytes()))
	}
	fields := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return fields, nil
}
