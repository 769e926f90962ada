package qemu

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// The words DiskWords writes are the ones the kernel and the disk
// service read back, and each disk gets a drive and a device.
func TestDiskWordsAndArgs(t *testing.T) {
	list := []Disk{{File: "/h/a,b.img", GuestDir: "/data dir"}, {File: "/h/c.img", GuestDir: "/ro", ReadOnly: true}}
	words := DiskWords(list)
	var got []shares.Mount
	for _, w := range words {
		sc := cmdline.NewScanner(w)
		word, _ := sc.Next()
		m, ok := shares.ParseMount(word.Key, word.Value)
		if !ok {
			t.Fatalf("word %q does not parse", w)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0].Path != "/data%20dir" || got[0].ReadOnly || got[1].Path != "/ro" || !got[1].ReadOnly || got[0].Kind != shares.KindDisk {
		t.Errorf("words %q parse as %+v", words, got)
	}
	args := strings.Join(disksArgs(list, Microvm), " ")
	for _, want := range []string{
		"-drive file=/h/a,,b.img,format=raw,if=none,id=disk0,cache=writeback -device virtio-blk-device,drive=disk0",
		"-drive file=/h/c.img,format=raw,if=none,id=disk1,cache=writeback,readonly=on -device virtio-blk-device,drive=disk1",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("microvm args %q lack %q", args, want)
		}
	}
	if args := disksArgs(list, Q35); !slices.Contains(args, "virtio-blk-pci,drive=disk1") {
		t.Errorf("q35 args %q lack a virtio-blk-pci device", args)
	}
}

func TestParseDisk(t *testing.T) {
	for _, c := range []struct {
		v    string
		i    int
		want Disk
	}{
		{"x.img", 3, Disk{File: "x.img", GuestDir: "/mnt/disk3"}},
		{"x.img,ro", 0, Disk{File: "x.img", GuestDir: "/mnt/disk0", ReadOnly: true}},
		{"a:b.img:/srv/../data", 0, Disk{File: "a:b.img", GuestDir: "/data"}},
	} {
		if d, err := ParseDisk(c.v, c.i); err != nil || d != c.want {
			t.Errorf("ParseDisk(%q) = %+v, %v; want %+v", c.v, d, err, c.want)
		}
	}
}

// OpenDisks refuses, naming the file and the fix: a missing file, one
// that is not ext4, one whose features fs/ext4 refuses, and one another
// process holds; it accepts a good image, shared read-only.
func TestOpenDisks(t *testing.T) {
	dir := t.TempDir()
	mkfs := func(name string, opts ...string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		args := append([]string{"-q", "-F", "-b", "4096"}, opts...)
		out, err := exec.Command("/usr/sbin/mkfs.ext4", append(args, p, "16M")...).CombinedOutput()
		if err != nil {
			t.Skipf("mkfs.ext4: %v %s", err, out)
		}
		return p
	}
	good := mkfs("good.img")
	inline := mkfs("inline.img", "-O", "inline_data")
	junk := filepath.Join(dir, "junk.img")
	if err := os.WriteFile(junk, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    Disk
		want string
	}{
		{Disk{File: filepath.Join(dir, "none.img")}, "no such file; make an image with coracle disk create"},
		{Disk{File: junk}, "not an ext4 file system"},
		{Disk{File: inline}, "inline_data"},
	} {
		if _, err := OpenDisks([]Disk{c.d}); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.d.File) {
			t.Errorf("OpenDisks(%s) = %v, want an error naming it and saying %q", c.d.File, err, c.want)
		}
	}
	// Features the guest reads but does not write: refused read-write,
	// naming them, and taken read-only.
	quota := mkfs("quota.img", "-O", "quota")
	if _, err := OpenDisks([]Disk{{File: quota}}); err == nil || !strings.Contains(err.Error(), "quota") || !strings.Contains(err.Error(), ",ro") {
		t.Errorf("a quota image read-write: %v", err)
	}
	noJournal := mkfs("nojournal.img", "-O", "^has_journal")
	if _, err := OpenDisks([]Disk{{File: noJournal}}); err == nil || !strings.Contains(err.Error(), "no journal") {
		t.Errorf("an image without a journal read-write: %v", err)
	}
	if release, err := OpenDisks([]Disk{{File: quota, ReadOnly: true}, {File: noJournal, ReadOnly: true}}); err != nil {
		t.Errorf("read-only: %v", err)
	} else {
		release()
	}
	// A journal left to replay: the guest replays it read-write, and
	// cannot read-only.
	dirty := mkfs("dirty.img")
	if out, err := exec.Command("/usr/sbin/debugfs", "-w", "-R", "feature needs_recovery", dirty).CombinedOutput(); err != nil {
		t.Fatalf("debugfs: %v\n%s", err, out)
	}
	if release, err := OpenDisks([]Disk{{File: dirty}}); err != nil {
		t.Errorf("an image whose journal needs replaying, read-write: %v", err)
	} else {
		release()
	}
	if _, err := OpenDisks([]Disk{{File: dirty, ReadOnly: true}}); err == nil || !strings.Contains(err.Error(), "journal needs replaying") {
		t.Errorf("an image whose journal needs replaying, read-only: %v", err)
	}
	release, err := OpenDisks([]Disk{{File: good, ReadOnly: true}, {File: good, ReadOnly: true}})
	if err != nil {
		t.Fatalf("a good image, twice read-only: %v", err)
	}
	if _, err := OpenDisks([]Disk{{File: good}}); err == nil || !strings.Contains(err.Error(), "in use by another guest") {
		t.Errorf("a read-only-held image attached read-write: %v", err)
	}
	release()
	// A lock another process holds is reported with that process.
	cmd := exec.Command("flock", "-x", good, "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("flock(1): %v", err)
	}
	defer cmd.Process.Kill()
	for range 100 {
		f, _ := os.Open(good)
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		f.Close()
		if err != nil {
			break
		}
		exec.Command("sleep", "0.05").Run()
	}
	if _, err := OpenDisks([]Disk{{File: good, ReadOnly: true}}); err == nil || !strings.Contains(err.Error(), "in use by another guest (process ") {
		t.Errorf("an image flock(1) holds: %v", err)
	}
}
