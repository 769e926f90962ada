package disk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Options describe the image Create makes.
type Options struct {
	File  string // the image file to write
	Size  int64  // its size in bytes (CheckSize)
	From  string // a host directory whose tree fills the file system; empty for none
	Label string // the file system's volume label; empty for none
	Force bool   // replace File if it exists
}

// MaxLabel is the longest volume label ext4 holds, in bytes.
const MaxLabel = 16

// Check reports the mistakes in o that need no e2fsprogs: a bad size or
// label, a From that is not a directory, a File that exists (without
// Force) or is not a regular file.
func (o Options) Check() error {
	if o.File == "" {
		return errors.New("no image file given")
	}
	if err := CheckSize(o.Size); err != nil {
		return err
	}
	if len(o.Label) > MaxLabel {
		return fmt.Errorf("label %q is %d bytes; ext4 holds at most %d", o.Label, len(o.Label), MaxLabel)
	}
	if o.From != "" {
		fi, err := os.Stat(o.From)
		if err != nil {
			return fmt.Errorf("--from %s: %w", o.From, unwrapPath(err))
		}
		if !fi.IsDir() {
			return fmt.Errorf("--from %s is not a directory: give the directory whose tree goes into the image", o.From)
		}
	}
	switch fi, err := os.Lstat(o.File); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("%s: %w", o.File, unwrapPath(err))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s exists and is not a regular file (%s): disk create writes image files only; choose another name", o.File, fi.Mode().Type())
	case !o.Force:
		return fmt.Errorf("%s exists: choose another name, or add --force to replace it", o.File)
	}
	return nil
}

// unwrapPath drops the operation and path from a *fs.PathError, which the
// caller's message names already.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Create makes the ext4 image o describes. It writes a sparse file beside
// o.File, formats it with mkfs.ext4 (filled from o.From with -d), checks
// it with e2fsck -fn and dumpe2fs -h (Verify), and only then renames it
// to o.File; on any failure o.File is left as it was.
func Create(ctx context.Context, o Options) error {
	if err := o.Check(); err != nil {
		return err
	}
	mkfs, err := LookPath("mkfs.ext4")
	if err != nil {
		return err
	}
	// Find the checkers before the long part.
	for _, name := range []string{"e2fsck", "dumpe2fs"} {
		if _, err := LookPath(name); err != nil {
			return err
		}
	}

	tmpDir, err := os.MkdirTemp("", "coracle-disk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpDir)
	conf := filepath.Join(tmpDir, "mke2fs.conf")
	if err := os.WriteFile(conf, []byte(mke2fsConfig), 0o644); err != nil {
		return err
	}

	// The image is made under a temporary name in o.File's directory, so
	// that the final rename replaces o.File in one step.
	tmp, err := createTemp(o.File)
	if err != nil {
		return fmt.Errorf("creating %s: %w", o.File, unwrapPath(err))
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmp)
		}
	}()

	args := []string{"-q", "-F"}
	if o.From != "" {
		args = append(args, "-d", o.From)
	}
	if o.Label != "" {
		args = append(args, "-L", o.Label)
	}
	// The size with its unit, k (KiB): mke2fs(8) reads a plain number as
	// KiB, or as blocks when -b is given.
	args = append(args, tmp, fmt.Sprintf("%dk", o.Size/1024))
	cmd := exec.CommandContext(ctx, mkfs, args...)
	cmd.Env = append(os.Environ(), "MKE2FS_CONFIG="+conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := fmt.Sprintf("mkfs.ext4 failed (%v)", err)
		if o.From != "" && bytes.Contains(out, []byte("Could not allocate block")) {
			msg = fmt.Sprintf("the tree under %s does not fit in %s: use a larger --size", o.From, FormatSize(o.Size))
		}
		return fmt.Errorf("%s: %s%s", o.File, msg, indent(out))
	}
	if err := Verify(ctx, tmp); err != nil {
		return fmt.Errorf("%s: the new image is not right, so it was not kept: %w", o.File, err)
	}
	if err := os.Rename(tmp, o.File); err != nil {
		return err
	}
	keep = true
	return nil
}

// createTemp creates an empty file with a new name in file's directory
// and returns its name. Unlike os.CreateTemp it asks for mode 0666, which
// the umask trims as it does for any new file: the image should be as
// readable as the files its user makes.
func createTemp(file string) (string, error) {
	dir, base := filepath.Split(file)
	for {
		name := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%d", base, rand.Uint32()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return name, f.Close()
	}
}

// indent returns the command output out as indented lines after a
// newline, or "" when there is none.
func indent(out []byte) string {
	s := strings.TrimSpace(string(out))
	if s == "" {
		return ""
	}
	return "\n    " + strings.ReplaceAll(s, "\n", "\n    ")
}
