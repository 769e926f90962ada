package image

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The go command refuses overlays of files in the module cache, so the
// test file cannot be added to a package of a required module (coracle
// test go.etcd.io/bbolt) where it is. coracle test copies such a module
// into its temporary directory, writable, and points the build at the
// copy with a replace directive in a copy of the main module's go.mod,
// passed with go test -modfile; the user's go.mod is not touched.

// moduleCacheDir returns GOMODCACHE.
func moduleCacheDir(ctx context.Context, dir string) (string, error) {
	out, err := goCommand(ctx, dir, "env", "GOMODCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// mainModFile returns the main module's go.mod, or an error naming why
// there is none.
func mainModFile(ctx context.Context, dir string) (string, error) {
	out, err := goCommand(ctx, dir, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not in a module: coracle test runs in a module that requires %s", ModulePath)
	}
	return gomod, nil
}

// moduleCopy is a required module copied out of the module cache.
type moduleCopy struct {
	Path, Version, Dir string // Dir is the copy
}

// copyModules copies each module in mods (path@version to its directory
// in the module cache) under tmp/mod, and writes tmp/go.mod, a copy of
// gomod with a replace directive for each, and tmp/go.sum beside it. It
// returns the new go.mod's path, for -modfile.
func copyModules(tmp, gomod string, mods map[string]moduleCopy) (string, error) {
	text, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Write(text)
	b.WriteString("\n// Added by coracle test: writable copies of modules whose tests it runs.\n")
	for _, m := range mods {
		dst := filepath.Join(tmp, "mod", m.Path+"@"+m.Version)
		if err := copyTree(m.Dir, dst); err != nil {
			return "", fmt.Errorf("copying module %s@%s: %w", m.Path, m.Version, err)
		}
		if err := ensureGoMod(dst, m.Path); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "replace %s %s => %s\n", m.Path, m.Version, dst)
	}
	modfile := filepath.Join(tmp, "go.mod")
	if err := os.WriteFile(modfile, []byte(b.String()), 0o644); err != nil {
		return "", err
	}
	sum, err := os.ReadFile(strings.TrimSuffix(gomod, ".mod") + ".sum")
	if err != nil && !os.IsNotExist(err) {
		return "", err
	}
	return modfile, os.WriteFile(filepath.Join(tmp, "go.sum"), sum, 0o644)
}

// ensureGoMod gives a copied module that predates modules (no go.mod,
// github.com/pkg/errors say) the go.mod the go command synthesizes for
// it in the module cache: a replacement directory must have one.
func ensureGoMod(dir, path string) error {
	name := filepath.Join(dir, "go.mod")
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(name, []byte("module "+path+"\n"), 0o644)
}

// copyTree copies the directories and regular files under src to dst,
// writable by the user.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil // the module cache holds nothing else
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
