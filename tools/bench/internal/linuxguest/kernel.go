package linuxguest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// kernelMetaPackage is Debian's package that depends on the current
// kernel image package (linux-image-<abi>-amd64).
const kernelMetaPackage = "linux-image-amd64"

// Kernel is a Linux kernel that boots through PVH: an uncompressed
// vmlinux ELF file, which carries the PVH note (the bzImage does not).
type Kernel struct {
	Vmlinux string
	// Label says what it is, for a report's table:
	// "Debian linux-image-6.1.0-48-amd64 6.1.172-1".
	Label string
	// ModuleDir holds the loadable modules taken from the same package,
	// NAME.ko (uncompressed), and the package's modules.builtin; "" when
	// the kernel came without modules (UserKernel).
	ModuleDir string
}

// DefaultCacheDir is where Debian's kernel is kept between runs:
// $XDG_CACHE_HOME/coracle/bench, or ~/.cache/coracle/bench.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "coracle-bench-cache")
	}
	return filepath.Join(dir, "coracle", "bench")
}

// Cache keeps Debian's kernel under Dir, one directory per kernel package
// holding the extracted vmlinux, a label file and a modules directory, so
// that only the first run downloads anything.
type Cache struct {
	Dir string
	Log io.Writer // progress, as "bench: " lines
}

// DebianKernel returns Debian's current amd64 kernel, downloading and
// extracting it on first use, with the loadable modules named (and every
// module they depend on) in its ModuleDir. It installs nothing: apt-get
// download fetches the .deb into the cache directory, the files wanted
// are taken out of it, and it is deleted. A cached kernel that lacks a
// module asked for is fetched again.
func (c Cache) DebianKernel(ctx context.Context, modules ...string) (Kernel, error) {
	pkg, err := kernelPackage(ctx)
	if err != nil {
		if k, ok := c.anyCached(modules); ok {
			fmt.Fprintf(c.Log, "bench: %v; using the cached %s\n", err, k.Label)
			return k, nil
		}
		return Kernel{}, err
	}
	dir := filepath.Join(c.Dir, pkg)
	if k, ok := cached(dir, modules); ok {
		return k, nil
	}
	for _, t := range []struct{ tool, debian string }{{"apt-get", "apt"}, {"dpkg-deb", "dpkg"}, {"xz", "xz-utils"}} {
		if _, err := exec.LookPath(t.tool); err != nil {
			return Kernel{}, fmt.Errorf("%s is not installed (Debian package %s), so Debian's kernel cannot be fetched", t.tool, t.debian)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Kernel{}, err
	}
	tmp, err := os.MkdirTemp(dir, "download-")
	if err != nil {
		return Kernel{}, err
	}
	defer os.RemoveAll(tmp)

	what := "the kernel image"
	if len(modules) > 0 {
		what += " and the modules " + strings.Join(modules, ", ") + " (with their dependencies)"
	}
	fmt.Fprintf(c.Log, "bench: downloading Debian's %s with `apt-get download %s` into %s (nothing is installed; only %s are kept)\n", pkg, pkg, dir, what)
	if out, err := command(ctx, tmp, "apt-get", "download", pkg).CombinedOutput(); err != nil {
		return Kernel{}, fmt.Errorf("apt-get download %s: %w (if the package lists are old or missing, run apt-get update)\n%s", pkg, err, strings.TrimSpace(string(out)))
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, pkg+"_*.deb"))
	if len(debs) != 1 {
		return Kernel{}, fmt.Errorf("apt-get download %s left %d .deb files, want 1", pkg, len(debs))
	}
	deb := debs[0]
	label := "Debian " + strings.Join(strings.Split(strings.TrimSuffix(filepath.Base(deb), ".deb"), "_")[:2], " ")
	// The label is written last: a directory without one is not used.
	os.Remove(filepath.Join(dir, "label"))
	if err := unpackKernel(ctx, deb, dir, tmp, modules); err != nil {
		return Kernel{}, fmt.Errorf("%s: %w", filepath.Base(deb), err)
	}
	if err := os.WriteFile(filepath.Join(dir, "label"), []byte(label+"\n"), 0o644); err != nil {
		return Kernel{}, err
	}
	fmt.Fprintf(c.Log, "bench: extracted %s's vmlinux to %s\n", label, filepath.Join(dir, "vmlinux"))
	k, ok := cached(dir, modules)
	if !ok {
		return Kernel{}, fmt.Errorf("%s: the modules asked for are not all in %s", label, filepath.Join(dir, "modules"))
	}
	return k, nil
}

// unpackKernel takes out of the package deb, into dir, the vmlinux and
// the modules named with their dependencies, replacing what dir held.
// tmp is scratch space on the same file system.
func unpackKernel(ctx context.Context, deb, dir, tmp string, modules []string) error {
	var vmlinuz []byte
	first := true
	pass := func(want map[string]bool) (packageModules, error) {
		p := tarPass{wantVmlinuz: first, wantModules: want}
		first = false
		if err := walkDeb(ctx, deb, p.visit); err != nil {
			return packageModules{}, err
		}
		if p.vmlinuz != nil {
			vmlinuz = p.vmlinuz
		}
		return p.found, nil
	}
	mods, err := collectModules(ctx, modules, pass)
	if err != nil {
		return err
	}
	if vmlinuz == nil {
		return fmt.Errorf("no ./boot/vmlinuz-* file")
	}

	staged := filepath.Join(tmp, "modules")
	if err := os.Mkdir(staged, 0o755); err != nil {
		return err
	}
	for name, ko := range mods.files {
		if err := os.WriteFile(filepath.Join(staged, name+".ko"), ko, 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(staged, "modules.builtin"), mods.builtinList(), 0o644); err != nil {
		return err
	}
	if err := extractVmlinux(ctx, vmlinuz, filepath.Join(dir, "vmlinux")); err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(dir, "modules")); err != nil {
		return err
	}
	return os.Rename(staged, filepath.Join(dir, "modules"))
}

// cached returns the kernel kept in dir, if there is one with the modules
// named.
func cached(dir string, modules []string) (Kernel, bool) {
	label, err := os.ReadFile(filepath.Join(dir, "label"))
	vmlinux := filepath.Join(dir, "vmlinux")
	if _, statErr := os.Stat(vmlinux); err != nil || statErr != nil {
		return Kernel{}, false
	}
	k := Kernel{Vmlinux: vmlinux, Label: strings.TrimSpace(string(label))}
	if mdir := filepath.Join(dir, "modules"); isDir(mdir) {
		k.ModuleDir = mdir
	}
	if len(modules) > 0 {
		if _, err := k.LoadOrder(modules...); err != nil {
			return Kernel{}, false
		}
	}
	return k, true
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// anyCached returns the cached kernel of the highest-sorting package
// that has the modules named, for when apt cannot name the current one.
func (c Cache) anyCached(modules []string) (Kernel, bool) {
	dirs, _ := filepath.Glob(filepath.Join(c.Dir, "linux-image-*"))
	for i := len(dirs) - 1; i >= 0; i-- {
		if k, ok := cached(dirs[i], modules); ok {
			return k, true
		}
	}
	return Kernel{}, false
}

// kernelPackage asks apt which package linux-image-amd64 depends on.
func kernelPackage(ctx context.Context) (string, error) {
	out, err := command(ctx, "", "apt-cache", "depends", kernelMetaPackage).Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache depends %s: %w (run apt-get update, or pass -linux-kernel)", kernelMetaPackage, err)
	}
	pkg, ok := kernelDependency(out)
	if !ok {
		return "", fmt.Errorf("apt-cache depends %s names no kernel package (run apt-get update, or pass -linux-kernel)", kernelMetaPackage)
	}
	return pkg, nil
}

// kernelDependency returns the first real linux-image-* package among the
// "Depends:" lines of apt-cache depends output; virtual packages are
// written <name> and skipped.
func kernelDependency(out []byte) (string, bool) {
	for line := range strings.Lines(string(out)) {
		dep, ok := strings.CutPrefix(strings.TrimLeft(line, " |"), "Depends: ")
		dep = strings.TrimSpace(dep)
		if ok && strings.HasPrefix(dep, "linux-image-") && !strings.ContainsAny(dep, "<> ") {
			return dep, true
		}
	}
	return "", false
}

// extractVmlinux writes to out the ELF vmlinux compressed inside the
// bzImage vmlinuz, decompressed with the xz command.
func extractVmlinux(ctx context.Context, vmlinuz []byte, out string) error {
	payload, err := xzPayload(vmlinuz)
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// --single-stream: Linux appends the uncompressed size after the
	// stream, which xz would otherwise reject as trailing garbage.
	cmd := command(ctx, "", "xz", "--decompress", "--stdout", "--single-stream")
	cmd.Stdin = bytes.NewReader(payload)
	cmd.Stdout = f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	closeErr := f.Close()
	if runErr != nil {
		return fmt.Errorf("xz: %w: %s", runErr, strings.TrimSpace(stderr.String()))
	}
	if closeErr != nil {
		return closeErr
	}
	head := make([]byte, 5)
	if f, err := os.Open(tmp); err == nil {
		io.ReadFull(f, head)
		f.Close()
	}
	if err := checkELF(head); err != nil {
		return fmt.Errorf("the decompressed kernel: %w", err)
	}
	return os.Rename(tmp, out)
}

// UserKernel is a kernel given by the user (a -linux-kernel flag): a
// vmlinux ELF file as it is, or a bzImage whose vmlinux is extracted into
// tmpDir. It comes without modules.
func UserKernel(ctx context.Context, path, tmpDir string) (Kernel, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Kernel{}, err
	}
	if checkELF(b) == nil {
		return Kernel{Vmlinux: path, Label: filepath.Base(path)}, nil
	}
	vmlinux := filepath.Join(tmpDir, "vmlinux")
	if err := extractVmlinux(ctx, b, vmlinux); err != nil {
		return Kernel{}, fmt.Errorf("%s: %w", path, err)
	}
	return Kernel{Vmlinux: vmlinux, Label: filepath.Base(path)}, nil
}

// command is exec.CommandContext run in dir ("" for the current one).
func command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	return cmd
}
