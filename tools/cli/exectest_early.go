package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/coracle-os/coracle/tools/image"
)

// Early files. The guest's shares are served by a file service that is
// Go code of the test binary, started by a package initializer; the
// packages it depends on (much of the standard library) and any the Go
// runtime happens to order first are initialized before it, and a
// package's test files may read files in their initializers (time's
// tests load America/Los_Angeles from $GOROOT/lib/time/zoneinfo.zip,
// others read testdata into package variables). Until the service
// registers, the kernel resolves paths in its own root file system
// beneath the mount points (see kernel/fs_share.go), so exec-test gives
// the guest, as a boot module, an early copy of what such initializers
// read: the package directory, within a budget, and, for the standard
// library's packages, $GOROOT/lib/time. The copy is read-only in
// effect: once the service runs, the same paths are the host's files.
const (
	// earlyFileMax is the largest file the early copy holds: package
	// initializers read small files; a test reads big ones later.
	earlyFileMax = 1 << 20
	// earlyTotalMax bounds the early copy: every byte is loaded and
	// unpacked at each boot of the test binary.
	earlyTotalMax = 8 << 20
)

// writeEarlyFiles packs the early copy for the package in pkgDir into
// out, a newc archive for QEMU's -initrd. goroot is "" when unknown.
func writeEarlyFiles(out, pkgDir, goroot string) error {
	trees := []image.Files{{HostDir: pkgDir, GuestDir: pkgDir}}
	if goroot != "" && within(pkgDir, filepath.Join(goroot, "src")) {
		zoneinfo := filepath.Join(goroot, "lib", "time")
		if fi, err := os.Stat(zoneinfo); err == nil && fi.IsDir() {
			trees = append(trees, image.Files{HostDir: zoneinfo, GuestDir: zoneinfo})
		}
	}
	var total int64
	keep := func(p string, d fs.DirEntry) bool {
		name := d.Name()
		switch t := d.Type(); {
		case t.IsDir():
			// Another module, or what the go command ignores.
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return false
			}
			_, err := os.Stat(filepath.Join(p, "go.mod"))
			return err != nil
		case t == fs.ModeSymlink:
			return true
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil || fi.Size() > earlyFileMax || total+fi.Size() > earlyTotalMax {
				return false
			}
			total += fi.Size()
			return true
		default:
			return false // sockets, pipes, devices: not files to read
		}
	}
	archive, err := image.PackTrees(trees, keep)
	if err != nil {
		return err
	}
	return os.WriteFile(out, archive, 0o644)
}
