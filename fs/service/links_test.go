package service

import (
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/shares"
)

func TestInMount(t *testing.T) {
	for _, c := range []struct {
		target, guest, inside string
		ok                    bool
	}{
		{"/mnt/d", "/mnt/d", "", true},
		{"/mnt/d/", "/mnt/d", "/", true},
		{"/mnt/d/a/b", "/mnt/d", "/a/b", true},
		{"/mnt/data/a", "/mnt/d", "", false}, // a sibling that shares the prefix
		{"/mnt", "/mnt/d", "", false},
		{"/etc/passwd", "/mnt/d", "", false},
	} {
		inside, ok := InMount(c.target, c.guest)
		if inside != c.inside || ok != c.ok {
			t.Errorf("InMount(%q, %q) = %q, %v; want %q, %v", c.target, c.guest, inside, ok, c.inside, c.ok)
		}
	}
}

func TestSplitPath(t *testing.T) {
	for path, want := range map[string][]string{
		"":          nil,
		"/":         nil,
		"a":         {"a"},
		"/a//b/":    {"a", "b"},
		"./a/../b/": {".", "a", "..", "b"},
	} {
		if got := SplitPath(path); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitPath(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestLinkInMount(t *testing.T) {
	for _, c := range []struct {
		target string
		dir    []string
		path   string
		ok     bool
	}{
		{"f", nil, "//f", true},
		{"f", []string{"a", "b"}, "/a/b/f", true},
		{"../g/", []string{"a"}, "/a/../g/", true},
		{"/m/x/y", []string{"a"}, "//x/y", true},
		{"/m", []string{"a"}, "/", true},
		{"/m/", nil, "//", true},
		{"/elsewhere", []string{"a"}, "", false},
	} {
		path, ok := LinkInMount(c.target, "/m", c.dir)
		if path != c.path || ok != c.ok {
			t.Errorf("LinkInMount(%q, \"/m\", %q) = %q, %v; want %q, %v", c.target, c.dir, path, ok, c.path, c.ok)
		}
	}
}

// fakeTree is a mount's directory tree of symbolic links for
// CreateTarget: paths from the mount's root to link contents. Its
// lookups normalise the directory path as a backend's resolution would.
type fakeTree struct {
	links  map[string]string
	broken map[string]bool // links whose contents cannot be read
}

var errUnreadable = errors.New("unreadable link")

func (f *fakeTree) link(dir int32, dirPath, name string) (string, []string, bool, error) {
	if dir != shares.Root {
		return "", nil, false, nil // the tests start at the root
	}
	var comps []string
	for _, c := range strings.Split(dirPath, "/") {
		switch c {
		case "", ".":
		case "..":
			if len(comps) > 0 {
				comps = comps[:len(comps)-1]
			}
		default:
			comps = append(comps, c)
		}
	}
	p := strings.Join(append(comps[:len(comps):len(comps)], name), "/")
	if f.broken[p] {
		return "", comps, true, errUnreadable
	}
	target, ok := f.links[p]
	return target, comps, ok, nil
}

func TestCreateTarget(t *testing.T) {
	tree := &fakeTree{
		links: map[string]string{
			"dangling": "new",
			"chain":    "d/hop",
			"d/hop":    "../dangling",
			"abs":      "/m/d/made",
			"out":      "/etc/passwd",
			"loop":     "loop",
			"toDir":    "d/",
			"d/toRoot": "/m",
		},
		broken: map[string]bool{"unread": true},
	}
	for _, c := range []struct {
		path    string
		dir     int32
		wantDir int32
		want    string
		err     error
	}{
		{"plain", shares.Root, shares.Root, "plain", nil},
		{"dangling", shares.Root, shares.Root, "//new", nil},
		{"chain", shares.Root, shares.Root, "//new", nil},
		{"abs", shares.Root, shares.Root, "//d/made", nil},
		{"toDir", shares.Root, shares.Root, "//d/", nil},
		{"d/toRoot", shares.Root, shares.Root, "/", nil},
		{"dir/", shares.Root, shares.Root, "dir/", nil},
		{"d/..", shares.Root, shares.Root, "d/..", nil},
		{"x/.", shares.Root, shares.Root, "x/.", nil},
		{"dangling", 7, 7, "dangling", nil}, // not found from handle 7: left as it is
		{"out", shares.Root, 0, "", Errno(syscall.EXDEV)},
		{"loop", shares.Root, 0, "", Errno(syscall.ELOOP)},
		{"unread", shares.Root, 0, "", errUnreadable},
	} {
		dir, path, err := CreateTarget(c.dir, c.path, "/m", tree.link)
		if dir != c.wantDir || path != c.want || !errors.Is(err, c.err) {
			t.Errorf("CreateTarget(%d, %q) = %d, %q, %v; want %d, %q, %v", c.dir, c.path, dir, path, err, c.wantDir, c.want, c.err)
		}
	}
}

// A chain of MaxSymlinks links is followed; one more is ELOOP, as on
// Linux.
func TestCreateTargetLimit(t *testing.T) {
	chain := func(n int) *fakeTree {
		f := &fakeTree{links: map[string]string{}}
		for i := range n {
			f.links[linkName(i)] = linkName(i + 1)
		}
		return f
	}
	f := chain(MaxSymlinks)
	if _, path, err := CreateTarget(shares.Root, linkName(0), "/m", f.link); err != nil || path != "//"+linkName(MaxSymlinks) {
		t.Errorf("%d links: %q, %v", MaxSymlinks, path, err)
	}
	f = chain(MaxSymlinks + 1)
	if _, _, err := CreateTarget(shares.Root, linkName(0), "/m", f.link); err != Errno(syscall.ELOOP) {
		t.Errorf("%d links: %v, want ELOOP", MaxSymlinks+1, err)
	}
}

func linkName(i int) string { return "l" + strings.Repeat("x", i) }
