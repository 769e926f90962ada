package shares

import "testing"

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
