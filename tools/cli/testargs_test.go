package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/coracle-os/coracle/tools/qemu"
)

func TestParseTest(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args     []string
		goArgs   []string
		patterns []string
		mem      int
		shares   []qemu.Share
		tmpdir   string
	}{
		{nil, nil, nil, testMemoryMiB, nil, ""},
		{[]string{"-v", "./..."}, []string{"-v", "./..."}, []string{"./..."}, testMemoryMiB, nil, ""},
		{[]string{"-v=true", "-run", "TestX", "p"}, []string{"-v=true", "-run", "TestX", "p"}, []string{"p"}, testMemoryMiB, nil, ""},
		// The value of a go flag is no pattern.
		{[]string{"-count", "1", "-bench", ".", "-coverprofile", "c.out", "./a"}, []string{"-count", "1", "-bench", ".", "-coverprofile", "c.out", "./a"}, []string{"./a"}, testMemoryMiB, nil, ""},
		// coracle's flags anywhere, taken out.
		{[]string{"-short", "-m", "1024", "./a", "--mem=768", "-v", dir + ":/data", "--tmpdir", "/data/"}, []string{"-short", "./a"}, []string{"./a"}, 768, []qemu.Share{{HostDir: dir, GuestDir: "/data"}}, "/data"},
		{[]string{"-v=" + dir + ":/d:ro", "-v", "."}, []string{"-v", "."}, []string{"."}, testMemoryMiB, []qemu.Share{{HostDir: dir, GuestDir: "/d", ReadOnly: true}}, ""},
		{[]string{"-test.run", "X", "-test.v", "./a"}, []string{"-test.run", "X", "-test.v", "./a"}, []string{"./a"}, testMemoryMiB, nil, ""},
		// Everything after -args is the binary's.
		{[]string{"./a", "-args", "-m", "5", "x"}, []string{"./a", "-args", "-m", "5", "x"}, []string{"./a"}, testMemoryMiB, nil, ""},
	} {
		got, err := parseTest(c.args)
		if err != nil {
			t.Errorf("parseTest(%q): %v", c.args, err)
			continue
		}
		if !slices.Equal(got.GoArgs, c.goArgs) || !slices.Equal(got.Patterns, c.patterns) || got.Guest.MemoryMiB != c.mem || !reflect.DeepEqual(got.Guest.Shares, c.shares) || got.Guest.TmpDir != c.tmpdir {
			t.Errorf("parseTest(%q) = go args %q, patterns %q, %d MiB, shares %+v, tmpdir %q\nwant %q, %q, %d, %+v, %q", c.args,
				got.GoArgs, got.Patterns, got.Guest.MemoryMiB, got.Guest.Shares, got.Guest.TmpDir,
				c.goArgs, c.patterns, c.mem, c.shares, c.tmpdir)
		}
	}
}

func TestParseTestDir(t *testing.T) {
	for _, args := range [][]string{{"-C", "sub", "./a"}, {"-C=sub", "./a"}} {
		got, err := parseTest(args)
		if err != nil || got.Dir != "sub" || !slices.Equal(got.GoArgs, []string{"./a"}) {
			t.Errorf("parseTest(%q) = dir %q, go args %q, %v; want sub, [./a]", args, got.Dir, got.GoArgs, err)
		}
	}
}

// An empty -fuzz asks for no fuzzing, as go test's default.
func TestParseTestEmptyFuzz(t *testing.T) {
	if _, err := parseTest([]string{"-fuzz=", "./a"}); err != nil {
		t.Errorf("parseTest(-fuzz=) = %v, want no error", err)
	}
}

func TestParseTestErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-exec", "x", "./a"},
		{"-overlay=o.json"},
		{"-m", "x"},
		{"-m"},
		{"--tmpdir", "rel"},
		{"-v", "/nonexistent-dir-of-coracle:/d"},
		{"--machine", "vax"},
		{"./a", "--", "x"},
		{"-fuzz", "FuzzX", "./a"},
		{"-fuzz=FuzzX", "-fuzztime", "10s"},
		{"-test.fuzz=.", "./a"},
	} {
		_, err := parseTest(args)
		var u *UsageError
		if !errors.As(err, &u) {
			t.Errorf("parseTest(%q) = %v, want a usage error", args, err)
		}
	}
}

// The guest's flags survive the trip through go test -exec: execArgs,
// quoteArgs, the go command's splitting (here: of the simple words
// quoteArgs leaves alone) and parseExecTest.
func TestExecArgsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tr, err := parseTest([]string{"-m", "640", "--cpus", "3", "-v", dir + ":/data:ro", "--tmpdir", "/data", "--accel", "tcg", "./p"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Guest.CPUs != 3 {
		t.Fatalf("--cpus 3 parsed as %d", tr.Guest.CPUs)
	}
	tr.Guest.CallerEnv = []string{"GOOS", "GOARCH=amd64"}
	args := append(tr.Guest.execArgs(), "/tmp/b001/p.test", "-test.v=true")
	e, err := parseExecTest(args)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(e.Guest, tr.Guest) || e.Binary != "/tmp/b001/p.test" || !slices.Equal(e.Args, []string{"-test.v=true"}) {
		t.Errorf("parseExecTest(%q) = %+v, want guest %+v", args, e, tr.Guest)
	}
}

func TestQuoteArgs(t *testing.T) {
	got := quoteArgs([]string{"/usr/bin/coracle", "exec-test", "-v", "/my dir:/d", "it's", ""})
	want := `/usr/bin/coracle exec-test -v '/my dir:/d' "it's" ''`
	if got != want {
		t.Errorf("quoteArgs = %s, want %s", got, want)
	}
}

func TestTakeLDFlags(t *testing.T) {
	rest, ld := takeLDFlags([]string{"-run", "-ldflags", "-ldflags=-s -w", "./a", "-args", "-ldflags=x"})
	if ld != "-s -w" || !slices.Equal(rest, []string{"-run", "-ldflags", "./a", "-args", "-ldflags=x"}) {
		t.Errorf("takeLDFlags = %q, %q", rest, ld)
	}
}

func TestGuestEnv(t *testing.T) {
	got := guestEnv([]string{"HOME=/root", "DISPLAY=:0", "TMPDIR=/var/tmp", "PWD=/elsewhere", "SSH_AUTH_SOCK=/s", "A=b=c", "GOOS=linux", "GOARCH=amd64"}, "/src/p", "", []string{"GOOS", "GOARCH=arm64"})
	want := []string{"HOME=/root", "A=b=c", "GOARCH=arm64", "PWD=/src/p", "TMPDIR=/tmp"}
	if !slices.Equal(got, want) {
		t.Errorf("guestEnv = %q, want %q", got, want)
	}
	if got := guestEnv(nil, "/src/p", "/mnt/disk0", nil); !slices.Contains(got, "TMPDIR=/mnt/disk0") {
		t.Errorf("guestEnv with a tmpdir = %q", got)
	}
}

func TestTestShares(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "src", "p")
	work := filepath.Join(root, "go-build1", "b001")
	cover := filepath.Join(root, "cover")
	inner := filepath.Join(pkg, "out")
	for _, d := range []string{pkg, work, cover, inner} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	user := []qemu.Share{{HostDir: "/h", GuestDir: "/data"}}
	got := testShares(user, pkg, []string{
		"-test.testlogfile=" + filepath.Join(work, "testlog.txt"),
		"-test.coverprofile=" + filepath.Join(work, "_cover_.out"),
		"-test.outputdir=" + inner, // inside the package directory: shared with it
		"-test.run=TestX",
		"-test.cpuprofile=relative.out",
	}, []string{"GOCOVERDIR=" + cover, "HOME=/root"})
	want := append(user,
		qemu.Share{HostDir: pkg, GuestDir: pkg},
		qemu.Share{HostDir: cover, GuestDir: cover},
		qemu.Share{HostDir: work, GuestDir: work})
	slices.SortFunc(got[1:], func(a, b qemu.Share) int { return len(a.HostDir) - len(b.HostDir) })
	slices.SortFunc(want[1:], func(a, b qemu.Share) int { return len(a.HostDir) - len(b.HostDir) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("testShares =\n%+v\nwant\n%+v", got, want)
	}
}
