package image

import (
	"context"
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// WriteTestOverlay adds the external test file to each package with
// tests, in package NAME_test, importing the kernel, and to none
// without tests.
func TestWriteTestOverlay(t *testing.T) {
	tmp := t.TempDir()
	flags, err := WriteTestOverlay(context.Background(), ".", tmp, []string{"../integration/testdata/ctest/..."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) != 2 || flags[0] != "-overlay" {
		t.Fatalf("flags %q, want -overlay FILE (no module is copied)", flags)
	}
	b, err := os.ReadFile(flags[1])
	if err != nil {
		t.Fatal(err)
	}
	var o struct{ Replace map[string]string }
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../integration/testdata/ctest")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pass": "pass_test", "fail": "fail_test", "xonly": "xonly_test", "execs": "execs_test"}
	if len(o.Replace) != len(want) {
		t.Errorf("overlay replaces %d files, want %d: %v", len(o.Replace), len(want), o.Replace)
	}
	for dir, pkg := range want {
		target := filepath.Join(root, dir, TestOverlayFileName)
		source, ok := o.Replace[target]
		if !ok {
			t.Errorf("no file for %s", target)
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), source, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		var imports []string
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports = append(imports, p)
		}
		if f.Name.Name != pkg || !slices.Contains(imports, KernelImportPath) || !slices.Contains(imports, SharesImportPath) || !slices.Contains(imports, DisksImportPath) {
			t.Errorf("%s: package %s importing %q; want package %s importing the kernel, shares and disks", dir, f.Name.Name, imports, pkg)
		}
	}
}
