package linuxguest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/coracle-os/coracle/tools/internal/newc"
)

// Initramfs is the content of an initramfs: /init, /dev/console for its
// standard streams, and further files. Linux's built-in initramfs has
// /dev/console too; having our own does not depend on that.
type Initramfs struct {
	Init  []byte // the /init program, a static linux/amd64 executable
	Files []File // more files; the directories on their paths are created
}

// File is a regular file of an Initramfs.
type File struct {
	Path string // relative to the root, with '/' separators: "lib/modules/virtio.ko"
	Perm uint32 // permission bits: 0o644, 0o755
	Data []byte
}

// Bytes returns the archive: a newc cpio archive, uncompressed.
func (fs Initramfs) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	w := newc.NewWriter(&buf)
	w.Dir("dev", 0o755)
	w.CharDev("dev/console", 0o600, 5, 1)
	w.File("init", 0o755, fs.Init)
	made := map[string]bool{".": true, "dev": true, "dev/console": true, "init": true}
	var mkdirs func(dir string)
	mkdirs = func(dir string) {
		if made[dir] {
			return
		}
		mkdirs(path.Dir(dir))
		w.Dir(dir, 0o755)
		made[dir] = true
	}
	files := slices.Clone(fs.Files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range files {
		p := path.Clean(f.Path)
		if path.IsAbs(p) || p == "." || p == "init" || strings.HasPrefix(p, "../") || made[p] {
			return nil, fmt.Errorf("initramfs: bad or repeated file path %q", f.Path)
		}
		mkdirs(path.Dir(p))
		w.File(p, f.Perm, f.Data)
		made[p] = true
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes the archive to name.
func (fs Initramfs) WriteFile(name string) error {
	b, err := fs.Bytes()
	if err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}

// GoBuild builds pkg to out for GOOS=linux GOARCH=amd64 without cgo,
// that is statically linked: a program that runs as a Linux guest's
// /init with nothing else in the file system. flags go to go build
// before the package.
func GoBuild(ctx context.Context, out, pkg string, flags ...string) error {
	args := append([]string{"build", "-o", out}, flags...)
	cmd := command(ctx, "", "go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, strings.TrimSpace(string(b)))
	}
	return nil
}
