package disk

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Package is the Debian package that provides mkfs.ext4, e2fsck,
// dumpe2fs and debugfs.
const Package = "e2fsprogs"

// sbinDirs are searched after PATH: e2fsprogs installs its commands in
// /usr/sbin (/sbin on older systems), which an ordinary user's PATH often
// lacks although the commands work without root on image files.
var sbinDirs = []string{"/usr/sbin", "/sbin"}

// NotFoundError means an e2fsprogs command is neither in PATH nor in
// /usr/sbin or /sbin.
type NotFoundError struct{ Command string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s not found in PATH, /usr/sbin or /sbin: install Debian's package with `apt-get install -y %s` (or run `make test-tools`, which installs it)", e.Command, Package)
}

// LookPath finds the e2fsprogs command name (mkfs.ext4, e2fsck, dumpe2fs,
// debugfs) in PATH, then in /usr/sbin and /sbin. The error is a
// *NotFoundError that says how to install it.
func LookPath(name string) (string, error) {
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	} else if !errors.Is(err, exec.ErrNotFound) {
		return "", err
	}
	for _, dir := range sbinDirs {
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return path, nil
		}
	}
	return "", &NotFoundError{name}
}
