package image

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/internal/testimage"
)

// kernelStandIn is a package of the test module that plays the kernel:
// the overlay imports it, and its init function proves it was linked.
const kernelStandIn = testimage.ModulePath + "/kern"

var kernelStandInFiles = map[string]string{
	"kern/kern.go": "package kern\n\nvar Linked int\n\nfunc init() { Linked++ }\n",
}

// testOptions builds the test module in dir with the stand-ins for the
// kernel and its entry point.
func testOptions(dir, pkg string, progress io.Writer) Options {
	return Options{
		Pkg:          pkg,
		Dir:          dir,
		Progress:     progress,
		entrySymbol:  testimage.EntrySymbol,
		kernelImport: kernelStandIn,
	}
}

func writeTestModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{}
	for k, v := range kernelStandInFiles {
		all[k] = v
	}
	for k, v := range files {
		all[k] = v
	}
	if err := testimage.WriteModule(dir, testimage.Program{Status: 3}, all); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBuild(t *testing.T) {
	dir := writeTestModule(t, nil)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // to see that Build cleans up after itself
	var progress bytes.Buffer

	path, err := Build(context.Background(), testOptions(dir, ".", &progress))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "tiny.img"); path != want {
		t.Errorf("Build wrote %s, want the default %s", path, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("image mode %v, want 0755", fi.Mode().Perm())
	}
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := Verify(img)
	if err != nil {
		t.Fatalf("Build wrote an image Verify rejects: %v", err)
	}

	// The overlay linked the kernel stand-in without touching the
	// package's directory.
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	linked := false
	for _, s := range syms {
		linked = linked || strings.HasPrefix(s.Name, kernelStandIn+".init")
	}
	if !linked {
		t.Errorf("the image has no symbol of %s: the overlay did not add the import", kernelStandIn)
	}
	// The image is linked at LoadAddress: its first segment (the ELF
	// header's page) starts there and the text follows a page above.
	first := uint64(0)
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && (first == 0 || p.Vaddr < first) {
			first = p.Vaddr
		}
	}
	if first != LoadAddress {
		t.Errorf("first PT_LOAD at %#x, want LoadAddress %#x", first, LoadAddress)
	}
	if text := f.Section(".text"); text == nil || text.Addr != LoadAddress+0x1000 {
		t.Errorf(".text not at %#x: %+v", LoadAddress+0x1000, text)
	}
	if _, err := os.Stat(filepath.Join(dir, OverlayFileName)); !os.IsNotExist(err) {
		t.Errorf("%s appeared in the package directory (%v)", OverlayFileName, err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("Build left %d temporary files in TMPDIR: %v", len(left), left[0].Name())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".tiny.img.tmp-*")); len(left) != 0 {
		t.Errorf("Build left %v", left)
	}

	want := regexp.MustCompile(`^coracle: building \. with go1\.\d+\S* \(GOOS=linux GOARCH=amd64\)
coracle: wrote tiny\.img \(\d+\.\d MiB, PVH entry 0x[0-9a-f]+\)
$`)
	if !want.MatchString(progress.String()) {
		t.Errorf("progress:\n%s\nwant it to match %s", progress.String(), want)
	}
	if name := fmt.Sprintf("PVH entry %#x)", entry); !strings.Contains(progress.String(), name) {
		t.Errorf("progress does not say %q:\n%s", name, progress.String())
	}
}

func TestBuildOutputPath(t *testing.T) {
	dir := writeTestModule(t, nil)
	opts := testOptions(dir, "./", nil)
	opts.Output = "out/custom.img"
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	path, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "out", "custom.img"); path != want {
		t.Errorf("Build wrote %s, want %s", path, want)
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		pkg    string
		output string
		// stock: build with the real kernel import and entry symbol.
		stock bool
		entry string
		want  []string
	}{
		{
			name:  "no entry symbol",
			pkg:   ".",
			entry: "main.nothere",
			want:  []string{"the program has no PVH entry point main.nothere", `missing entry symbol "main.nothere"`},
		},
		{
			name:  "not main",
			files: map[string]string{"lib/lib.go": "package lib\n"},
			pkg:   "./lib",
			want:  []string{"./lib is package lib, not a main package; coracle builds commands"},
		},
		{
			name: "no such package",
			pkg:  "./nothere",
			want: []string{"cannot load package ./nothere", "directory not found"},
		},
		{
			name: "several packages",
			pkg:  "./...",
			want: []string{"./... matches 2 packages; name one main package"},
		},
		{
			name: "Go file",
			pkg:  "main.go",
			want: []string{"main.go is a Go file", "name its directory"},
		},
		{
			name:  "compile error",
			files: map[string]string{"main.go": "package main\n\nfunc main() { undefinedThing() }\n"},
			pkg:   ".",
			want:  []string{"go build . failed:", "undefined: undefinedThing"},
		},
		{
			name:  "module does not require coracle",
			pkg:   ".",
			stock: true,
			want:  []string{"module example.com/tiny does not require github.com/coracle-os/coracle: run `go get github.com/coracle-os/coracle` in "},
		},
		{
			name:   "unwritable output",
			pkg:    ".",
			files:  map[string]string{"notadir": "a file"},
			output: "notadir/tiny.img",
			want:   []string{"cannot write notadir/tiny.img: not a directory; choose another path with -o"},
		},
		{
			name:   "output is a directory",
			pkg:    ".",
			files:  map[string]string{"kern/x.txt": ""},
			output: "kern",
			want:   []string{"cannot write kern: it is a directory; choose another path with -o"},
		},
		{
			name:  "overlay file exists",
			pkg:   ".",
			files: map[string]string{OverlayFileName: "package main\n"},
			want:  []string{OverlayFileName + " already exists"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTestModule(t, tt.files)
			opts := testOptions(dir, tt.pkg, nil)
			opts.Output = tt.output
			if tt.entry != "" {
				opts.entrySymbol = tt.entry
			}
			if tt.stock {
				opts.entrySymbol, opts.kernelImport = "", ""
			}
			path, err := Build(context.Background(), opts)
			if err == nil {
				t.Fatalf("Build succeeded (%s); want an error", path)
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if imgs, _ := filepath.Glob(filepath.Join(dir, "*.img")); len(imgs) != 0 {
				t.Errorf("a failed build left %v", imgs)
			}
		})
	}
}

func TestDefaultOutputName(t *testing.T) {
	tests := map[string]string{
		"github.com/coracle-os/coracle/examples/hello": "hello.img",
		"example.com/tool/v2":                          "tool.img",
		"example.com/v2":                               "example.com.img",
		"example.com/tool/v10":                         "tool.img",
		"hello":                                        "hello.img",
		"example.com/cmd/v1":                           "v1.img",
	}
	for in, want := range tests {
		if got := defaultOutputName(in); got != want {
			t.Errorf("defaultOutputName(%q) = %q, want %q", in, got, want)
		}
	}
}

// --tzdata links the standard library's embedded time zone database, and
// only then.
func TestBuildTZData(t *testing.T) {
	dir := writeTestModule(t, nil)
	for _, tz := range []bool{false, true} {
		opts := testOptions(dir, ".", nil)
		opts.TZData = tz
		opts.Output = fmt.Sprintf("tz-%v.img", tz)
		path, err := Build(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		f, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		syms, err := f.Symbols()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		linked := false
		for _, s := range syms {
			linked = linked || strings.HasPrefix(s.Name, TZDataImportPath+".")
		}
		if linked != tz {
			t.Errorf("TZData %v: the image has symbols of %s: %v", tz, TZDataImportPath, linked)
		}
	}
}
