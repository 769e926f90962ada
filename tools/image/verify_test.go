package image

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"testing"
)

func TestVerifyAcceptsRewrittenImage(t *testing.T) {
	img := mustRewritten(t)
	entry, err := Verify(img)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if uint64(entry) != f.Entry {
		t.Errorf("Verify returned entry %#x, e_entry is %#x", entry, f.Entry)
	}
}

func TestVerifyRejectsLinkerOutput(t *testing.T) {
	// Straight from the linker, the note segment holds Go's build ID.
	if _, err := Verify(mustLinked(t)); !errors.Is(err, ErrNoPVHNote) {
		t.Errorf("Verify(linker output): %v, want %v", err, ErrNoPVHNote)
	}
}

func TestVerifyRejects(t *testing.T) {
	le := binary.LittleEndian
	// setEntry moves e_entry and the note's copy of it together, so
	// that only the property under test is wrong.
	setEntry := func(t *testing.T, img []byte, entry uint64) {
		le.PutUint64(img[24:], entry)
		le.PutUint64(noteBytes(t, img)[16:], entry)
	}
	tests := []struct {
		name  string
		patch func(t *testing.T, img []byte)
		want  error
	}{
		{"entry below 1 MiB", func(t *testing.T, img []byte) {
			setEntry(t, img, 0x8000)
		}, ErrEntryRange},
		{"entry above 4 GiB", func(t *testing.T, img []byte) {
			setEntry(t, img, 1<<32+0x1000)
		}, ErrEntryRange},
		{"entry outside executable code", func(t *testing.T, img []byte) {
			setEntry(t, img, firstLoad(t, img, false).Vaddr)
		}, ErrEntryNotText},
		{"no PT_NOTE", func(t *testing.T, img []byte) {
			le.PutUint32(progHeader(t, img, elf.PT_NOTE)[phTypeOff:], uint32(elf.PT_NULL))
		}, ErrNoPVHNote},
		{"two PT_NOTEs", func(t *testing.T, img []byte) {
			le.PutUint32(progHeader(t, img, elf.PT_GNU_STACK)[phTypeOff:], uint32(elf.PT_NOTE))
		}, ErrNoPVHNote},
		{"note segment of the wrong size", func(t *testing.T, img []byte) {
			le.PutUint64(progHeader(t, img, elf.PT_NOTE)[phFileszOff:], 48)
		}, ErrNoPVHNote},
		{"note of the wrong type", func(t *testing.T, img []byte) {
			le.PutUint32(noteBytes(t, img)[8:], 1)
		}, ErrNoPVHNote},
		{"note of the wrong name", func(t *testing.T, img []byte) {
			copy(noteBytes(t, img)[12:], "GNU\x00")
		}, ErrNoPVHNote},
		{"note with a 4-byte descriptor", func(t *testing.T, img []byte) {
			le.PutUint32(noteBytes(t, img)[4:], 4)
		}, ErrNoPVHNote},
		{"note naming another entry", func(t *testing.T, img []byte) {
			n := noteBytes(t, img)
			le.PutUint64(n[16:], le.Uint64(n[16:])+16)
		}, ErrNoPVHNote},
		{"segment loaded away from its address", func(t *testing.T, img []byte) {
			ph := firstLoadHeader(t, img)
			le.PutUint64(ph[24:], le.Uint64(ph[24:])+0x200000) // p_paddr
		}, ErrBadLoad},
		{"segment below 1 MiB", func(t *testing.T, img []byte) {
			ph := firstLoadHeader(t, img)
			le.PutUint64(ph[16:], 0x80000) // p_vaddr
			le.PutUint64(ph[24:], 0x80000) // p_paddr
		}, ErrBadLoad},
		{"segment above 4 GiB", func(t *testing.T, img []byte) {
			ph := firstLoadHeader(t, img)
			le.PutUint64(ph[phMemszOff:], 1<<32)
		}, ErrBadLoad},
		{"wrong machine", func(t *testing.T, img []byte) {
			le.PutUint16(img[18:], uint16(elf.EM_AARCH64))
		}, ErrWrongMachine},
		{"big-endian", func(t *testing.T, img []byte) {
			img[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
		}, nil}, // any error will do: the headers no longer parse sensibly
		{"shared object", func(t *testing.T, img []byte) {
			le.PutUint16(img[16:], uint16(elf.ET_DYN))
		}, ErrNotExecutable},
		{"truncated", func(t *testing.T, img []byte) {
			clear(img[64:])
			le.PutUint64(img[32:], uint64(len(img))) // e_phoff past the end
		}, ErrNotELF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := bytes.Clone(mustRewritten(t))
			tt.patch(t, img)
			_, err := Verify(img)
			t.Log(err)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyRejectsELF32(t *testing.T) {
	if _, err := Verify(minimalELF32()); !errors.Is(err, ErrNotELF64) {
		t.Errorf("Verify(ELF32): %v, want %v", err, ErrNotELF64)
	}
}

func mustRewritten(t *testing.T) []byte {
	t.Helper()
	img, err := RewritePVHNote(mustLinked(t))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// noteBytes returns the bytes of the PT_NOTE segment in img.
func noteBytes(t *testing.T, img []byte) []byte {
	t.Helper()
	ph := progHeader(t, img, elf.PT_NOTE)
	off := binary.LittleEndian.Uint64(ph[8:]) // p_offset
	return img[off : off+24]
}

// firstLoad returns the first PT_LOAD segment that is, or is not,
// executable.
func firstLoad(t *testing.T, img []byte, exec bool) *elf.Prog {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && (p.Flags&elf.PF_X != 0) == exec {
			return p
		}
	}
	t.Fatalf("no PT_LOAD with exec=%v", exec)
	return nil
}

func firstLoadHeader(t *testing.T, img []byte) []byte {
	return progHeader(t, img, elf.PT_LOAD)
}
