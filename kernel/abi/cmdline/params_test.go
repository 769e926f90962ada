package cmdline

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// coracleWord is a string literal that is a coracle.* parameter's key,
// alone or with its '='.
var coracleWord = regexp.MustCompile(`^(coracle\.[a-z0-9_]+)=?$`)

// moduleLiterals returns the string literals of the module's non-test Go
// files (tools/ excluded: the host commands write parameters, they do
// not read them), each with a file it appears in.
func moduleLiterals(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	lits := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "tools" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "params.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					lits[s] = path
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lits
}

// Every coracle.* key the kernel and its services read is in Params, and
// every key in Params is read somewhere (its key, or key=, is a string
// literal of the module's code).
func TestParamsComplete(t *testing.T) {
	lits := moduleLiterals(t)
	listed := map[string]bool{}
	for _, p := range Params {
		listed[p.Key()] = true
		if lits[p.Key()] == "" && lits[p.Key()+"="] == "" {
			t.Errorf("Params lists %s, which no code reads", p.Key())
		}
		if p.Effect == "" {
			t.Errorf("Params: %s has no effect described", p.Key())
		}
	}
	for s, path := range lits {
		if m := coracleWord.FindStringSubmatch(s); m != nil && !listed[m[1]] {
			t.Errorf("%s reads %s, which Params does not list", path, m[1])
		}
	}
}

func TestParamKey(t *testing.T) {
	for word, want := range map[string]string{"coracle.strace": "coracle.strace", "coracle.crash=KIND": "coracle.crash", "coracle.env=NAME=VALUE": "coracle.env"} {
		if got := (Param{Word: word}).Key(); got != want {
			t.Errorf("Key of %q: got %q, want %q", word, got, want)
		}
	}
}

// The README's table of kernel parameters names every parameter.
func TestParamsInREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Params {
		named := regexp.MustCompile("(?m)(^|[\\s`])" + regexp.QuoteMeta(p.Key()) + "[=`\\s]")
		if !named.Match(readme) {
			t.Errorf("README.md does not name the kernel parameter %s", p.Key())
		}
	}
}
