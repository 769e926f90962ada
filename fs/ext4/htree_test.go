package ext4

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDirHashAgainstDebugfs compares dirHash with e2fsprogs' for every
// hash version, signed and unsigned, with the default and a given seed,
// for names of several lengths (the hashes work on 16- and 32-byte
// chunks) and names with bytes >= 0x80 (where signedness matters).
func TestDirHashAgainstDebugfs(t *testing.T) {
	tool(t, "debugfs")
	img := image(t, 4096, false)
	names := []string{"a", "hello", "h\xe9llo", "file-00001-with-a-longer-name",
		strings.Repeat("x", 31), strings.Repeat("y", 32), strings.Repeat("z", 33),
		"\xff\xfe\x80\x7f" + strings.Repeat("q", 60), strings.Repeat("\xc3\xa9", 100)}
	seeds := map[string][4]uint32{
		"00000000-0000-0000-0000-000000000000": {},
		"01234567-89ab-cdef-0123-456789abcdef": seedFromUUID("0123456789abcdef0123456789abcdef"),
	}
	re := regexp.MustCompile(`Hash of .* is 0x([0-9a-f]+) `)
	var req strings.Builder
	type want struct {
		name string
		v    int
		seed [4]uint32
	}
	var wants []want
	for uuid, seed := range seeds {
		for v := hashLegacy; v <= hashTeaUnsigned; v++ {
			for _, n := range names {
				fmt.Fprintf(&req, "dx_hash -h %d -s %s %s\n", v, uuid, n)
				wants = append(wants, want{n, v, seed})
			}
		}
	}
	out := run(t, nil, "debugfs", nil, "-f", writeTemp(t, req.String()), img)
	m := re.FindAllStringSubmatch(out, -1)
	if len(m) != len(wants) {
		t.Fatalf("debugfs gave %d hashes for %d requests:\n%s", len(m), len(wants), out)
	}
	for i, w := range wants {
		exp, _ := strconv.ParseUint(m[i][1], 16, 32)
		got, ok := dirHash([]byte(w.name), w.v, w.seed)
		if !ok || uint64(got) != exp {
			t.Errorf("hash %d of %q with seed %x = %#x, debugfs says %#x", w.v, w.name, w.seed, got, exp)
		}
	}
}

// seedFromUUID is s_hash_seed for a UUID given in hex: the UUID's bytes
// as four little-endian words.
func seedFromUUID(hex string) [4]uint32 {
	var b [16]byte
	for i := range b {
		v, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		b[i] = byte(v)
	}
	var s [4]uint32
	for i := range s {
		s[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return s
}

func writeTemp(t *testing.T, s string) string {
	t.Helper()
	p := t.TempDir() + "/req"
	if err := writeFile(p, s); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHtreeLookupMatchesLinear looks every name of the big htree
// directory up through the index and by a scan of all its blocks, and
// some names that are not there; both must agree.
func TestHtreeLookupMatchesLinear(t *testing.T) {
	tool(t, "mkfs.ext4")
	for _, bs := range []int{4096, 1024} {
		t.Run(fmt.Sprintf("%dk", bs/1024), func(t *testing.T) {
			f := openImage(t, image(t, bs, true))
			many := mustInode(t, f, "many")
			entries, err := f.ReadDir(many.ino, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			names := []string{"absent", "file-99999-with-a-longer-name", "file-0001-with-a-longer-name", "\xff"}
			for _, e := range entries {
				if e.Name != "." && e.Name != ".." {
					names = append(names, e.Name)
				}
			}
			if len(names) < manyFiles {
				t.Fatalf("many has %d names", len(names))
			}
			for _, n := range names {
				dx, dxFound, err1 := f.dxLookup(many, []byte(n))
				lin, linFound, err2 := f.linearLookup(many, []byte(n))
				if err1 != nil || err2 != nil || dx != lin || dxFound != linFound {
					t.Errorf("%q: htree %d %v %v, linear %d %v %v", n, dx, dxFound, err1, lin, linFound, err2)
				}
			}
		})
	}
}
