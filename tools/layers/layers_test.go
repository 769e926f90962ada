package layers

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTreeKeepsItsLayers reads the import graph of the whole module, as
// the image is built (linux/amd64, test files included), and fails on
// every edge that points up.
func TestTreeKeepsItsLayers(t *testing.T) {
	pkgs, edges := moduleGraph(t)
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages: %v", len(pkgs), pkgs)
	}
	for _, msg := range Check(pkgs, edges) {
		t.Error(msg)
	}
	// The exception must still be needed: a stale one would hide
	// nothing, but it would mislead the reader.
	for _, x := range Exceptions {
		found := false
		for _, e := range edges {
			found = found || e.From == x.From && e.To == x.To
		}
		if !found {
			t.Errorf("exception %s -> %s is listed but no such edge exists: remove it", x.From, x.To)
		}
	}
}

func TestCheckNamesUpwardEdges(t *testing.T) {
	pkgs := []string{"kernel", "drivers/virtio", "kernel/abi/linux", "misc/thing"}
	edges := []Edge{
		{From: "kernel", To: "kernel/abi/linux", How: Imports},     // down: fine
		{From: "drivers/virtio", To: "kernel", How: Imports},       // down: fine
		{From: "kernel", To: "drivers/virtio", How: Imports},       // up
		{From: "kernel/abi/linux", To: "arch/amd64", How: Imports}, // up: abi is lowest
		{From: "boot", To: "kernel", How: Linkname},                // the exception
		{From: "arch/amd64/pc/i8254", To: "arch/amd64", How: Imports},
		{From: "kernel/mm", To: "tools/trapcheck", How: TestImports}, // host tests may
		{From: "kernel/mm", To: "tools/trapcheck", How: Imports},     // the image may not
	}
	got := Check(pkgs, edges)
	want := []string{
		"kernel (layer kernel) imports drivers/virtio (layer drivers, above it)",
		"kernel/abi/linux (layer abi) imports arch/amd64 (layer arch, above it)",
		"kernel/mm (layer kernel) imports tools/trapcheck (layer host, above it)",
		"misc/thing belongs to no layer: add its folder to layers.Layers",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLayerOfPicksTheLongestFolder(t *testing.T) {
	for dir, want := range map[string]string{
		"kernel":              "kernel",
		"kernel/mm":           "kernel",
		"kernel/abi":          "abi",
		"kernel/abi/socktab":  "abi",
		"arch/amd64":          "arch",
		"arch/amd64/pc/i8254": "platform",
		"boot/pvh":            "boot",
		"tools/cli":           "host",
	} {
		if i := LayerOf(dir); i < 0 || Layers[i].Name != want {
			t.Errorf("LayerOf(%q) = %d, want layer %s", dir, i, want)
		}
	}
	if i := LayerOf("kernelx"); i >= 0 {
		t.Errorf("LayerOf(kernelx) = %s, want none", Layers[i].Name)
	}
}

var linknameRE = regexp.MustCompile(`^//go:linkname\s+\S+\s+(\S+)`)

// moduleGraph lists the module's packages and the edges between them:
// imports (of the package and of its tests) and go:linkname directives
// that name a symbol of another package of the module (an edge both
// ways: the two are bound together whichever side calls).
func moduleGraph(t *testing.T) (pkgs []string, edges []Edge) {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f",
		"{{.ImportPath}}\t{{.Dir}}\t{{join .Imports \" \"}}\t{{join .TestImports \" \"}} {{join .XTestImports \" \"}}\t{{join .GoFiles \" \"}}",
		Module+"/...")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	rel := func(path string) (string, bool) {
		if path == Module {
			return ".", true
		}
		return strings.CutPrefix(path, Module+"/")
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("go list line %q", line)
		}
		from, _ := rel(f[0])
		pkgs = append(pkgs, from)
		for i, how := range []string{Imports, TestImports} {
			for _, imp := range strings.Fields(f[2+i]) {
				if to, ours := rel(imp); ours && to != from {
					edges = append(edges, Edge{From: from, To: to, How: how})
				}
			}
		}
		for _, name := range strings.Fields(f[4]) {
			for _, target := range linknames(t, filepath.Join(f[1], name)) {
				pkg := target[:strings.LastIndex(target[:strings.IndexByte(target+"(", '(')], ".")]
				if to, ours := rel(pkg); ours && to != from {
					edges = append(edges,
						Edge{From: from, To: to, How: Linkname},
						Edge{From: to, To: from, How: Linkname})
				}
			}
		}
	}
	return pkgs, edges
}

// linknames returns the targets of the go:linkname directives in a file.
func linknames(t *testing.T, path string) []string {
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var targets []string
	s := bufio.NewScanner(file)
	for s.Scan() {
		if m := linknameRE.FindStringSubmatch(s.Text()); m != nil {
			targets = append(targets, m[1])
		}
	}
	return targets
}
