package ext4

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// TestOpenRefuses checks that Open refuses, naming the feature, images it
// cannot read, and opens the variants it can.
func TestOpenRefuses(t *testing.T) {
	tool(t, "mkfs.ext4")
	tree := smallTree(t)
	for _, tt := range []struct {
		name string
		args []string
		want string // "" to open
	}{
		{"coracle features", nil, ""},
		{"metadata_csum_seed and orphan_file", []string{"-O", "metadata_csum_seed,orphan_file"}, ""},
		{"no metadata_csum, uninit_bg", []string{"-O", "^metadata_csum,uninit_bg"}, ""},
		{"32-bit", []string{"-O", "^64bit"}, ""},
		{"inline_data", []string{"-O", "inline_data"}, "unsupported incompat feature(s): inline_data"},
		{"no extents", []string{"-O", "^extent,^64bit"}, "the extent feature is off"},
		{"meta_bg", []string{"-O", "^resize_inode,meta_bg"}, "unsupported incompat feature(s): meta_bg"},
		{"encrypt", []string{"-O", "encrypt"}, "unsupported incompat feature(s): encrypt"},
		{"casefold", []string{"-O", "casefold"}, "unsupported incompat feature(s): casefold"},
		{"large_dir", []string{"-O", "large_dir"}, "unsupported incompat feature(s): large_dir"},
		{"bigalloc", []string{"-O", "bigalloc", "-C", "16384"}, "bigalloc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img := mkfsImage(t, "", "16M", append(append([]string{}, tt.args...), "-d", tree)...)
			f, err := openFile(img)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAll(f, mustResolve(t, f, "data.bin"), 4096)
				if err != nil || string(got) != strings.Repeat("data ", 1000) {
					t.Errorf("data.bin: %d bytes, %v", len(got), err)
				}
				return
			}
			if err == nil || ErrnoOf(err) != linux.EINVAL || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open = %v, want EINVAL naming %q", err, tt.want)
			}
		})
	}
}

func mustResolve(t *testing.T, f *FS, path string) uint32 {
	t.Helper()
	ino, err := resolve(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return ino
}

// TestOpenNeedsRecovery checks that a journal that needs recovery is
// refused with a message that says so.
func TestOpenNeedsRecovery(t *testing.T) {
	tool(t, "debugfs")
	img := mkfsImage(t, "", "16M", "-d", smallTree(t))
	run(t, nil, "debugfs", nil, "-w", "-R", "feature needs_recovery", img)
	_, err := openFile(img)
	if err == nil || !strings.Contains(err.Error(), "journal needs recovery") {
		t.Errorf("Open = %v, want a refusal because the journal needs recovery", err)
	}
}

// TestOpenNotExt4 checks the errors for a device that holds no ext4.
func TestOpenNotExt4(t *testing.T) {
	p := filepath.Join(t.TempDir(), "zeros")
	if err := os.WriteFile(p, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openFile(p); err == nil || !strings.Contains(err.Error(), "not an ext2/3/4 file system") {
		t.Errorf("Open(zeros) = %v", err)
	}
	if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openFile(p); ErrnoOf(err) != linux.EIO {
		t.Errorf("Open(100 bytes) = %v, want EIO", err)
	}
}
