package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
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

// linuxKernel is a Linux kernel that boots through PVH: an uncompressed
// vmlinux ELF file, which carries the PVH note (the bzImage does not).
type linuxKernel struct {
	vmlinux string
	label   string // what it is, for the table: "Debian linux-image-6.1.0-48-amd64 6.1.172-1"
}

// kernelCache keeps Debian's kernel under dir, one directory per kernel
// package holding the extracted vmlinux and a label file, so that only
// the first run downloads anything.
type kernelCache struct {
	dir string
	log io.Writer // progress, as "bench: " lines
}

// debianKernel returns Debian's current amd64 kernel, downloading and
// extracting it on first use. It installs nothing: apt-get download
// fetches the .deb into the cache directory, and only the kernel image is
// taken out of it.
func (c kernelCache) debianKernel(ctx context.Context) (linuxKernel, error) {
	pkg, err := kernelPackage(ctx)
	if err != nil {
		if k, ok := c.anyCached(); ok {
			fmt.Fprintf(c.log, "bench: %v; using the cached %s\n", err, k.label)
			return k, nil
		}
		return linuxKernel{}, err
	}
	dir := filepath.Join(c.dir, pkg)
	if k, ok := cached(dir); ok {
		return k, nil
	}
	for _, t := range []struct{ tool, debian string }{{"apt-get", "apt"}, {"dpkg-deb", "dpkg"}, {"xz", "xz-utils"}} {
		if _, err := exec.LookPath(t.tool); err != nil {
			return linuxKernel{}, fmt.Errorf("%s is not installed (Debian package %s), so Debian's kernel cannot be fetched", t.tool, t.debian)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return linuxKernel{}, err
	}
	tmp, err := os.MkdirTemp(dir, "download-")
	if err != nil {
		return linuxKernel{}, err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintf(c.log, "bench: downloading Debian's %s with `apt-get download %s` into %s (nothing is installed; only the kernel image is kept)\n", pkg, pkg, dir)
	if out, err := command(ctx, tmp, "apt-get", "download", pkg).CombinedOutput(); err != nil {
		return linuxKernel{}, fmt.Errorf("apt-get download %s: %w (if the package lists are old or missing, run apt-get update)\n%s", pkg, err, strings.TrimSpace(string(out)))
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, pkg+"_*.deb"))
	if len(debs) != 1 {
		return linuxKernel{}, fmt.Errorf("apt-get download %s left %d .deb files, want 1", pkg, len(debs))
	}
	vmlinuz, err := vmlinuzFromDeb(ctx, debs[0])
	if err != nil {
		return linuxKernel{}, err
	}
	vmlinux := filepath.Join(dir, "vmlinux")
	if err := extractVmlinux(ctx, vmlinuz, vmlinux); err != nil {
		return linuxKernel{}, fmt.Errorf("%s: %w", filepath.Base(debs[0]), err)
	}
	label := "Debian " + strings.Join(strings.Split(strings.TrimSuffix(filepath.Base(debs[0]), ".deb"), "_")[:2], " ")
	if err := os.WriteFile(filepath.Join(dir, "label"), []byte(label+"\n"), 0o644); err != nil {
		return linuxKernel{}, err
	}
	fmt.Fprintf(c.log, "bench: extracted %s's vmlinux to %s\n", label, vmlinux)
	return linuxKernel{vmlinux: vmlinux, label: label}, nil
}

// cached returns the kernel kept in dir, if there is one.
func cached(dir string) (linuxKernel, bool) {
	label, err := os.ReadFile(filepath.Join(dir, "label"))
	vmlinux := filepath.Join(dir, "vmlinux")
	if _, statErr := os.Stat(vmlinux); err != nil || statErr != nil {
		return linuxKernel{}, false
	}
	return linuxKernel{vmlinux: vmlinux, label: strings.TrimSpace(string(label))}, true
}

// anyCached returns the cached kernel of the highest-sorting package,
// for when apt cannot name the current one.
func (c kernelCache) anyCached() (linuxKernel, bool) {
	dirs, _ := filepath.Glob(filepath.Join(c.dir, "linux-image-*"))
	for i := len(dirs) - 1; i >= 0; i-- {
		if k, ok := cached(dirs[i]); ok {
			return k, true
		}
	}
	return linuxKernel{}, false
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

// vmlinuzFromDeb returns the contents of the package's /boot/vmlinuz-*.
func vmlinuzFromDeb(ctx context.Context, deb string) ([]byte, error) {
	cmd := command(ctx, "", "dpkg-deb", "--fsys-tarfile", deb)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dpkg-deb: %w", err)
	}
	vmlinuz, findErr := findInTar(stdout, "./boot/vmlinuz-")
	io.Copy(io.Discard, stdout) // let dpkg-deb finish writing
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("dpkg-deb --fsys-tarfile %s: %w\n%s", deb, err, stderr.Bytes())
	}
	if findErr != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(deb), findErr)
	}
	return vmlinuz, nil
}

// findInTar returns the contents of the first regular file in the tar
// stream r whose name starts with prefix.
func findInTar(r io.Reader, prefix string) ([]byte, error) {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no %s* file", prefix)
		}
		if err != nil {
			return nil, fmt.Errorf("reading the package's files: %w", err)
		}
		if h.Typeflag == tar.TypeReg && strings.HasPrefix(h.Name, prefix) {
			return io.ReadAll(tr)
		}
	}
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

// userKernel is the kernel given with -linux-kernel: a vmlinux ELF file
// as it is, or a bzImage whose vmlinux is extracted into tmpDir.
func userKernel(ctx context.Context, path, tmpDir string) (linuxKernel, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return linuxKernel{}, err
	}
	if checkELF(b) == nil {
		return linuxKernel{vmlinux: path, label: filepath.Base(path)}, nil
	}
	vmlinux := filepath.Join(tmpDir, "vmlinux")
	if err := extractVmlinux(ctx, b, vmlinux); err != nil {
		return linuxKernel{}, fmt.Errorf("%s: %w", path, err)
	}
	return linuxKernel{vmlinux: vmlinux, label: filepath.Base(path)}, nil
}

// command is exec.CommandContext run in dir ("" for the current one).
func command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	return cmd
}
