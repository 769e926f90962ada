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

// TestHtreeCollisionContinues checks the lookup of a name whose hash
// run continues from one leaf into the next. e2fsck -D rarely splits a
// run of equal hashes, so the test makes one: in an image without
// checksums it sets the continuation bit (bit 0) of a leaf's index hash.
// The index then says that the leaf continues the previous leaf's last
// hash, so a name with exactly that hash must be looked for in the
// previous leaf and then, because of the bit, in this one.
func TestHtreeCollisionContinues(t *testing.T) {
	tool(t, "e2fsck")
	tree := t.TempDir()
	if err := mkdirAll(tree + "/many"); err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		if err := writeFile(fmt.Sprintf("%s/many/name-%04d", tree, i), ""); err != nil {
			t.Fatal(err)
		}
	}
	img := mkfsImage(t, "", "8M", "-b", "1024", "-N", "2100", "-O", "^metadata_csum,^has_journal", "-d", tree)
	run(t, nil, "e2fsck", []int{1}, "-fyD", img)
	rootBlk := debugfsNumber(t, img, "bmap /many 0", `(?m)^(\d+)$`)

	f := openImage(t, img)
	many := mustInode(t, f, "many")
	root, err := f.readDirBlock(many, 0)
	if err != nil {
		t.Fatal(err)
	}
	if root.data[30] != 0 {
		t.Fatalf("many has %d index levels; the test wants 0", root.data[30])
	}
	fr := dxFrame{data: root.data, countOff: dxRootCountOff, count: int(binary.LittleEndian.Uint16(root.data[dxRootCountOff+2:]))}
	if fr.count < 3 {
		t.Fatalf("many has %d leaves", fr.count)
	}
	// The name in leaf 2 whose hash is the leaf's index hash.
	const entry = 2
	h := fr.hash(entry)
	leaf, err := f.readDirBlock(many, fr.block(entry))
	if err != nil {
		t.Fatal(err)
	}
	var name string
	var ino uint32
	leaf.dirents(f.BlockSize(), func(d dirent) bool {
		if dh, _ := dirHash(d.name, int(root.data[28]), f.sb.hashSeed); dh == h {
			name, ino = string(d.name), d.ino
			return false
		}
		return true
	})
	if name == "" {
		t.Fatalf("no name in leaf %d has its index hash %#x", fr.block(entry), h)
	}
	if got, err := f.Lookup(many.ino, name); got != ino || err != nil {
		t.Fatalf("before: lookup %q = %d, %v; want %d", name, got, err, ino)
	}

	// Set the continuation bit: the byte is the low byte of entry 2's hash.
	flipBits(t, img, rootBlk*1024+dxRootCountOff+entry*dxEntrySize, 1)
	f = openImage(t, img)
	if got, err := f.Lookup(many.ino, name); got != ino || err != nil {
		t.Errorf("after: lookup %q = %d, %v; want %d (found in the next leaf)", name, got, err, ino)
	}
	// A scan of every block finds it too.
	if _, found, _ := f.linearLookup(many, []byte(name)); !found {
		t.Errorf("linear lookup of %q fails", name)
	}
}
