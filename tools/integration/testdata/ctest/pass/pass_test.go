package pass

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSum(t *testing.T) {
	if got := Sum(5); got != 10 {
		t.Fatalf("Sum(5) = %d, want 10", got)
	}
}

// TestTestdata reads a file of the package's testdata directory by a
// relative path: the working directory is the package directory.
func TestTestdata(t *testing.T) {
	b, err := os.ReadFile("testdata/greeting.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "hello from testdata\n" {
		t.Fatalf("testdata/greeting.txt holds %q", b)
	}
}

// TestWorkingDir checks that the working directory is the directory of
// this source file, as under go test.
func TestWorkingDir(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if wd != filepath.Dir(file) {
		t.Fatalf("working directory %s, want %s", wd, filepath.Dir(file))
	}
}

// TestTempDir writes a file into t.TempDir and reads it back.
func TestTempDir(t *testing.T) {
	name := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(name, []byte("written"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(name)
	if err != nil || string(b) != "written" {
		t.Fatalf("read back %q, %v", b, err)
	}
}

// TestEnv reads a variable the caller of go test sets, when it does.
func TestEnv(t *testing.T) {
	want := os.Getenv("CTEST_WANT")
	if want == "" {
		t.Skip("CTEST_WANT is not set")
	}
	if got := os.Getenv("CTEST_VALUE"); got != want {
		t.Fatalf("CTEST_VALUE = %q, want %q", got, want)
	}
}

func BenchmarkSum(b *testing.B) {
	for b.Loop() {
		Sum(100)
	}
}

// TestGoEnv shows the go command's platform variables as the test sees
// them: the caller's, although coracle test sets them for the go command.
func TestGoEnv(t *testing.T) {
	for _, name := range []string{"GOOS", "GOARCH", "CGO_ENABLED"} {
		v, ok := os.LookupEnv(name)
		t.Logf("%s: %q %v", name, v, ok)
	}
}
