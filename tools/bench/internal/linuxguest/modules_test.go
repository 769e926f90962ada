package linuxguest

import (
	"bytes"
	"compress/gzip"
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeModule returns a relocatable ELF object like a kernel module as far
// as moduleDepends looks: a .modinfo section of NUL-terminated key=value
// strings, with depends= listing deps.
func fakeModule(t testing.TB, name string, deps ...string) []byte {
	t.Helper()
	modinfo := "license=GPL\x00depends=" + strings.Join(deps, ",") + "\x00name=" + name + "\x00vermagic=6.1.0-48-amd64 SMP preempt mod_unload modversions \x00"
	return fakeELF(t, map[string]string{".modinfo": modinfo})
}

// fakeELF returns an ELF64 relocatable object holding the sections given,
// in name order, after a null section and before .shstrtab.
func fakeELF(t testing.TB, sections map[string]string) []byte {
	t.Helper()
	names := slices.Sorted(maps.Keys(sections))
	shstrtab := "\x00"
	var data bytes.Buffer
	type placed struct{ name, off, size uint64 }
	var ps []placed
	const dataStart = 64 // after the ELF header
	for _, n := range names {
		ps = append(ps, placed{uint64(len(shstrtab)), dataStart + uint64(data.Len()), uint64(len(sections[n]))})
		shstrtab += n + "\x00"
		data.WriteString(sections[n])
	}
	strtabName := uint64(len(shstrtab))
	shstrtab += ".shstrtab\x00"
	strtabOff := dataStart + uint64(data.Len())
	data.WriteString(shstrtab)
	for data.Len()%8 != 0 {
		data.WriteByte(0)
	}
	shoff := dataStart + uint64(data.Len())

	hdr := elf.Header64{
		Type: uint16(elf.ET_REL), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Shoff: shoff, Ehsize: 64, Shentsize: 64, Shnum: uint16(len(names) + 2), Shstrndx: uint16(len(names) + 1),
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	shdrs := []elf.Section64{{}}
	for _, p := range ps {
		shdrs = append(shdrs, elf.Section64{Name: uint32(p.name), Type: uint32(elf.SHT_PROGBITS), Flags: uint64(elf.SHF_ALLOC), Off: p.off, Size: p.size, Addralign: 1})
	}
	shdrs = append(shdrs, elf.Section64{Name: uint32(strtabName), Type: uint32(elf.SHT_STRTAB), Off: strtabOff, Size: uint64(len(shstrtab)), Addralign: 1})

	var out bytes.Buffer
	for _, v := range []any{hdr, data.Bytes(), shdrs} {
		if err := binary.Write(&out, binary.LittleEndian, v); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func TestModuleName(t *testing.T) {
	for p, want := range map[string]string{
		"./lib/modules/6.1.0-48-amd64/kernel/net/core/failover.ko":          "failover",
		"./lib/modules/6.1.0-48-amd64/kernel/drivers/char/virtio-rng.ko.xz": "virtio_rng",
		"kernel/drivers/net/virtio_net.ko.zst":                              "virtio_net",
		"net_failover.ko.gz":                                                "net_failover",
	} {
		if got, ok := moduleName(p); !ok || got != want {
			t.Errorf("moduleName(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
	for _, p := range []string{"./lib/modules/6.1.0-48-amd64/modules.builtin", "./boot/vmlinuz-6.1.0-48-amd64", ".ko", "virtio.ko.bz2", "virtio.kobj"} {
		if got, ok := moduleName(p); ok {
			t.Errorf("moduleName(%q) = %q, want not a module", p, got)
		}
	}
}

func TestModuleDepends(t *testing.T) {
	got, err := moduleDepends(fakeModule(t, "virtio_net", "virtio_ring", "virtio", "net-failover"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"virtio_ring", "virtio", "net_failover"}; !slices.Equal(got, want) {
		t.Errorf("depends %q, want %q", got, want)
	}
	if got, err := moduleDepends(fakeModule(t, "virtio")); err != nil || len(got) != 0 {
		t.Errorf("no dependencies: %q, %v", got, err)
	}
	if _, err := moduleDepends([]byte("not ELF")); err == nil {
		t.Error("a file that is not ELF was read as a module")
	}
	if _, err := moduleDepends(fakeELF(t, map[string]string{".text": "\xc3"})); err == nil || !strings.Contains(err.Error(), ".modinfo") {
		t.Errorf("an ELF object without .modinfo: err %v", err)
	}
}

func TestDecompressModule(t *testing.T) {
	ko := fakeModule(t, "failover")
	ctx := context.Background()
	if got, err := decompressModule(ctx, "failover.ko", ko); err != nil || !bytes.Equal(got, ko) {
		t.Errorf(".ko: %d bytes, %v", len(got), err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(ko)
	zw.Close()
	if got, err := decompressModule(ctx, "failover.ko.gz", gz.Bytes()); err != nil || !bytes.Equal(got, ko) {
		t.Errorf(".ko.gz: %d bytes, %v", len(got), err)
	}
	if _, err := decompressModule(ctx, "failover.ko.gz", ko); err == nil {
		t.Error(".ko.gz that is not gzip: accepted")
	}
	if _, err := decompressModule(ctx, "failover.o", ko); err == nil {
		t.Error("an unknown suffix was accepted")
	}
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz is not installed")
	}
	xz := exec.Command("xz", "--compress", "--stdout", "--check=crc32")
	xz.Stdin = bytes.NewReader(ko)
	compressed, err := xz.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decompressModule(ctx, "failover.ko.xz", compressed); err != nil || !bytes.Equal(got, ko) {
		t.Errorf(".ko.xz: %d bytes, %v", len(got), err)
	}
}

func TestParseBuiltin(t *testing.T) {
	got := parseBuiltin([]byte("kernel/drivers/virtio/virtio.ko\nkernel/lib/crc-ccitt.ko\n\nnot a module\n"))
	if want := []string{"crc_ccitt", "virtio"}; !slices.Equal(slices.Sorted(maps.Keys(got)), want) {
		t.Errorf("parseBuiltin = %v, want %v", got, want)
	}
	m := packageModules{builtin: got}
	if again := parseBuiltin(m.builtinList()); !maps.Equal(again, got) {
		t.Errorf("builtinList does not read back: %q", m.builtinList())
	}
}

// debianNetDeps are the dependencies of Debian 6.1's virtio-mmio and
// virtio-net modules, as their .modinfo sections list them.
var debianNetDeps = map[string][]string{
	"virtio":       nil,
	"virtio_ring":  nil,
	"virtio_mmio":  {"virtio", "virtio_ring"},
	"failover":     nil,
	"net_failover": {"failover"},
	"virtio_net":   {"virtio_ring", "virtio", "net_failover"},
}

func TestLoadOrder(t *testing.T) {
	deps := func(graph map[string][]string, builtin ...string) func(string) ([]string, bool, error) {
		return func(name string) ([]string, bool, error) {
			if slices.Contains(builtin, name) {
				return nil, true, nil
			}
			d, ok := graph[name]
			if !ok {
				return nil, false, fmt.Errorf("no module %s", name)
			}
			return d, false, nil
		}
	}
	got, err := loadOrder([]string{"virtio_mmio", "virtio-net"}, deps(debianNetDeps))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"virtio", "virtio_ring", "virtio_mmio", "failover", "net_failover", "virtio_net"}; !slices.Equal(got, want) {
		t.Errorf("load order %q, want %q", got, want)
	}
	// A kernel with virtio built in loads the rest only.
	got, err = loadOrder([]string{"virtio_mmio", "virtio_net"}, deps(debianNetDeps, "virtio", "virtio_ring", "virtio_mmio"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"failover", "net_failover", "virtio_net"}; !slices.Equal(got, want) {
		t.Errorf("with built-ins: %q, want %q", got, want)
	}
	if _, err := loadOrder([]string{"virtio_net"}, deps(map[string][]string{"virtio_net": {"a"}, "a": {"b"}, "b": {"a"}})); err == nil || !strings.Contains(err.Error(), "virtio_net -> a -> b -> a") {
		t.Errorf("a cycle: err %v", err)
	}
	if _, err := loadOrder([]string{"virtio_net"}, deps(map[string][]string{"virtio_net": {"missing"}})); err == nil {
		t.Error("a missing dependency was not reported")
	}
}

// packageWith is a pass function for collectModules over a package
// holding the modules in files and the built-in modules builtin; it
// counts its calls.
func packageWith(t *testing.T, files map[string][]byte, builtin map[string]bool, calls *int) func(map[string]bool) (packageModules, error) {
	return func(want map[string]bool) (packageModules, error) {
		*calls++
		found := packageModules{files: map[string][]byte{}, builtin: builtin}
		for name := range want {
			if ko, ok := files[name]; ok {
				found.files[name] = ko
			}
		}
		return found, nil
	}
}

func TestCollectModules(t *testing.T) {
	files := map[string][]byte{}
	for name, deps := range debianNetDeps {
		files[name] = fakeModule(t, name, deps...)
	}
	files["virtio_balloon"] = fakeModule(t, "virtio_balloon", "virtio")
	calls := 0
	got, err := collectModules(context.Background(), []string{"virtio_mmio", "virtio-net"}, packageWith(t, files, map[string]bool{"crc32c": true}, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"failover", "net_failover", "virtio", "virtio_mmio", "virtio_net", "virtio_ring"}; !slices.Equal(slices.Sorted(maps.Keys(got.files)), want) {
		t.Errorf("collected %v, want %v", slices.Sorted(maps.Keys(got.files)), want)
	}
	// virtio_mmio and virtio_net; then virtio, virtio_ring and
	// net_failover; then failover.
	if calls != 3 {
		t.Errorf("%d passes over the package, want 3", calls)
	}
	if !got.builtin["crc32c"] {
		t.Errorf("built-in list %v lost", got.builtin)
	}

	// Built-in modules asked for are not looked for again.
	calls = 0
	got, err = collectModules(context.Background(), []string{"virtio_mmio"}, packageWith(t, nil, map[string]bool{"virtio_mmio": true}, &calls))
	if err != nil || len(got.files) != 0 || calls != 1 {
		t.Errorf("a built-in module: %v, %v, %d passes", got.files, err, calls)
	}
	// No modules: one pass still reads the package (for the kernel).
	calls = 0
	if _, err := collectModules(context.Background(), nil, packageWith(t, nil, nil, &calls)); err != nil || calls != 1 {
		t.Errorf("no modules: %v, %d passes", err, calls)
	}
	if _, err := collectModules(context.Background(), []string{"e1000"}, packageWith(t, files, nil, &calls)); err == nil || !strings.Contains(err.Error(), "e1000") {
		t.Errorf("a module that is not there: err %v", err)
	}
}

func TestTarPass(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(fakeModule(t, "net_failover", "failover"))
	zw.Close()
	tarball := makeTar(t, []tarFile{
		{name: "./boot/vmlinuz-6.1.0-48-amd64", body: "bzImage"},
		{name: "./lib/modules/6.1.0-48-amd64/kernel/drivers/net/net_failover.ko.gz", body: gz.String()},
		{name: "./lib/modules/6.1.0-48-amd64/kernel/net/core/failover.ko", body: "not wanted"},
		{name: "./usr/share/doc/net_failover.ko", body: "not a module directory"},
		{name: "./lib/modules/6.1.0-48-amd64/modules.builtin", body: "kernel/drivers/virtio/virtio.ko\n"},
	})
	p := tarPass{ctx: context.Background(), wantVmlinuz: true, wantModules: map[string]bool{"net_failover": true}}
	if err := walkTar(bytes.NewReader(tarball), p.visit); err != nil {
		t.Fatal(err)
	}
	if string(p.vmlinuz) != "bzImage" {
		t.Errorf("vmlinuz %q", p.vmlinuz)
	}
	if len(p.found.files) != 1 || !bytes.Equal(p.found.files["net_failover"], fakeModule(t, "net_failover", "failover")) {
		t.Errorf("modules %v", slices.Sorted(maps.Keys(p.found.files)))
	}
	if !p.found.builtin["virtio"] {
		t.Errorf("built-in %v", p.found.builtin)
	}
	p = tarPass{ctx: context.Background()}
	if err := walkTar(bytes.NewReader(tarball), p.visit); err != nil || p.vmlinuz != nil || len(p.found.files) != 0 {
		t.Errorf("a pass that wants nothing kept %d bytes of kernel and %d modules (%v)", len(p.vmlinuz), len(p.found.files), err)
	}
}

func TestKernelLoadOrder(t *testing.T) {
	dir := t.TempDir()
	for name, deps := range debianNetDeps {
		if name == "virtio" {
			continue // built in, below
		}
		if err := os.WriteFile(filepath.Join(dir, name+".ko"), fakeModule(t, name, deps...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "modules.builtin"), []byte("virtio.ko\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k := Kernel{Label: "test", ModuleDir: dir}
	got, err := k.LoadOrder("virtio_mmio", "virtio_net")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"virtio_ring", "virtio_mmio", "failover", "net_failover", "virtio_net"}; !slices.Equal(got, want) {
		t.Errorf("LoadOrder = %q, want %q", got, want)
	}
	if _, err := k.LoadOrder("e1000"); err == nil {
		t.Error("a module that is not there was ordered")
	}
	if _, err := (Kernel{Label: "user"}).LoadOrder("virtio_net"); err == nil {
		t.Error("a kernel without modules ordered some")
	}
}
