package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
)

// coracle inspect on images built here: examples/hello plain, and with
// --files and --shares. It names the Go version that built them, the
// PVH entry coracle build reported, coracle's version, the sections, a
// kernel share between 0 and 100%, the packaged files, which services
// are linked and every kernel parameter.
func TestInspect(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	tree := filepath.Join(t.TempDir(), "tree")
	if err := os.MkdirAll(filepath.Join(tree, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "etc", "app.conf"), []byte("listen=:8080\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "hello-files.img")
	build := coracle(t, "build", "--files", tree+":/srv", "--shares", "-o", img, "./examples/hello")
	if build.err != nil || build.status != 0 {
		t.Fatalf("build: %s", build)
	}
	entry := regexp.MustCompile(`PVH entry (0x[0-9a-f]+)`).FindStringSubmatch(build.stderr)
	if entry == nil {
		t.Fatalf("coracle build reported no PVH entry:\n%s", build.stderr)
	}

	withFiles := coracle(t, "inspect", img)
	plain := coracle(t, "inspect", helloImage)
	for _, res := range []result{withFiles, plain} {
		if res.err != nil || res.status != 0 {
			t.Fatalf("inspect: %s", res)
		}
	}
	out := withFiles.stdout
	for _, want := range []string{
		"go          " + runtime.Version() + "\n",
		"program     github.com/coracle-os/coracle/examples/hello ",
		"coracle     devel\n", // built inside coracle's own module
		"PVH entry   " + entry[1] + "\n",
		"  GOOS         linux\n",
		"  CGO_ENABLED  0\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{`-rw-r----- +13 +/srv/etc/app\.conf`, `drwxr-xr-x +0 +/srv/etc`} {
		if !regexp.MustCompile(`(?m)^  ` + want + `$`).MatchString(out) {
			t.Errorf("inspect lists no file %s:\n%s", want, out)
		}
	}
	for _, sec := range []string{".text", ".rodata", ".gopclntab", ".data", ".bss", ".debug_info", ".symtab"} {
		if !regexp.MustCompile(`(?m)^ +` + regexp.QuoteMeta(sec) + ` +\S+ +\d+ `).MatchString(out) {
			t.Errorf("inspect lists no section %s:\n%s", sec, out)
		}
	}
	share := regexp.MustCompile(`(?m)^ +coracle \(kernel, boot, drivers, services\) +\S+ \S+ +(\d+\.\d)%`).FindStringSubmatch(out)
	if share == nil || share[1] == "0.0" || share[1] == "100.0" {
		t.Errorf("no plausible kernel share of the code (%v):\n%s", share, out)
	}
	linked := func(out, service string) string {
		m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(service) + `.*?(not linked|linked)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("inspect does not say whether %s is linked:\n%s", service, out)
		}
		return m[1]
	}
	if got := linked(out, "shares"); got != "linked" {
		t.Errorf("image built with --shares: shares %s", got)
	}
	if got := linked(plain.stdout, "shares"); got != "not linked" {
		t.Errorf("hello without --shares: shares %s", got)
	}
	if got := linked(out, "disks"); got != "not linked" {
		t.Errorf("image built without --disks: disks %s", got)
	}
	if !strings.Contains(plain.stdout, "files: none") {
		t.Errorf("hello without --files lists files:\n%s", plain.stdout)
	}
	for _, p := range cmdline.Params {
		if !strings.Contains(out, "  "+p.Word+" ") {
			t.Errorf("inspect does not list the kernel parameter %s", p.Word)
		}
	}

	if res := coracle(t, "inspect", filepath.Join(repoRoot, "go.mod")); res.status != 1 || !strings.Contains(res.stderr, "not an ELF") && !strings.Contains(res.stderr, "ELF") {
		t.Errorf("inspect of a non-image: want status 1 and an ELF complaint\n%s", res)
	}
}
