package linuxguest

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestKernelDependency(t *testing.T) {
	out := "linux-image-amd64\n" +
		"  Depends: <linux-image-virtual>\n" +
		" |Depends: linux-image-6.1.0-48-amd64\n" +
		"  Depends: linux-image-6.1.0-47-amd64\n" +
		"  Recommends: firmware-linux-free\n"
	got, ok := kernelDependency([]byte(out))
	if !ok || got != "linux-image-6.1.0-48-amd64" {
		t.Errorf("kernelDependency = %q, %v; want linux-image-6.1.0-48-amd64", got, ok)
	}
	if got, ok := kernelDependency([]byte("linux-image-amd64\n  Recommends: apparmor\n")); ok {
		t.Errorf("no Depends line: got %q", got)
	}
}

func TestWalkTar(t *testing.T) {
	tarball := makeTar(t, []tarFile{
		{name: "./boot/", dir: true},
		{name: "./boot/System.map-6.1.0-48-amd64", body: "map"},
		{name: "./boot/vmlinuz-6.1.0-48-amd64", body: "kernel"},
	})
	var seen []string
	err := walkTar(bytes.NewReader(tarball), func(name string, r io.Reader) error {
		b, err := io.ReadAll(r)
		seen = append(seen, name+"="+string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(seen, " "), "./boot/System.map-6.1.0-48-amd64=map ./boot/vmlinuz-6.1.0-48-amd64=kernel"; got != want {
		t.Errorf("walkTar visited %s, want %s (regular files only)", got, want)
	}
	stop := errors.New("stop")
	if err := walkTar(bytes.NewReader(tarball), func(string, io.Reader) error { return stop }); err != stop {
		t.Errorf("walkTar returned %v, want the visit function's error", err)
	}
	if err := walkTar(strings.NewReader("not a tar file, but long enough to hold a header block?"), func(string, io.Reader) error { return nil }); err == nil {
		t.Error("walkTar accepted a broken archive")
	}
}

// tarFile is an entry of makeTar's archive.
type tarFile struct {
	name string
	body string
	dir  bool
}

func makeTar(t *testing.T, files []tarFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Typeflag: tar.TypeReg, Size: int64(len(f.body)), Mode: 0o644}
		if f.dir {
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A vmlinux compressed as Linux does (XZ stream, then the size) inside a
// bzImage comes back out, byte for byte.
func TestExtractVmlinux(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz is not installed")
	}
	vmlinux := append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte("kernel text "), 1000)...)
	xz := exec.Command("xz", "--compress", "--stdout", "--check=crc32")
	xz.Stdin = bytes.NewReader(vmlinux)
	stream, err := xz.Output()
	if err != nil {
		t.Fatal(err)
	}
	payload := append(stream, 0x12, 0x34, 0, 0) // the appended size
	bz := fakeBzImage(0x20f, 4, 0x200, payload)

	out := filepath.Join(t.TempDir(), "vmlinux")
	if err := extractVmlinux(context.Background(), bz, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, vmlinux) {
		t.Errorf("extracted %d bytes, want the %d compressed", len(got), len(vmlinux))
	}

	// A payload that is not an ELF file is refused and leaves nothing.
	xz = exec.Command("xz", "--compress", "--stdout")
	xz.Stdin = bytes.NewReader([]byte("not a kernel"))
	if stream, err = xz.Output(); err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(t.TempDir(), "vmlinux")
	if err := extractVmlinux(context.Background(), fakeBzImage(0x20f, 4, 0x200, stream), out); err == nil {
		t.Error("a payload that is not ELF was accepted")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused kernel was left in place")
	}
}

// unpackKernel takes the vmlinux and the modules asked for, with their
// dependencies, out of a real .deb built by dpkg-deb, and cached then
// finds them.
func TestUnpackKernel(t *testing.T) {
	for _, tool := range []string{"dpkg-deb", "xz"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	vmlinux := append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte("kernel text "), 100)...)
	xz := exec.Command("xz", "--compress", "--stdout", "--check=crc32")
	xz.Stdin = bytes.NewReader(vmlinux)
	stream, err := xz.Output()
	if err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir()
	files := map[string][]byte{
		"DEBIAN/control":                                       []byte("Package: linux-image-6.1.0-99-amd64\nVersion: 6.1.999-1\nArchitecture: amd64\nMaintainer: test <test@example.org>\nDescription: test kernel\n"),
		"boot/vmlinuz-6.1.0-99-amd64":                          fakeBzImage(0x20f, 4, 0x200, append(stream, 0, 0, 0, 0)),
		"lib/modules/6.1.0-99-amd64/modules.builtin":           []byte("kernel/drivers/virtio/virtio.ko\n"),
		"lib/modules/6.1.0-99-amd64/kernel/net/core/fo.ko":     fakeModule(t, "fo"),
		"lib/modules/6.1.0-99-amd64/kernel/drivers/a/nfo.ko":   fakeModule(t, "nfo", "fo", "virtio"),
		"lib/modules/6.1.0-99-amd64/kernel/drivers/a/vnet.ko":  fakeModule(t, "vnet", "nfo"),
		"lib/modules/6.1.0-99-amd64/kernel/drivers/a/other.ko": fakeModule(t, "other"),
	}
	for name, data := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(t.TempDir(), "k.deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", tree, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, out)
	}

	dir := t.TempDir()
	// A stale module from an earlier package version is dropped.
	if err := os.MkdirAll(filepath.Join(dir, "modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "modules", "stale.ko"), []byte("old"), 0o644)
	tmp, err := os.MkdirTemp(dir, "download-")
	if err != nil {
		t.Fatal(err)
	}
	if err := unpackKernel(context.Background(), deb, dir, tmp, []string{"vnet"}); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "vmlinux")); err != nil || !bytes.Equal(got, vmlinux) {
		t.Errorf("vmlinux: %d bytes, %v", len(got), err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "modules"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, " "), "fo.ko modules.builtin nfo.ko vnet.ko"; got != want {
		t.Errorf("modules directory holds %s, want %s", got, want)
	}

	if _, ok := cached(dir, nil); ok {
		t.Error("a directory without a label was taken as cached")
	}
	os.WriteFile(filepath.Join(dir, "label"), []byte("Debian test 1\n"), 0o644)
	k, ok := cached(dir, []string{"vnet"})
	if !ok || k.Label != "Debian test 1" || k.Vmlinux != filepath.Join(dir, "vmlinux") {
		t.Fatalf("cached = %+v, %v", k, ok)
	}
	if order, err := k.LoadOrder("vnet"); err != nil || strings.Join(order, " ") != "fo nfo vnet" {
		t.Errorf("LoadOrder = %q, %v; want fo nfo vnet", order, err)
	}
	if _, ok := cached(dir, []string{"other"}); ok {
		t.Error("a module that was not extracted was taken as cached")
	}
}
