package linuxguest

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// walkDeb calls visit for each regular file of the Debian package deb,
// in the order of its data archive, as dpkg-deb --fsys-tarfile lists it.
// Names are as in the archive: "./boot/vmlinuz-6.1.0-48-amd64".
func walkDeb(ctx context.Context, deb string, visit func(name string, r io.Reader) error) error {
	cmd := command(ctx, "", "dpkg-deb", "--fsys-tarfile", deb)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("dpkg-deb: %w", err)
	}
	walkErr := walkTar(stdout, visit)
	io.Copy(io.Discard, stdout) // let dpkg-deb finish writing
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("dpkg-deb --fsys-tarfile %s: %w\n%s", deb, err, stderr.Bytes())
	}
	return walkErr
}

// walkTar calls visit for each regular file in the tar stream r.
func walkTar(r io.Reader, visit func(name string, r io.Reader) error) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the package's files: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := visit(h.Name, tr); err != nil {
			return err
		}
	}
}

// tarPass is one reading of a kernel package's files: it keeps the
// bzImage, when asked to, and the modules in wantModules, uncompressed,
// and reads the list of built-in modules.
type tarPass struct {
	ctx         context.Context
	wantVmlinuz bool
	wantModules map[string]bool

	vmlinuz []byte
	found   packageModules
}

// visit is walkTar's visit function.
func (p *tarPass) visit(name string, r io.Reader) error {
	switch {
	case p.wantVmlinuz && p.vmlinuz == nil && strings.HasPrefix(name, "./boot/vmlinuz-"):
		b, err := io.ReadAll(r)
		p.vmlinuz = b
		return err
	case strings.HasPrefix(name, "./lib/modules/") && path.Base(name) == "modules.builtin":
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		p.found.builtin = parseBuiltin(b)
		return nil
	}
	mod, ok := moduleName(name)
	if !ok || !p.wantModules[mod] || !strings.HasPrefix(name, "./lib/modules/") {
		return nil
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ko, err := decompressModule(p.ctx, name, b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if p.found.files == nil {
		p.found.files = make(map[string][]byte)
	}
	p.found.files[mod] = ko
	return nil
}
