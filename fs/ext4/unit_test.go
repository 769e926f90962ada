package ext4

import (
	"slices"
	"sync"
	"testing"
)

func TestDecodeTime(t *testing.T) {
	for _, tt := range []struct {
		lo, extra uint32
		have      bool
		want      Timespec
	}{
		{0, 0, false, Timespec{}},
		{0x80000000, 0, false, Timespec{Sec: -1 << 31}},             // before 1970 without extra bits
		{0x80000000, 1, true, Timespec{Sec: 1 << 31}},               // epoch bit 1: after 2038
		{5, 3 | 999999999<<2, true, Timespec{5 + 3<<32, 999999999}}, // both epoch bits, ns
		{0xFFFFFFFF, 123 << 2, true, Timespec{-1, 123}},
	} {
		if got := decodeTime(tt.lo, tt.extra, tt.have); got != tt.want {
			t.Errorf("decodeTime(%#x, %#x, %v) = %+v, want %+v", tt.lo, tt.extra, tt.have, got, tt.want)
		}
	}
}

func TestDeviceNumber(t *testing.T) {
	for _, tt := range []struct {
		w0, w1 uint32
		want   uint64 // new_encode_dev(major, minor)
	}{
		{0x0801, 0, 0x0801},       // old 8:8 encoding: 8:1
		{0, 0x0801, 0x0801},       // new encoding, small numbers
		{0, 0x1210334, 0x1210334}, // 259:0x1234 (i_block holds the same encoding)
	} {
		in := &inode{}
		for i := range 4 {
			in.iblock[i] = byte(tt.w0 >> (8 * i))
			in.iblock[4+i] = byte(tt.w1 >> (8 * i))
		}
		if got := deviceNumber(in); got != tt.want {
			t.Errorf("deviceNumber(%#x, %#x) = %#x, want %#x", tt.w0, tt.w1, got, tt.want)
		}
	}
}

func TestFeatureNames(t *testing.T) {
	got := Features{Compat: 0x4, Incompat: incompatInline | 0x80000000, ROCompat: roMetadataCsum}.Names()
	want := []string{"has_journal", "inline_data", "incompat_0x80000000", "metadata_csum"}
	if !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if u := (Features{ROCompat: roMetadataCsum | 0x100000}).UnknownROCompat(); u.ROCompat != 0x100000 {
		t.Errorf("UnknownROCompat = %#x", u.ROCompat)
	}
}

// TestConcurrentReads reads files from several goroutines through one FS
// (run it with -race).
func TestConcurrentReads(t *testing.T) {
	tool(t, "mkfs.ext4")
	f := openImage(t, image(t, 1024, true))
	want := map[string][]byte{}
	for _, p := range []string{"random.bin", "fragmented.bin", "many/file-00042-with-a-longer-name", "hello.txt"} {
		data, err := readAll(f, mustResolve(t, f, p), 1<<16)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = data
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for p, w := range want {
				f2 := f
				got, err := readAll(f2, mustResolve(t, f2, p), 4096+g)
				if err != nil || !slices.Equal(got, w) {
					t.Errorf("goroutine %d: %s differs: %v", g, p, err)
				}
			}
		})
	}
	wg.Wait()
}
