package mm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/trapcheck"
)

// sourceFuncs parses the package's non-test files.
func sourceFuncs(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// TestTrapContextRules checks the house rules for trap-context code on
// the source (docs/design.md, "Trap context"): every function is //go:nosplit with a
// reason above it, and nothing that allocates, locks, defers or panics
// appears.
func TestTrapContextRules(t *testing.T) {
	fset, files := sourceFuncs(t)
	for _, f := range files {
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p != "unsafe" {
				t.Errorf("%s imports %s", fset.Position(imp.Pos()), p)
			}
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			checkNosplitDoc(t, fset, fn)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			bad := ""
			switch n := n.(type) {
			case *ast.DeferStmt:
				bad = "defer"
			case *ast.GoStmt:
				bad = "go statement"
			case *ast.FuncLit:
				bad = "closure (not nosplit, may allocate)"
			case *ast.MapType:
				bad = "map"
			case *ast.ChanType:
				bad = "channel"
			case *ast.SelectStmt:
				bad = "select"
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok {
					switch id.Name {
					case "panic", "append", "make", "new", "print", "println", "recover":
						bad = id.Name
					}
				}
			}
			if bad != "" {
				t.Errorf("%s: %s in trap-context code", fset.Position(n.Pos()), bad)
			}
			return true
		})
	}
}

// checkNosplitDoc wants the doc comment to end with a reason line, a
// blank comment line and //go:nosplit.
func checkNosplitDoc(t *testing.T, fset *token.FileSet, fn *ast.FuncDecl) {
	t.Helper()
	pos := fset.Position(fn.Pos())
	if fn.Doc == nil {
		t.Errorf("%s: %s has no doc comment and no //go:nosplit", pos, fn.Name.Name)
		return
	}
	l := fn.Doc.List
	n := len(l)
	if n < 3 || l[n-1].Text != "//go:nosplit" || l[n-2].Text != "//" || strings.TrimSpace(strings.TrimPrefix(l[n-3].Text, "//")) == "" {
		t.Errorf("%s: %s: doc must end with a reason, a blank // line and //go:nosplit", pos, fn.Name.Name)
	}
}

// TestTrapCheck runs tools/trapcheck's trap-context rule on this
// package's test binary with every function of the package as a root: nothing reachable
// may allocate, grow the stack or have a write barrier. Init methods store
// the PhysMem and allocator pointers once at boot, so they are held to the
// boot-path rule (no allocation) instead.
func TestTrapCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the test binary")
	}
	// `go test` strips the binary it runs; `go test -c` does not.
	bin := filepath.Join(t.TempDir(), "mm.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	img, err := trapcheck.Load(bin)
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "github.com/coracle-os/coracle/kernel/mm."
	_, files := sourceFuncs(t)
	checked := map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			name := pkg + fn.Name.Name
			if fn.Recv != nil {
				switch rt := fn.Recv.List[0].Type.(type) {
				case *ast.StarExpr:
					name = pkg + "(*" + rt.X.(*ast.Ident).Name + ")." + fn.Name.Name
				case *ast.Ident:
					name = pkg + rt.Name + "." + fn.Name.Name
				}
			}
			rule := trapcheck.Rule{Context: "trap context", Roots: []string{name}, Forbid: trapcheck.TrapSafe}
			if fn.Name.Name == "Init" {
				rule = trapcheck.Rule{Context: "boot path", Roots: []string{name}, Forbid: trapcheck.NoAllocation}
			}
			v, err := img.Check(rule)
			if err != nil {
				continue // inlined at every call site: checked inside its callers
			}
			checked[name] = true
			for _, x := range v {
				t.Error(x)
			}
		}
	}
	for _, must := range []string{
		"HandleFault", "decide", "(*AddressSpace).fileFault", // Discard and ProtectPages inline into their callers
		"(*VMAs).MapFile", "(*VMAs).Unmap", "(*VMAs).Protect", "(*VMAs).set",
		"(*AddressSpace).Map", "(*AddressSpace).walk", "(*AddressSpace).leaves",
		"(*Frames).Alloc", "(*Frames).AllocZeroed", "(*Frames).Free",
	} {
		if !checked[pkg+must] {
			t.Errorf("%s is not in the test binary: trapcheck did not see it", must)
		}
	}
}
