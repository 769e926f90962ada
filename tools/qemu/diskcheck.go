package qemu

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/coracle-os/coracle/fs/ext4"
)

// OpenDisks checks each disk's image on the host before QEMU starts and
// locks it for the VM's lifetime: the file must exist, no other guest
// may hold it (an exclusive flock for a read-write disk, a shared one
// for a read-only disk, so that several guests may read one image), it
// must hold an ext4 file system, and fs/ext4 must accept its features.
// Each error names the file and the fix. release unlocks the images;
// call it when QEMU has exited. QEMU's own image locking (fcntl locks,
// which do not meet flock's) would refuse a busy image too, but later
// and tersely.
func OpenDisks(list []Disk) (release func(), err error) {
	var files []*os.File
	release = func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, d := range list {
		f, err := openDisk(d)
		if err != nil {
			release()
			return nil, err
		}
		files = append(files, f)
	}
	return release, nil
}

// openDisk checks and locks one disk's image.
func openDisk(d Disk) (*os.File, error) {
	mode := os.O_RDWR
	if d.ReadOnly {
		mode = os.O_RDONLY
	}
	f, err := os.OpenFile(d.File, mode, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("--disk %s: no such file; make an image with coracle disk create --size 1G [--from DIR] %s", d.File, d.File)
	case errors.Is(err, fs.ErrPermission) && !d.ReadOnly:
		return nil, fmt.Errorf("--disk %s: %v; attach it read-only with --disk %s,ro, or make it writable", d.File, err, d.File)
	case err != nil:
		return nil, fmt.Errorf("--disk %s: %v", d.File, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file: name a raw image file")
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("--disk %s: %v", d.File, err)
	}
	how := syscall.LOCK_EX
	if d.ReadOnly {
		how = syscall.LOCK_SH
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("--disk %s: the image is in use by another guest%s; stop that guest first (several guests may share an image only if all attach it with ,ro)", d.File, holder(fi))
		}
		return nil, fmt.Errorf("--disk %s: locking it: %v", d.File, err)
	}
	if err := checkExt4(f, d.ReadOnly); err != nil {
		f.Close()
		return nil, fmt.Errorf("--disk %s: %v", d.File, err)
	}
	return f, nil
}

// Superblock fields checkExt4 reads (super.rst "Super Block"): it
// starts 1024 bytes into the image.
const (
	sbOffset     = 1024
	sbMagic      = 0x38 // le16 0xEF53
	sbIncompat   = 0x60 // le32
	sbROCompat   = 0x64 // le32
	sbChecksum   = 0x3FC
	sbSize       = 1024
	recoverBit   = 0x4   // INCOMPAT_RECOVER: the journal needs replaying
	metadataCsum = 0x400 // RO_COMPAT_METADATA_CSUM
)

// checkExt4 reports what keeps the guest from mounting the image: no
// ext4 file system, or one fs/ext4 refuses (its error names the
// feature). A journal that needs replaying, left by a guest that did
// not unmount, is the guest's to replay when it mounts the disk
// read-write; read-only it cannot, and says so.
func checkExt4(f *os.File, readOnly bool) error {
	sb := make([]byte, sbSize)
	if _, err := f.ReadAt(sb, sbOffset); err != nil || binary.LittleEndian.Uint16(sb[sbMagic:]) != 0xEF53 {
		return fmt.Errorf("not an ext4 file system (no ext2/3/4 superblock); make an image with coracle disk create --size SIZE [--from DIR] FILE")
	}
	dev, err := ext4.NewFileDevice(f)
	if err != nil {
		return err
	}
	var d ext4.Device = dev
	if binary.LittleEndian.Uint32(sb[sbIncompat:])&recoverBit != 0 {
		if readOnly {
			return fmt.Errorf("its journal needs replaying (a guest stopped without unmounting it): attach it read-write once, and the guest replays it, or run e2fsck -fy on it")
		}
		d = recoveredView{dev, replayedSuper(sb)}
	}
	fs, err := ext4.Open(d)
	if err != nil {
		return fmt.Errorf("coracle cannot mount this file system: %v; make the image with coracle disk create, whose features coracle supports", err)
	}
	if !readOnly {
		if bad := unwritable(fs.Features()); len(bad) > 0 {
			return fmt.Errorf("coracle can read this file system but not write it (%s); attach it read-only with ,ro, or make the image with coracle disk create", strings.Join(bad, ", "))
		}
	}
	return nil
}

// Features ext4.Mount refuses to write (super.rst "Super Block",
// s_feature_compat and s_feature_ro_compat): quota files would go stale,
// an orphan file holds inodes to clean up, and there is no journal.
const (
	compatHasJournal = 0x4
	roCompatQuota    = 0x100
	roCompatProject  = 0x2000
	roCompatOrphan   = 0x10000
)

// unwritable names what keeps ext4.Mount from mounting a file system
// with features f read-write, as its refusal does: it cannot be asked
// on the host without writing the image.
func unwritable(f ext4.Features) []string {
	bad := f.UnknownROCompat().Names()
	if set := f.ROCompat & (roCompatQuota | roCompatProject | roCompatOrphan); set != 0 {
		bad = append(bad, ext4.Features{ROCompat: set}.Names()...)
	}
	if f.Compat&compatHasJournal == 0 {
		bad = append(bad, "no journal (has_journal is off)")
	}
	return bad
}

// replayedSuper returns superblock sb as it reads once the journal is
// replayed, as far as the checks go: without INCOMPAT_RECOVER, with
// its checksum (crc32c, checksums.rst) made again.
func replayedSuper(sb []byte) []byte {
	out := append([]byte(nil), sb...)
	le := binary.LittleEndian
	le.PutUint32(out[sbIncompat:], le.Uint32(out[sbIncompat:])&^recoverBit)
	if le.Uint32(out[sbROCompat:])&metadataCsum != 0 {
		le.PutUint32(out[sbChecksum:], ^crc32.Update(0, crc32.MakeTable(crc32.Castagnoli), out[:sbChecksum]))
	}
	return out
}

// recoveredView is an image whose superblock reads as sb: the checks
// look at a file system whose journal the guest will replay. It is
// only read.
type recoveredView struct {
	*ext4.FileDevice
	sb []byte
}

func (v recoveredView) ReadAt(p []byte, off int64) (int, error) {
	n, err := v.FileDevice.ReadAt(p, off)
	// Copy the overlapping part of sb over what was read.
	lo, hi := max(off, sbOffset), min(off+int64(n), sbOffset+sbSize)
	if lo < hi {
		copy(p[lo-off:hi-off], v.sb[lo-sbOffset:hi-sbOffset])
	}
	return n, err
}

// holder describes the process that holds a flock on the file fi, as
// " (process PID, NAME)", from /proc/locks; "" if it cannot tell.
func holder(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return ""
	}
	defer locks.Close()
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[1] != "FLOCK" || f[5] != want {
			continue
		}
		pid, err := strconv.Atoi(f[4])
		if err != nil || pid == os.Getpid() {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + f[4] + "/comm")
		if name := strings.TrimSpace(string(comm)); name != "" {
			return fmt.Sprintf(" (process %d, %s)", pid, name)
		}
		return fmt.Sprintf(" (process %d)", pid)
	}
	return ""
}
