package ext4

import (
	"os"
	"testing"

	"github.com/coracle-os/coracle/fs/ext4/jbd2"
)

// TestJournalExtents opens the journal of a coracle image through the
// extents JournalExtents finds, and checks them against debugfs.
func TestJournalExtents(t *testing.T) {
	tool(t, "mkfs.ext4")
	img := image(t, 4096, false)
	f := openImage(t, img)
	exts, err := f.JournalExtents()
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	dev, err := NewFileDevice(file)
	if err != nil {
		t.Fatal(err)
	}
	j, err := jbd2.Open(dev, f.BlockSize(), exts)
	if err != nil {
		t.Fatal(err)
	}
	if j.NeedsRecovery() {
		t.Error("a fresh image's journal needs recovery")
	}
	var blocks uint32
	for _, e := range exts {
		blocks += e.Len
	}
	if want := debugfsNumber(t, img, "stat <8>", `Size: (\d+)`) / 4096; int64(blocks) != want {
		t.Errorf("journal extents cover %d blocks, debugfs says %d", blocks, want)
	}
	if first := debugfsNumber(t, img, "bmap <8> 0", `(?m)^(\d+)$`); uint64(first) != exts[0].Physical {
		t.Errorf("journal block 0 at %d, debugfs says %d", exts[0].Physical, first)
	}
	if _, err := openImage(t, mkfsImage(t, "", "4M", "-O", "^has_journal")).JournalExtents(); err == nil {
		t.Error("JournalExtents without a journal: no error")
	}
}
