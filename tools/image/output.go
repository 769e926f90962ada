package image

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
)

// defaultOutputName is the image name for the package at importPath: its
// last element, skipping a major-version suffix as go build does
// (example.com/tool/v2 gives tool.img).
func defaultOutputName(importPath string) string {
	name := path.Base(importPath)
	if majorVersion.MatchString(name) && path.Dir(importPath) != "." {
		name = path.Base(path.Dir(importPath))
	}
	return name + ".img"
}

var majorVersion = regexp.MustCompile(`^v([2-9]|[1-9][0-9]+)$`)

// pendingOutput is an image being written: a temporary file beside the
// final path, renamed over it once complete, so that the path never holds
// a partial image.
type pendingOutput struct {
	name      string // the path as the user gave it, for messages
	path      string
	tmp       *os.File
	committed bool
}

// createOutput starts writing the image at path, which the user named
// name. It runs before the build so that an unwritable path is reported
// at once.
func createOutput(name, path string) (*pendingOutput, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("cannot write %s: it is a directory; choose another path with -o", name)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, unwritable(name, err)
	}
	return &pendingOutput{name: name, path: path, tmp: tmp}, nil
}

// commit writes img and moves it into place with mode 0755.
func (o *pendingOutput) commit(img []byte) error {
	_, err := o.tmp.Write(img)
	if err == nil {
		err = o.tmp.Chmod(0o755)
	}
	if cerr := o.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.tmp.Name(), o.path)
	}
	if err != nil {
		return unwritable(o.name, err)
	}
	o.committed = true
	return nil
}

// abandon removes the temporary file unless commit moved it into place.
func (o *pendingOutput) abandon() {
	if !o.committed {
		o.tmp.Close()
		os.Remove(o.tmp.Name())
	}
}

// unwritable reports a failure to write the image. The temporary file's
// name in an *os.PathError or *os.LinkError would only confuse; the
// underlying reason (permission denied, no space left) is what matters.
func unwritable(name string, err error) error {
	var pathErr *os.PathError
	var linkErr *os.LinkError
	if errors.As(err, &pathErr) {
		err = pathErr.Err
	} else if errors.As(err, &linkErr) {
		err = linkErr.Err
	}
	return fmt.Errorf("cannot write %s: %w; choose another path with -o", name, err)
}
