package linux

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const regenerate = "go generate ./kernel/abi/linux"

// generatedFrom is the golang.org/x/sys module@version that sysnames.go
// says it was generated from.
func generatedFrom(t *testing.T, code []byte) string {
	t.Helper()
	m := regexp.MustCompile(`from (golang\.org/x/sys@\S+);`).FindSubmatch(code)
	if m == nil {
		t.Fatalf("sysnames.go does not name the golang.org/x/sys version it was generated from")
	}
	return string(m[1])
}

// generate runs gen_sysnames.go for module@version mod, offline (the
// module must be in the module cache), and returns what it wrote.
func generate(t *testing.T, mod string) ([]byte, error) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sysnames.go")
	cmd := exec.Command("go", "run", "gen_sysnames.go", "-o", out, "-xsys", mod)
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, &genError{mod, strings.TrimSpace(string(msg))}
	}
	return os.ReadFile(out)
}

type genError struct{ mod, msg string }

func (e *genError) Error() string { return "gen_sysnames.go " + e.mod + ": " + e.msg }

// TestSysnamesGenerated checks that sysnames.go is what gen_sysnames.go
// writes from the golang.org/x/sys that go.mod requires. That module is a
// dependency of the image (gVisor's netstack imports it), so it is in the
// module cache wherever coracle builds, and the test never goes to the
// network.
func TestSysnamesGenerated(t *testing.T) {
	have, err := os.ReadFile("sysnames.go")
	if err != nil {
		t.Fatal(err)
	}
	v, err := exec.Command("go", "list", "-m", "-f", "{{.Path}}@{{.Version}}", "golang.org/x/sys").Output()
	if err != nil {
		t.Fatalf("go list -m golang.org/x/sys: %v", err)
	}
	mod := strings.TrimSpace(string(v))
	if from := generatedFrom(t, have); from != mod {
		t.Fatalf("sysnames.go was generated from %s, but go.mod requires %s: run `%s`", from, mod, regenerate)
	}
	want, err := generate(t, mod)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("sysnames.go is not what gen_sysnames.go writes from %s: run `%s`", mod, regenerate)
	}
}

// namesIn returns the number-to-name table of a generated sysnames.go.
func namesIn(t *testing.T, code []byte) map[int]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "sysnames.go", code, 0)
	if err != nil {
		t.Fatal(err)
	}
	nums := map[string]int{}
	names := map[int]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			if len(n.Names) == 1 && len(n.Values) == 1 && strings.HasPrefix(n.Names[0].Name, "SYS_") {
				if lit, ok := n.Values[0].(*ast.BasicLit); ok {
					v, _ := strconv.Atoi(lit.Value)
					nums[n.Names[0].Name] = v
				}
			}
		case *ast.KeyValueExpr:
			key, ok1 := n.Key.(*ast.Ident)
			val, ok2 := n.Value.(*ast.BasicLit)
			if ok1 && ok2 {
				s, _ := strconv.Unquote(val.Value)
				num, ok := nums[key.Name]
				if !ok {
					t.Errorf("syscallNames: %s has no number", key.Name)
				}
				names[num] = s
			}
		}
		return true
	})
	for c, num := range nums {
		if want := strings.ToLower(strings.TrimPrefix(c, "SYS_")); names[num] != want {
			t.Errorf("%s = %d, named %q, want %q", c, num, names[num], want)
		}
	}
	return names
}

// TestSyscallNamesComplete checks the table against facts of the x86-64
// system-call numbering: 0 to 334 and 424 on are all assigned, 387 to
// 423 are reserved (Linux skipped them to give new calls the same
// number on every architecture), and Linux 6.x reaches past 460.
func TestSyscallNamesComplete(t *testing.T) {
	if NumSyscalls < 468 {
		t.Errorf("NumSyscalls = %d: the table stops before Linux 6.x's open_tree_attr (467)", NumSyscalls)
	}
	for n := uint64(0); n < NumSyscalls; n++ {
		name := SyscallName(n)
		switch {
		case (n <= 334 || n >= 424) && name == "":
			t.Errorf("system call %d has no name", n)
		case n >= 387 && n <= 423 && name != "":
			t.Errorf("system call %d is named %q, but 387-423 are reserved", n, name)
		}
	}
	for n, want := range map[uint64]string{
		0: "read", 56: "clone", 59: "execve", 60: "exit", 156: "_sysctl",
		202: "futex", 231: "exit_group", 257: "openat", 288: "accept4",
		302: "prlimit64", 318: "getrandom", 334: "rseq", 424: "pidfd_send_signal",
		435: "clone3", 439: "faccessat2", 449: "futex_waitv", 462: "mseal",
		467: "open_tree_attr",
	} {
		if got := SyscallName(n); got != want {
			t.Errorf("SyscallName(%d) = %q, want %q", n, got, want)
		}
	}
	if got := SyscallName(NumSyscalls); got != "" {
		t.Errorf("SyscallName(NumSyscalls) = %q, want \"\"", got)
	}
	code, err := os.ReadFile("sysnames.go")
	if err != nil {
		t.Fatal(err)
	}
	names := namesIn(t, code)
	for n := range uint64(NumSyscalls) {
		if names[int(n)] != SyscallName(n) {
			t.Errorf("sysnames.go names %d %q, SyscallName %q", n, names[int(n)], SyscallName(n))
		}
	}
}
