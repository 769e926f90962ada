// Diskcache checks that read, write and file mappings of one file see
// each other at once, as bbolt needs (it reads through a read-only
// MAP_SHARED mapping and writes with pwrite and fdatasync): on a disk
// in coracle these all go through the kernel's page cache. It prints
// "cache:" lines that do not depend on where it runs, so a native run
// on a directory of the host prints the same.
//
// Usage: diskcache DIR [-big MiB]. DIR must hold cold.bin, 1 MiB whose
// byte i is byte(i*31+i>>12), not read since the disk was attached.
// With -big it writes a file of that many MiB, fsyncs it, and reads it
// back (more than the VM's memory can hold at once: eviction and
// write-back under pressure).
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

var pr = probe.P("cache")

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: diskcache DIR [-big MiB]")
		os.Exit(2)
	}
	dir := os.Args[1]
	cold(dir)
	coherence(dir)
	truncation(dir)
	if len(os.Args) == 4 && os.Args[2] == "-big" {
		mib, _ := strconv.Atoi(os.Args[3])
		big(dir, mib)
	}
	pr.Printf("done")
}

// coldByte is byte i of cold.bin.
func coldByte(i int) byte { return byte(i*31 + i>>12) }

// cold has many goroutines read the same pages of a file nobody has
// read yet, at once: each must see the file's bytes.
func cold(dir string) {
	f, err := os.Open(filepath.Join(dir, "cold.bin"))
	if err != nil {
		pr.Say("cold open", probe.Errno(err))
		return
	}
	defer f.Close()
	want := make([]byte, 64<<10)
	const off = 300 << 10
	for i := range want {
		want[i] = coldByte(off + i)
	}
	var wg sync.WaitGroup
	bad := make([]bool, 32)
	for g := range bad {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]byte, len(want))
			n, err := f.ReadAt(got, off)
			bad[g] = err != nil || n != len(got) || !bytes.Equal(got, want)
		}()
	}
	wg.Wait()
	nbad := 0
	for _, b := range bad {
		if b {
			nbad++
		}
	}
	pr.Say("32 readers of a cold page, wrong", nbad)
}

// coherence writes with pwrite and reads through a read-only shared
// mapping, stores through a writable shared mapping and reads with
// pread, and grows the file under a mapping.
func coherence(dir string) {
	path := filepath.Join(dir, "coherent.db")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		pr.Say("open", probe.Errno(err))
		return
	}
	defer f.Close()
	pr.Say("truncate to 16 KiB", probe.Errno(f.Truncate(16<<10)))
	ro, err := unix.Mmap(int(f.Fd()), 0, 16<<10, unix.PROT_READ, unix.MAP_SHARED)
	pr.Say("mmap shared read-only", probe.Errno(err))
	if err != nil {
		return
	}
	defer unix.Munmap(ro)
	_, err = f.WriteAt([]byte("written by pwrite"), 5000)
	pr.Say("pwrite", probe.Errno(err), " mapping sees: ", strconv.Quote(string(ro[5000:5017])))
	pr.Say("fdatasync", probe.Errno(unix.Fdatasync(int(f.Fd()))), " mapping still sees: ", strconv.Quote(string(ro[5000:5017])))

	rw, err := unix.Mmap(int(f.Fd()), 0, 16<<10, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	pr.Say("mmap shared writable", probe.Errno(err))
	if err != nil {
		return
	}
	copy(rw[9000:], "stored through a mapping")
	got := make([]byte, 24)
	_, err = f.ReadAt(got, 9000)
	pr.Say("pread after a store", probe.Errno(err), " ", strconv.Quote(string(got)), " read-only mapping: ", strconv.Quote(string(ro[9000:9024])))
	pr.Say("msync", probe.Errno(unix.Msync(rw, unix.MS_SYNC)), " fsync ", probe.Errno(f.Sync()))
	copy(rw[14000:], "kept across DONTNEED")
	err = unix.Madvise(rw, unix.MADV_DONTNEED)
	got = make([]byte, 20)
	f.ReadAt(got, 14000)
	pr.Say("madvise DONTNEED", probe.Errno(err), " pread ", strconv.Quote(string(got)), " mapping ", strconv.Quote(string(rw[14000:14020])))
	pr.Say("munmap writable", probe.Errno(unix.Munmap(rw)))

	priv, err := unix.Mmap(int(f.Fd()), 0, 16<<10, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	pr.Say("mmap private", probe.Errno(err))
	if err == nil {
		copy(priv[100:], "private")
		got := make([]byte, 7)
		f.ReadAt(got, 100)
		f.WriteAt([]byte("PWRITE!"), 12000) // a page the mapping has not copied
		pr.Say("private store unseen by pread: ", strconv.Quote(string(got)), " pwrite seen by private: ", strconv.Quote(string(priv[12000:12007])))
		unix.Munmap(priv)
	}

	// Grow the file with pwrite and map it again, as bbolt does.
	_, err = f.WriteAt(bytes.Repeat([]byte("g"), 4096), 64<<10)
	st, _ := f.Stat()
	pr.Say("grow", probe.Errno(err), " size ", st.Size())
	big, err := unix.Mmap(int(f.Fd()), 0, 128<<10, unix.PROT_READ, unix.MAP_SHARED)
	if err == nil {
		pr.Say("remap", string(big[64<<10:64<<10+4]), " ", strconv.Quote(string(big[5000:5017])), " hole ", big[30000])
		unix.Munmap(big)
	}
	pr.Say("fsync", probe.Errno(f.Sync()))
	sum := sha256.New()
	b, err := os.ReadFile(path)
	sum.Write(b)
	pr.Say("read back ", len(b), " ", probe.Errno(err), fmt.Sprintf(" %x", sum.Sum(nil)[:8]))
}

// truncation cuts a file under a mapping: the pages past the end raise
// SIGBUS, the bytes before it stay, and the cut page's tail reads zero.
func truncation(dir string) {
	f, err := os.OpenFile(filepath.Join(dir, "cut.bin"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		pr.Say("cut open", probe.Errno(err))
		return
	}
	defer f.Close()
	f.Write(bytes.Repeat([]byte("c"), 12<<10))
	m, err := unix.Mmap(int(f.Fd()), 0, 12<<10, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		pr.Say("cut mmap", probe.Errno(err))
		return
	}
	defer unix.Munmap(m)
	pr.Say("before the cut", string(m[9000]), " ", string(m[5000]))
	pr.Say("ftruncate to 5000", probe.Errno(f.Truncate(5000)))
	pr.Say("inside", string(m[4999]), " cut page's tail ", m[5000], " past the end: ", touch(m, 9000))
}

// touch reads m[i] and says whether that faulted (SIGBUS, as a Go
// runtime error with SetPanicOnFault).
func touch(m []byte, i int) (s string) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if recover() != nil {
			s = "fault"
		}
	}()
	return strconv.Itoa(int(m[i]))
}

// big writes mib MiB, fsyncs, and reads them back.
func big(dir string, mib int) {
	path := filepath.Join(dir, "big.bin")
	f, err := os.Create(path)
	if err != nil {
		pr.Say("big create", probe.Errno(err))
		return
	}
	chunk := make([]byte, 1<<20)
	sum := sha256.New()
	for i := range mib {
		for j := range chunk {
			chunk[j] = byte(i*7 + j*13 + j>>9)
		}
		sum.Write(chunk)
		if _, err = f.Write(chunk); err != nil {
			break
		}
	}
	pr.Say("big write ", mib, " MiB ", probe.Errno(err), " fsync ", probe.Errno(f.Sync()), " close ", probe.Errno(f.Close()))
	want := sum.Sum(nil)
	f, err = os.Open(path)
	if err != nil {
		pr.Say("big open", probe.Errno(err))
		return
	}
	defer f.Close()
	sum.Reset()
	n := 0
	for {
		k, err := f.Read(chunk)
		sum.Write(chunk[:k])
		n += k
		if err != nil || k == 0 {
			break
		}
	}
	pr.Say("big read back ", n>>20, " MiB same ", bytes.Equal(sum.Sum(nil), want))
}
