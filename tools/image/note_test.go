package image

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coracle-os/coracle/tools/internal/testimage"
)

// linkedELF returns the bytes of a freshly linked test program (built
// once per test binary), before any rewrite.
var linkedELF = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "coracle-image-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path, err := testimage.BuildELF(dir, testimage.Program{Status: 7})
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

func TestRewritePVHNoteOnGoBinary(t *testing.T) {
	orig := mustLinked(t)
	before := bytes.Clone(orig)
	img, err := RewritePVHNote(orig)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(orig, before) {
		t.Error("RewritePVHNote modified its input")
	}
	if len(img) != len(orig) {
		t.Errorf("image is %d bytes, input %d: the rewrite must patch in place", len(img), len(orig))
	}

	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	var notes []*elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_NOTE {
			notes = append(notes, p)
		}
	}
	if len(notes) != 1 {
		t.Fatalf("%d PT_NOTE segments, want 1", len(notes))
	}
	seg := notes[0]
	if seg.Filesz != 24 || seg.Memsz != 24 || seg.Align != 4 {
		t.Errorf("PT_NOTE p_filesz=%d p_memsz=%d p_align=%d, want 24 24 4", seg.Filesz, seg.Memsz, seg.Align)
	}
	note := make([]byte, seg.Filesz)
	if _, err := seg.ReadAt(note, 0); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if got := le.Uint32(note[0:]); got != 4 {
		t.Errorf("namesz = %d, want 4", got)
	}
	if got := le.Uint32(note[4:]); got != 8 {
		t.Errorf("descsz = %d, want 8", got)
	}
	if got := le.Uint32(note[8:]); got != 18 {
		t.Errorf("type = %d, want 18 (XEN_ELFNOTE_PHYS32_ENTRY)", got)
	}
	if got := string(note[12:16]); got != "Xen\x00" {
		t.Errorf("name = %q, want \"Xen\\x00\"", got)
	}
	if got := le.Uint64(note[16:]); got != f.Entry {
		t.Errorf("desc = %#x, want e_entry %#x", got, f.Entry)
	}
	if f.Entry < 1<<20 {
		t.Errorf("e_entry %#x below 1 MiB", f.Entry)
	}

	// The linker's old notes must not survive in the bytes that the
	// segment used to cover.
	origF, err := elf.NewFile(bytes.NewReader(orig))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range origF.Progs {
		if p.Type == elf.PT_NOTE {
			rest := img[p.Off+24 : p.Off+p.Filesz]
			if !bytes.Equal(rest, make([]byte, len(rest))) {
				t.Errorf("bytes after the PVH note, up to the old segment end, are not zero")
			}
		}
	}

	// Sections: the first note section now describes the PVH note.
	first := f.Sections[1]
	if first.Name != ".note.pvh" || first.Type != elf.SHT_NOTE || first.Size != 24 || first.Offset != seg.Off || first.Addralign != 4 {
		t.Errorf("section 1 = %s %v size %d offset %#x align %d; want .note.pvh SHT_NOTE 24 at %#x align 4",
			first.Name, first.Type, first.Size, first.Offset, first.Addralign, seg.Off)
	}
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOTE && s != first && s.Offset < seg.Off+seg.Filesz && s.Offset+s.Size > seg.Off {
			t.Errorf("note section %s overlaps the PVH note", s.Name)
		}
	}
}

func TestRewritePVHNoteIsIdempotent(t *testing.T) {
	once, err := RewritePVHNote(mustLinked(t))
	if err != nil {
		t.Fatal(err)
	}
	twice, err := RewritePVHNote(once)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(once, twice) {
		t.Error("rewriting an image twice changed it")
	}
}

func TestRewrittenImageKeepsReadelfQuiet(t *testing.T) {
	readelf, err := exec.LookPath("readelf")
	if err != nil {
		t.Skip("readelf not installed")
	}
	img, err := RewritePVHNote(mustLinked(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "image")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(readelf, "-a", "-W", path).CombinedOutput()
	if err != nil {
		t.Fatalf("readelf -a: %v\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if strings.Contains(strings.ToLower(line), "warn") {
			t.Errorf("readelf: %s", strings.TrimSpace(line))
		}
	}
	notes, err := exec.Command(readelf, "-n", path).CombinedOutput()
	if err != nil {
		t.Fatalf("readelf -n: %v\n%s", err, notes)
	}
	if !strings.Contains(string(notes), ".note.pvh") || !strings.Contains(string(notes), "Xen") {
		t.Errorf("readelf -n does not show the Xen note in .note.pvh:\n%s", notes)
	}
}

func TestRewritePVHNoteRejects(t *testing.T) {
	tests := []struct {
		name  string
		patch func(t *testing.T, img []byte)
		want  error
	}{
		{"entry below 1 MiB", func(t *testing.T, img []byte) {
			binary.LittleEndian.PutUint64(img[24:], 0xff000)
		}, ErrEntryRange},
		{"entry above 4 GiB", func(t *testing.T, img []byte) {
			binary.LittleEndian.PutUint64(img[24:], 1<<32)
		}, ErrEntryRange},
		{"no PT_NOTE", func(t *testing.T, img []byte) {
			binary.LittleEndian.PutUint32(progHeader(t, img, elf.PT_NOTE)[phTypeOff:], uint32(elf.PT_NULL))
		}, ErrNoPVHNote},
		{"PT_NOTE too small", func(t *testing.T, img []byte) {
			binary.LittleEndian.PutUint64(progHeader(t, img, elf.PT_NOTE)[phFileszOff:], 20)
		}, ErrNoPVHNote},
		{"wrong machine", func(t *testing.T, img []byte) {
			binary.LittleEndian.PutUint16(img[18:], uint16(elf.EM_AARCH64))
		}, ErrWrongMachine},
		{"not executable", func(t *testing.T, img []byte) {
			binary.LittleEndian.PutUint16(img[16:], uint16(elf.ET_DYN))
		}, ErrNotExecutable},
		{"not ELF", func(t *testing.T, img []byte) {
			copy(img, "#!/bin/sh\n")
		}, ErrNotELF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := bytes.Clone(mustLinked(t))
			tt.patch(t, img)
			_, err := RewritePVHNote(img)
			if !errors.Is(err, tt.want) {
				t.Errorf("RewritePVHNote: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRewritePVHNoteRejectsELF32(t *testing.T) {
	_, err := RewritePVHNote(minimalELF32())
	if !errors.Is(err, ErrNotELF64) {
		t.Errorf("RewritePVHNote(ELF32): %v, want %v", err, ErrNotELF64)
	}
}

func mustLinked(t *testing.T) []byte {
	t.Helper()
	b, err := linkedELF()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// progHeader returns the bytes of the first program header of type typ.
func progHeader(t *testing.T, img []byte, typ elf.ProgType) []byte {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	h, err := newRawHeaders(img, f)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range f.Progs {
		if p.Type == typ {
			return h.prog(i)
		}
	}
	t.Fatalf("no %v program header", typ)
	return nil
}

// minimalELF32 returns a valid 32-bit x86 ELF header with no program or
// section headers.
func minimalELF32() []byte {
	b := make([]byte, 52)
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = byte(elf.ELFCLASS32), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(elf.ET_EXEC))
	le.PutUint16(b[18:], uint16(elf.EM_386))
	le.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	le.PutUint32(b[24:], 0x100000) // e_entry
	le.PutUint16(b[40:], 52)       // e_ehsize
	return b
}

// Linkers may put several note sections in the one PT_NOTE segment (the
// Go linker's .note.go.buildid and .note.gnu.build-id are adjacent). The
// ones the shrunk segment no longer covers must stop being notes.
func TestRewritePVHNoteWithTwoNotesInSegment(t *testing.T) {
	img := bytes.Clone(mustLinked(t))
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	var first, second *elf.Section
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOTE {
			if first == nil {
				first = s
			} else if second == nil {
				second = s
			}
		}
	}
	if first == nil || second == nil || second.Offset != first.Offset+first.Size {
		t.Skip("the linker no longer writes two adjacent note sections")
	}
	ph := progHeader(t, img, elf.PT_NOTE)
	size := first.Size + second.Size
	binary.LittleEndian.PutUint64(ph[phFileszOff:], size)
	binary.LittleEndian.PutUint64(ph[phMemszOff:], size)

	out, err := RewritePVHNote(img)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(out); err != nil {
		t.Fatal(err)
	}
	g, err := elf.NewFile(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, s := range g.Sections {
		if s.Type == elf.SHT_NOTE {
			notes = append(notes, s.Name)
		}
	}
	if len(notes) != 1 || notes[0] != ".note.pvh" {
		t.Errorf("note sections %q, want only .note.pvh", notes)
	}
	if s := g.Section(second.Name); s == nil || s.Type != elf.SHT_PROGBITS {
		t.Errorf("%s is not SHT_PROGBITS after the rewrite", second.Name)
	}
	if readelf, err := exec.LookPath("readelf"); err == nil {
		path := filepath.Join(t.TempDir(), "image")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		b, _ := exec.Command(readelf, "-a", "-W", path).CombinedOutput()
		if strings.Contains(strings.ToLower(string(b)), "warn") {
			t.Errorf("readelf warns:\n%s", b)
		}
	}
}
