package shares

import (
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		v, tag, path string
		ro, ok       bool
	}{
		{"share0:/data", "share0", "/data", false, true},
		{"share1:/a/b:ro", "share1", "/a/b", true, true},
		{"t_-9:/with%20space", "t_-9", "/with%20space", false, true},
		{"share0:/ro", "share0", "/ro", false, true},
		{"share0:/x:rw", "", "", false, false}, // only :ro is a suffix
		{"share0:data", "", "", false, false},
		{"share0:", "", "", false, false},
		{":/data", "", "", false, false},
		{"share0", "", "", false, false},
		{"sh are:/data", "", "", false, false},
		{"share0:/a:b", "", "", false, false},
		{"share0::ro", "", "", false, false},
	} {
		tag, path, ro, ok := Split(c.v)
		if tag != c.tag || path != c.path || ro != c.ro || ok != c.ok {
			t.Errorf("Split(%q) = %q %q %v %v, want %q %q %v %v", c.v, tag, path, ro, ok, c.tag, c.path, c.ro, c.ok)
		}
	}
}

func TestOpNames(t *testing.T) {
	for op := Op(1); op < OpEnd; op++ {
		if op.String() == "" || op.String() == "op?" {
			t.Errorf("operation %d has no name", op)
		}
	}
	if OpEnd.String() != "op?" {
		t.Errorf("OpEnd is named %q", OpEnd.String())
	}
}

func TestSplitDisk(t *testing.T) {
	for _, c := range []struct {
		v, path string
		ro, ok  bool
	}{
		{"/mnt/disk0", "/mnt/disk0", false, true},
		{"/mnt/disk1:ro", "/mnt/disk1", true, true},
		{"/with%20space", "/with%20space", false, true},
		{"/ro", "/ro", false, true},
		{"/x:rw", "", false, false},
		{"mnt", "", false, false},
		{"", "", false, false},
		{":ro", "", false, false},
		{"/a:b", "", false, false},
	} {
		path, ro, ok := SplitDisk(c.v)
		if path != c.path || ro != c.ro || ok != c.ok {
			t.Errorf("SplitDisk(%q) = %q %v %v, want %q %v %v", c.v, path, ro, ok, c.path, c.ro, c.ok)
		}
	}
}

func TestParseMount(t *testing.T) {
	long := "/" + strings.Repeat("a", PathMax)
	for _, c := range []struct {
		key, value string
		want       Mount
		ok         bool
	}{
		{Key, "share0:/data:ro", Mount{Kind: KindShare, Tag: "share0", Path: "/data", ReadOnly: true}, true},
		{DiskKey, "/mnt/disk0", Mount{Kind: KindDisk, Path: "/mnt/disk0"}, true},
		{DiskKey, "/mnt/a%20b:ro", Mount{Kind: KindDisk, Path: "/mnt/a%20b", ReadOnly: true}, true},
		{DiskKey, "/bad%2", Mount{}, false},  // a broken escape
		{DiskKey, "/bad%zz", Mount{}, false}, // not hex
		{DiskKey, long, Mount{}, false},      // does not fit a request
		{Key, "/data", Mount{}, false},       // no tag
		{"coracle.arg", "/data", Mount{}, false},
	} {
		m, ok := ParseMount(c.key, c.value)
		if m != c.want || ok != c.ok {
			t.Errorf("ParseMount(%q, %q) = %+v %v, want %+v %v", c.key, c.value, m, ok, c.want, c.ok)
		}
	}
}
