package pvh

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

func TestNoteConstants(t *testing.T) {
	for _, tt := range []struct {
		name      string
		got, want uint64
	}{
		{"XEN_ELFNOTE_PHYS32_ENTRY", XEN_ELFNOTE_PHYS32_ENTRY, 18}, // xen/include/public/elfnote.h
		{"NoteDescSize", NoteDescSize, 8},
		{"NoteSize", NoteSize, 24},
		{"MinEntry", MinEntry, 1 << 20},
		{"MaxEntry", MaxEntry, 0xffffffff},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
	if NoteName != "Xen" {
		t.Errorf("NoteName = %q, want %q", NoteName, "Xen")
	}
}

func TestAppendNoteBytes(t *testing.T) {
	for _, entry := range []uint32{0, MinEntry, 0x0100_1000, 0x12345678, 0x8000_0000, MaxEntry} {
		t.Run(fmt.Sprintf("entry %#x", entry), func(t *testing.T) {
			got := AppendNote(nil, entry)
			want := []byte{
				4, 0, 0, 0, // namesz: "Xen\0"
				8, 0, 0, 0, // descsz
				18, 0, 0, 0, // type: XEN_ELFNOTE_PHYS32_ENTRY
				'X', 'e', 'n', 0, // name, already 4-byte aligned
				byte(entry), byte(entry >> 8), byte(entry >> 16), byte(entry >> 24), // desc: entry, little-endian u64
				0, 0, 0, 0,
			}
			if len(got) != NoteSize {
				t.Errorf("len = %d, want NoteSize = %d", len(got), NoteSize)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("AppendNote(nil, %#x) =\n% x\nwant\n% x", entry, got, want)
			}
		})
	}
}

func TestAppendNoteKeepsPrefix(t *testing.T) {
	prefix := []byte("prefix..")
	b := make([]byte, len(prefix), 64)
	copy(b, prefix)
	got := AppendNote(b, 0x100000)
	if !bytes.Equal(got[:len(prefix)], prefix) {
		t.Errorf("AppendNote changed the bytes before it: % x", got[:len(prefix)])
	}
	if len(got) != len(prefix)+NoteSize {
		t.Errorf("len = %d, want %d", len(got), len(prefix)+NoteSize)
	}
	if !bytes.Equal(got[len(prefix):], AppendNote(nil, 0x100000)) {
		t.Errorf("note after a prefix differs from a note on its own")
	}
}

// elfNote is a note as debug/elf readers (and the loaders of QEMU,
// Firecracker and Cloud Hypervisor) see it.
type elfNote struct {
	name string
	typ  uint32
	desc []byte
}

// parseNotes splits an SHT_NOTE / PT_NOTE section of a 64-bit
// little-endian ELF file: each note is namesz, descsz, type, the name
// padded to 4 bytes and the descriptor padded to 4 bytes (ELF gABI,
// "Note Section").
func parseNotes(b []byte) ([]elfNote, error) {
	le := binary.LittleEndian
	align4 := func(n uint64) uint64 { return (n + 3) &^ 3 }
	var notes []elfNote
	for len(b) > 0 {
		if len(b) < 12 {
			return nil, fmt.Errorf("truncated note header: %d bytes", len(b))
		}
		namesz, descsz, typ := uint64(le.Uint32(b)), uint64(le.Uint32(b[4:])), le.Uint32(b[8:])
		b = b[12:]
		if uint64(len(b)) < align4(namesz) {
			return nil, fmt.Errorf("truncated name: namesz %d, %d bytes left", namesz, len(b))
		}
		name := b[:namesz]
		b = b[align4(namesz):]
		if namesz == 0 || name[namesz-1] != 0 {
			return nil, fmt.Errorf("name %q is not NUL-terminated", name)
		}
		if uint64(len(b)) < align4(descsz) {
			return nil, fmt.Errorf("truncated desc: descsz %d, %d bytes left", descsz, len(b))
		}
		desc := b[:descsz]
		b = b[align4(descsz):]
		notes = append(notes, elfNote{name: string(name[:namesz-1]), typ: typ, desc: desc})
	}
	return notes, nil
}

// pvhEntry is what linux-loader (rust-vmm) does with the note: accept
// descsz 4 or 8 and take the entry from the low 32 bits.
func pvhEntry(n elfNote) (uint32, bool) {
	if n.name != "Xen" || n.typ != 18 {
		return 0, false
	}
	switch len(n.desc) {
	case 4:
		return binary.LittleEndian.Uint32(n.desc), true
	case 8:
		v := binary.LittleEndian.Uint64(n.desc)
		return uint32(v), v>>32 == 0
	}
	return 0, false
}

func TestAppendNoteParses(t *testing.T) {
	for _, entry := range []uint32{MinEntry, 0x0020_0000, 0xdeadbeef, MaxEntry} {
		t.Run(fmt.Sprintf("entry %#x", entry), func(t *testing.T) {
			// Another note before and after, as in a real PT_NOTE
			// segment (Go's build ID note, say).
			var b []byte
			other := func(b []byte) []byte {
				b = binary.LittleEndian.AppendUint32(b, 3) // "Go\0"
				b = binary.LittleEndian.AppendUint32(b, 5)
				b = binary.LittleEndian.AppendUint32(b, 4)
				b = append(b, 'G', 'o', 0, 0)
				return append(b, 'a', 'b', 'c', 'd', 'e', 0, 0, 0)
			}
			b = other(b)
			b = AppendNote(b, entry)
			b = other(b)
			notes, err := parseNotes(b)
			if err != nil {
				t.Fatalf("parseNotes: %v", err)
			}
			if len(notes) != 3 {
				t.Fatalf("found %d notes, want 3", len(notes))
			}
			n := notes[1]
			if n.name != NoteName || n.typ != XEN_ELFNOTE_PHYS32_ENTRY || len(n.desc) != NoteDescSize {
				t.Errorf("note = name %q type %d descsz %d, want %q %d %d",
					n.name, n.typ, len(n.desc), NoteName, XEN_ELFNOTE_PHYS32_ENTRY, NoteDescSize)
			}
			got, ok := pvhEntry(n)
			if !ok || got != entry {
				t.Errorf("loader reads entry %#x (ok %v), want %#x", got, ok, entry)
			}
			for i, o := range []elfNote{notes[0], notes[2]} {
				if o.name != "Go" || o.typ != 4 || string(o.desc) != "abcde" {
					t.Errorf("neighbour note %d damaged: %+v", i, o)
				}
			}
		})
	}
}
