// Command nodeprobe uses the device nodes of /dev through package os
// (stat, open, read, write, seek) and prints what it sees, one line a
// check with the prefix "nodeprobe:", so that the guest's output can be
// compared with a native run on Linux.
package main

import (
	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// pr prints the lines, each behind the prefix "nodeprobe:".
var pr = probe.P("nodeprobe")

func main() {
	for _, name := range []string{"null", "zero", "full", "random", "urandom"} {
		device("/dev/" + name)
	}
	// Go's usual ways of throwing output away and reading nothing.
	n, err := io.Copy(io.Discard, must(os.Open(os.DevNull)))
	pr.Printf("copy from %s: %d bytes, err %v", os.DevNull, n, err)
	err = os.WriteFile(os.DevNull, []byte("gone"), 0o644)
	pr.Printf("WriteFile(%s) (O_TRUNC): err %v", os.DevNull, err)
	b, err := io.ReadAll(io.LimitReader(must(os.Open("/dev/zero")), 1<<20))
	pr.Printf("1 MiB of /dev/zero: %d bytes, all zero %v, err %v", len(b), allZero(b), err)
	procs()
	pr.Printf("done")
}

// procs checks the parts of /proc that Go programs read: the lines
// with the prefix "nodeprobe:" are the same on any Linux; "nodeproc:"
// lines give the numbers, which the test checks against the VM's.
func procs() {
	exe, err := os.Executable()
	pr.Printf("os.Executable: same name as argv[0] %v, err %v", filepath.Base(exe) == filepath.Base(os.Args[0]), err)
	fi, err := os.Lstat("/proc/self/exe")
	pr.Printf("/proc/self/exe: symlink %v, err %v", err == nil && fi.Mode()&fs.ModeSymlink != 0, err)
	fmt.Printf("nodeproc: exe %s\n", exe)

	mem, err := os.ReadFile("/proc/meminfo")
	fields := map[string]uint64{}
	for _, line := range strings.Split(string(mem), "\n") {
		var name string
		var kb uint64
		if n, _ := fmt.Sscanf(line, "%s %d kB", &name, &kb); n == 2 {
			fields[strings.TrimSuffix(name, ":")] = kb
		}
	}
	pr.Printf("/proc/meminfo: err %v, MemTotal>0 %v, MemFree<=MemTotal %v, MemAvailable<=MemTotal %v", err,
		fields["MemTotal"] > 0, fields["MemFree"] <= fields["MemTotal"], fields["MemAvailable"] <= fields["MemTotal"])
	fmt.Printf("nodeproc: MemTotal %d MemFree %d\n", fields["MemTotal"], fields["MemFree"])

	cpu, err := os.ReadFile("/proc/cpuinfo")
	pr.Printf("/proc/cpuinfo: err %v, processor 0 %v, model name %v", err,
		strings.HasPrefix(string(cpu), "processor\t: 0\n"), strings.Contains(string(cpu), "\nmodel name\t: "))
}

// device checks one device node.
func device(path string) {
	fi, err := os.Stat(path)
	if err != nil {
		pr.Printf("%s: stat: %v", path, err)
		return
	}
	st := fi.Sys().(*syscall.Stat_t)
	pr.Printf("%s: mode %v, char device %v, rdev %d,%d, size %d", path, fi.Mode(),
		fi.Mode()&fs.ModeCharDevice != 0, major(st.Rdev), minor(st.Rdev), fi.Size())

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		pr.Printf("%s: open: %v", path, err)
		return
	}
	defer f.Close()
	var fst syscall.Stat_t
	err = syscall.Fstat(int(f.Fd()), &fst)
	pr.Printf("%s: fstat: same node %v, err %v", path, fst.Ino == st.Ino && fst.Rdev == st.Rdev && fst.Mode == st.Mode, err)

	buf := bytes.Repeat([]byte{0xaa}, 4096)
	n, err := f.Read(buf)
	pr.Printf("%s: read 4096: %d, all zero %v, err %v", path, n, allZero(buf[:n]), err)
	if n == len(buf) && !allZero(buf) {
		// Random bytes: two reads must differ and be no constant fill.
		again := make([]byte, len(buf))
		f.Read(again)
		pr.Printf("%s: reads differ %v, has 0xaa fill %v", path, !bytes.Equal(buf, again), bytes.Equal(buf[:64], bytes.Repeat([]byte{0xaa}, 64)))
	}
	n, err = f.Write([]byte("hello, device"))
	pr.Printf("%s: write 13: %d, err %v, ENOSPC %v", path, n, err, errors.Is(err, syscall.ENOSPC))
	off, err := f.Seek(100, io.SeekStart)
	pr.Printf("%s: seek 100: %d, err %v", path, off, err)
	n, err = f.ReadAt(buf[:10], 5)
	pr.Printf("%s: pread: %d, err %v", path, n, err)
}

// major and minor decode a device number as glibc's gnu_dev_major and
// gnu_dev_minor do.
func major(dev uint64) uint64 { return dev>>8&0xfff | dev>>32&^0xfff }
func minor(dev uint64) uint64 { return dev&0xff | dev>>12&^0xff }

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// must returns f, failing the probe when err is not nil.
func must(f *os.File, err error) *os.File {
	pr.Check(err)
	return f
}
