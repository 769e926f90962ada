package image

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/coracle-os/coracle/tools/internal/newc"
)

// Files is a host directory whose tree the guest finds under GuestDir.
type Files struct {
	HostDir  string // a directory on the host
	GuestDir string // absolute; "/" puts HostDir's entries at the root
}

// ParseFiles parses a --files value, DIR[:GUESTDIR]: DIR must be a
// directory and GUESTDIR absolute (default "/").
func ParseFiles(v string) (Files, error) {
	dir, guest, found := strings.Cut(v, ":")
	if !found {
		guest = "/"
	}
	if dir == "" {
		return Files{}, fmt.Errorf("want DIR[:GUESTDIR], a host directory and where the guest finds it")
	}
	if guest == "" || !path.IsAbs(guest) {
		return Files{}, fmt.Errorf("guest directory %q is not absolute: write it from / (%s:/srv)", guest, dir)
	}
	if fi, err := os.Stat(dir); err != nil {
		return Files{}, fmt.Errorf("%v: name an existing directory", err)
	} else if !fi.IsDir() {
		return Files{}, fmt.Errorf("%s is not a directory: name the directory that holds the files", dir)
	}
	return Files{HostDir: dir, GuestDir: path.Clean(guest)}, nil
}

// FilesArchive packs the trees in newc format, each entry named by its
// path in the guest, without the leading "/": the directories on the
// way to each GuestDir (mode 0755), then GuestDir itself (with HostDir's
// mode, unless it is the root, which keeps its own) and everything under
// it, with modes, modification times and symbolic links kept. Owners are
// not kept; other file types (devices, sockets, pipes) are an error.
func FilesArchive(files []Files) ([]byte, error) { return PackTrees(files, nil) }

// PackTrees is FilesArchive with a filter: keep, when not nil, is asked
// about every entry below each HostDir (its host path and entry) and
// leaves out those it answers false for; a directory left out is left
// out with everything in it.
func PackTrees(files []Files, keep func(hostPath string, d fs.DirEntry) bool) ([]byte, error) {
	var buf bytes.Buffer
	w := newc.NewWriter(&buf)
	made := map[string]bool{}
	for _, f := range files {
		guest := strings.TrimPrefix(path.Clean(f.GuestDir), "/")
		if guest != "" {
			parts := strings.Split(guest, "/")
			for i := 1; i < len(parts); i++ {
				if d := strings.Join(parts[:i], "/"); !made[d] {
					w.Mtime = 0
					w.Dir(d, 0o755)
					made[d] = true
				}
			}
		}
		// A DIR that is a symbolic link names the directory it points to.
		hostDir, err := filepath.EvalSymlinks(f.HostDir)
		if err != nil {
			return nil, fmt.Errorf("packing --files %s: %w", f.HostDir, err)
		}
		err = filepath.WalkDir(hostDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(hostDir, p)
			if err != nil {
				return err
			}
			name := path.Join(guest, filepath.ToSlash(rel))
			if name == "." || name == "" {
				return nil // the root keeps its own mode
			}
			if keep != nil && p != hostDir && !keep(p, d) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			w.Mtime = uint32(max(fi.ModTime().Unix(), 0))
			perm := uint32(fi.Mode().Perm())
			if fi.Mode()&fs.ModeSetuid != 0 {
				perm |= 0o4000
			}
			if fi.Mode()&fs.ModeSetgid != 0 {
				perm |= 0o2000
			}
			if fi.Mode()&fs.ModeSticky != 0 {
				perm |= 0o1000
			}
			switch t := fi.Mode().Type(); {
			case t == fs.ModeDir:
				w.Dir(name, perm)
			case t == fs.ModeSymlink:
				target, err := os.Readlink(p)
				if err != nil {
					return err
				}
				w.Symlink(name, target)
			case t == 0:
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				w.File(name, perm, data)
			default:
				return fmt.Errorf("%s is a %v, not a directory, regular file or symbolic link: leave it out of the --files directory", p, t)
			}
			made[name] = true
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("packing --files %s: %w", f.HostDir, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// filesOverlay packs the files into tmp and returns the overlay entries
// that embed them in the kernel: the kernel's fs_files_archive.go is
// replaced by one that declares filesArchive with //go:embed of an
// archive the overlay places beside it.
func filesOverlay(ctx context.Context, dir, tmp, kernelImport string, files []Files) (map[string]string, error) {
	archive, err := FilesArchive(files)
	if err != nil {
		return nil, err
	}
	out, err := goCommand(ctx, dir, "list", "-f", "{{.Dir}}", "--", kernelImport).Output()
	if err != nil {
		return nil, fmt.Errorf("finding the kernel's directory: go list %s: %v", kernelImport, err)
	}
	kernelDir := strings.TrimSpace(string(out))
	archivePath := filepath.Join(tmp, filesArchiveName)
	sourcePath := filepath.Join(tmp, filesSourceName)
	if err := os.WriteFile(archivePath, archive, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(sourcePath, []byte(filesSource), 0o644); err != nil {
		return nil, err
	}
	return map[string]string{
		filepath.Join(kernelDir, filesSourceName):  sourcePath,
		filepath.Join(kernelDir, filesArchiveName): archivePath,
	}, nil
}

// The kernel file the overlay replaces, and the archive it embeds.
const (
	filesSourceName  = "fs_files_archive.go"
	filesArchiveName = "zz_coracle_files.cpio"
)

// filesSource replaces the kernel's fs_files_archive.go.
const filesSource = `// Code generated by coracle build --files; DO NOT EDIT.

package kernel

import _ "embed"

// filesArchive is the program's files, embedded by coracle build --files.
//
//go:embed ` + filesArchiveName + `
var filesArchive string
`
