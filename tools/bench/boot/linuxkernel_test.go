package main

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

func TestFindInTar(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, typ byte, body string) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Size: int64(len(body)), Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("./boot/", tar.TypeDir, "")
	add("./boot/System.map-6.1.0-48-amd64", tar.TypeReg, "map")
	add("./boot/vmlinuz-6.1.0-48-amd64", tar.TypeReg, "kernel")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := findInTar(bytes.NewReader(buf.Bytes()), "./boot/vmlinuz-")
	if err != nil || string(got) != "kernel" {
		t.Errorf("findInTar = %q, %v; want kernel", got, err)
	}
	if _, err := findInTar(bytes.NewReader(buf.Bytes()), "./boot/config-"); err == nil {
		t.Error("findInTar found a file that is not there")
	}
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
