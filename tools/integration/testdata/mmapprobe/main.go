// Mmapprobe maps files in a fresh directory under its first argument
// (the guest's /tmp, or the host's /dev/shm) with syscall.Mmap and
// golang.org/x/exp/mmap and prints what the mappings show: private and
// shared mappings, copy on write, writes to the file seen through a
// mapping, pages past the end of the file, closing, unlinking and
// truncating a mapped file, mprotect, madvise, msync, debug/elf over a
// mapping, and the errors Linux gives. Each line it prints is
// "mmapprobe: what: result" and does not depend on where it runs, so the
// same program run natively on Linux prints the same lines.
package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"golang.org/x/exp/mmap"
)

// pr prints the lines, each behind the prefix "mmapprobe:".
var pr = probe.P("mmapprobe")

const page = 4096

// load reads b[i], reporting a fault (SIGBUS or SIGSEGV) instead of
// dying: "fault at +N" with N the offset from b's start of the address
// the fault reports.
func load(b []byte, i int) (s string) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(interface{ Addr() uintptr }); ok {
				s = fmt.Sprintf("fault at +%d", a.Addr()-uintptr(unsafe.Pointer(&b[0])))
				return
			}
			s = fmt.Sprint("fault: ", r)
		}
	}()
	return fmt.Sprintf("%q", b[i])
}

// store writes v at b[i], reporting a fault as load does.
func store(b []byte, i int, v byte) (s string) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(interface{ Addr() uintptr }); ok {
				s = fmt.Sprintf("fault at +%d", a.Addr()-uintptr(unsafe.Pointer(&b[0])))
				return
			}
			s = fmt.Sprint("fault: ", r)
		}
	}()
	b[i] = v
	return "ok"
}

// fileByte reads the byte at off of f with pread.
func fileByte(f *os.File, off int64) string {
	b := make([]byte, 1)
	if n, err := f.ReadAt(b, off); n != 1 {
		return fmt.Sprint("read: ", err)
	}
	return fmt.Sprintf("%q", b[0])
}

func blocks(f *os.File) int64 {
	var st syscall.Stat_t
	pr.Check(syscall.Fstat(int(f.Fd()), &st))
	return st.Blocks
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: mmapprobe BASE")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp(os.Args[1], "mmapprobe")
	pr.Check(err)
	defer os.RemoveAll(dir)

	// A file of three pages and 100 bytes: page i is filled with 'a'+i.
	name := filepath.Join(dir, "data")
	content := make([]byte, 3*page+100)
	for i := range content {
		content[i] = 'a' + byte(i/page)
	}
	pr.Check(os.WriteFile(name, content, 0o644))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	pr.Check(err)
	fd := int(f.Fd())

	private(f, fd)
	shared(f, fd)
	errorsProbe(dir, name, fd)
	lifetime(dir, content)
	truncation(dir, content)
	holes(dir)
	devZero()
	expMmap(name)
	elfOverMapping(dir)
	pr.Check(f.Close())
	pr.Printf("done")
}

func private(f *os.File, fd int) {
	m, err := syscall.Mmap(fd, 0, 5*page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	pr.Say("private read-only map", probe.Errno(err))
	if err != nil {
		return
	}
	pr.Say("private page 0", load(m, 0))
	pr.Say("private page 2", load(m, 2*page+5))
	pr.Say("private last byte of file", load(m, 3*page+99))
	pr.Say("private byte past the end in the last page", load(m, 3*page+100))
	pr.Say("private page past the end", load(m, 4*page))
	pr.Say("private write to read-only", store(m, 0, 'X'))
	// A later write to the file shows in a page not copied.
	f.WriteAt([]byte("Z"), 10)
	pr.Say("private sees a later write", load(m, 10))
	f.WriteAt([]byte("a"), 10)
	pr.Check(syscall.Munmap(m))

	w, err := syscall.Mmap(fd, 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	pr.Say("private writable map", probe.Errno(err))
	pr.Say("private store", store(w, 1, 'P'))
	pr.Say("private reads its store", load(w, 1))
	pr.Say("file after private store", fileByte(f, 1))
	f.WriteAt([]byte("Q"), 2)
	pr.Say("copied page after a file write", load(w, 2))
	pr.Say("uncopied page after a file write", func() string {
		f.WriteAt([]byte("R"), page+2)
		defer f.WriteAt([]byte("b"), page+2)
		return load(w, page+2)
	}())
	f.WriteAt([]byte("a"), 2)
	// MADV_DONTNEED drops the copy: the file's page shows again.
	pr.Say("madvise DONTNEED", probe.Errno(syscall.Madvise(w[:page], syscall.MADV_DONTNEED)))
	pr.Say("after DONTNEED", load(w, 1))
	// Access-pattern advice (bbolt advises MADV_RANDOM): accepted.
	pr.Say("madvise RANDOM", probe.Errno(syscall.Madvise(w, syscall.MADV_RANDOM)))
	pr.Say("madvise SEQUENTIAL", probe.Errno(syscall.Madvise(w, syscall.MADV_SEQUENTIAL)))
	pr.Say("madvise WILLNEED", probe.Errno(syscall.Madvise(w, syscall.MADV_WILLNEED)))
	// mlock faults the range in; in a private writable mapping that
	// breaks copy-on-write (bbolt mlocks its mapping when asked).
	pr.Say("mlock", probe.Errno(syscall.Mlock(w)))
	pr.Say("store after mlock", store(w, 2*page+3, 'L'))
	pr.Say("file after a store after mlock", fileByte(f, 2*page+3))
	pr.Say("munlock", probe.Errno(syscall.Munlock(w)))
	_, _, e := syscall.Syscall(sysMlock2, uintptr(unsafe.Pointer(&w[0])), page, 2)
	pr.Say("mlock2 with an unknown flag", probe.Errno(errnoOrNil(e)))
	_, _, e = syscall.Syscall(sysMlock2, uintptr(unsafe.Pointer(&w[0])), page, 1)
	pr.Say("mlock2 MLOCK_ONFAULT", probe.Errno(errnoOrNil(e)))
	pr.Say("mlockall 0", probe.Errno(syscall.Mlockall(0)))
	pr.Say("munlockall", probe.Errno(syscall.Munlockall()))
	// A hole in the middle of a range (raw munmap: package syscall's
	// only takes whole mappings).
	if h, err := syscall.Mmap(-1, 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON); err == nil {
		base := uintptr(unsafe.Pointer(&h[0]))
		_, _, e := syscall.Syscall(syscall.SYS_MUNMAP, base+page, page, 0)
		pr.Check(errnoOrNil(e))
		pr.Say("mlock over a hole", probe.Errno(syscall.Mlock(h)))
		syscall.Syscall(syscall.SYS_MUNMAP, base, 3*page, 0)
	}
	// mprotect read-only and back.
	pr.Say("mprotect read", probe.Errno(syscall.Mprotect(w, syscall.PROT_READ)))
	pr.Say("store after mprotect read", store(w, page, 'M'))
	pr.Say("mprotect read-write", probe.Errno(syscall.Mprotect(w[page:2*page], syscall.PROT_READ|syscall.PROT_WRITE)))
	pr.Say("store after mprotect read-write", store(w, page, 'M'))
	pr.Say("file after it", fileByte(f, page))
	pr.Check(syscall.Munmap(w))

	// An offset, and PROT_EXEC.
	o, err := syscall.Mmap(fd, 2*page, 2*page, syscall.PROT_READ|syscall.PROT_EXEC, syscall.MAP_PRIVATE)
	pr.Say("map at offset 2 pages, executable", probe.Errno(err))
	if err == nil {
		pr.Say("its first byte", load(o, 0))
		pr.Say("its second page", load(o, page+50))
		pr.Check(syscall.Munmap(o))
	}
}

func shared(f *os.File, fd int) {
	s, err := syscall.Mmap(fd, page, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	pr.Say("shared map", probe.Errno(err))
	if err != nil {
		return
	}
	pr.Say("shared store", store(s, 0, 'S'))
	pr.Say("file after shared store", fileByte(f, page))
	f.WriteAt([]byte("T"), page+1)
	pr.Say("shared sees a file write", load(s, 1))
	pr.Say("shared past the end", load(s, 2*page+200))
	_, _, e := syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafe.Pointer(&s[0])), 3*page, 4 /* MS_SYNC */)
	pr.Say("msync", probe.Errno(probe.Err(e)))
	_, _, e = syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafe.Pointer(&s[0])), page, 5)
	pr.Say("msync MS_SYNC|MS_ASYNC", probe.Errno(probe.Err(e)))
	// read(2) into a shared mapping writes the file.
	src, _ := os.Open(f.Name())
	src.ReadAt(s[10:15], 0)
	src.Close()
	pr.Say("file after read into the mapping", fileByte(f, page+10))
	f.WriteAt([]byte("bb"), page)
	f.WriteAt([]byte("bbbbb"), page+10)
	pr.Check(syscall.Munmap(s))
	_, _, e = syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafe.Pointer(&s[0])), page, 4)
	pr.Say("msync after munmap", probe.Errno(probe.Err(e)))

	ro, err := syscall.Mmap(fd, 0, page, syscall.PROT_READ, syscall.MAP_SHARED)
	pr.Say("shared read-only map", probe.Errno(err))
	if err == nil {
		pr.Say("its first byte", load(ro, 0))
		pr.Say("store into it", store(ro, 0, 'x'))
		pr.Check(syscall.Munmap(ro))
	}
}

func errorsProbe(dir, name string, fd int) {
	_, err := syscall.Mmap(fd, 100, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	pr.Say("unaligned offset", probe.Errno(err))
	_, err = syscall.Mmap(fd, 0, 0, syscall.PROT_READ, syscall.MAP_PRIVATE)
	pr.Say("length 0", probe.Errno(err))
	_, err = syscall.Mmap(fd, 0, page, syscall.PROT_READ, 0)
	pr.Say("neither shared nor private", probe.Errno(err))
	_, err = syscall.Mmap(999, 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	pr.Say("bad descriptor", probe.Errno(err))

	wo, _ := os.OpenFile(name, os.O_WRONLY, 0)
	_, err = syscall.Mmap(int(wo.Fd()), 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	pr.Say("write-only descriptor", probe.Errno(err))
	wo.Close()
	ro, _ := os.Open(name)
	_, err = syscall.Mmap(int(ro.Fd()), 0, page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	pr.Say("read-only descriptor, shared writable", probe.Errno(err))
	m, err := syscall.Mmap(int(ro.Fd()), 0, page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	pr.Say("read-only descriptor, private writable", probe.Errno(err))
	if err == nil {
		syscall.Munmap(m)
	}
	ro.Close()
	ap, _ := os.OpenFile(name, os.O_RDWR|os.O_APPEND, 0)
	_, err = syscall.Mmap(int(ap.Fd()), 0, page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	pr.Say("append descriptor, shared writable", probe.Errno(err))
	ap.Close()

	d, _ := os.Open(dir)
	_, err = syscall.Mmap(int(d.Fd()), 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	pr.Say("directory", probe.Errno(err))
	d.Close()
	r, w, _ := os.Pipe()
	_, err = syscall.Mmap(int(r.Fd()), 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	pr.Say("pipe", probe.Errno(err))
	r.Close()
	w.Close()
}

// lifetime: a mapping outlives its descriptor and the file's name.
func lifetime(dir string, content []byte) {
	name := filepath.Join(dir, "gone")
	pr.Check(os.WriteFile(name, content, 0o644))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	pr.Check(err)
	m, err := syscall.Mmap(int(f.Fd()), 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	pr.Check(err)
	pr.Check(f.Close())
	pr.Say("after close", load(m, page))
	pr.Check(os.Remove(name))
	pr.Say("after unlink", load(m, 0))
	pr.Say("store after unlink", store(m, 0, 'u'))
	pr.Say("read it back", load(m, 0))
	pr.Check(syscall.Munmap(m))
}

// truncation: a mapped file cut short raises SIGBUS past its new end,
// private copies included, and growing it again brings back zeros.
func truncation(dir string, content []byte) {
	name := filepath.Join(dir, "short")
	pr.Check(os.WriteFile(name, content, 0o644))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	pr.Check(err)
	s, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	pr.Check(err)
	p, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	pr.Check(err)
	pr.Say("shared page 2 before", load(s, 2*page))
	pr.Say("private page 2 before", load(p, 2*page))
	pr.Say("private copy of page 2", store(p, 2*page, 'C'))
	pr.Say("private page 1 before", load(p, page))
	pr.Check(f.Truncate(page + 10))
	pr.Say("shared page 0 after truncating", load(s, 0))
	pr.Say("shared tail of page 1", load(s, page+20))
	pr.Say("shared page 2 after truncating", load(s, 2*page))
	pr.Say("private copied page 2 after truncating", load(p, 2*page))
	pr.Say("private page 1 after truncating", load(p, page+5))
	pr.Check(f.Truncate(3 * page))
	pr.Say("shared page 2 after growing", load(s, 2*page))
	pr.Say("private page 2 after growing", load(p, 2*page))
	// A hole punched under a mapping.
	f.WriteAt(bytes.Repeat([]byte{'h'}, page), page)
	pr.Say("private page 1 before the hole", load(p, page))
	pr.Say("shared page 1 before the hole", load(s, page))
	const punch = 0x02 | 0x01 // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
	pr.Say("punch a hole", probe.Errno(syscall.Fallocate(int(f.Fd()), punch, page, page)))
	pr.Say("shared page 1 after the hole", load(s, page))
	pr.Say("private page 1 after the hole", load(p, page))
	pr.Check(syscall.Munmap(s))
	pr.Check(syscall.Munmap(p))
	pr.Check(f.Close())
}

// holes: a sparse file's hole reads as zeros through a mapping and a
// shared store fills it.
func holes(dir string) {
	f, err := os.Create(filepath.Join(dir, "sparse"))
	pr.Check(err)
	pr.Check(f.Truncate(4 * page))
	m, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	pr.Check(err)
	pr.Say("blocks of the sparse file", blocks(f))
	pr.Say("hole through the mapping", load(m, 3*page))
	pr.Say("store into a hole", store(m, page, 'H'))
	pr.Say("file after it", fileByte(f, page))
	pr.Say("blocks of the file now", blocks(f) > 0)
	pr.Check(syscall.Munmap(m))
	pr.Check(f.Close())
}

func devZero() {
	f, err := os.OpenFile("/dev/zero", os.O_RDWR, 0)
	pr.Check(err)
	m, err := syscall.Mmap(int(f.Fd()), 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	pr.Say("map /dev/zero", probe.Errno(err))
	if err == nil {
		pr.Say("/dev/zero reads", load(m, 5))
		pr.Say("/dev/zero takes a store", store(m, 5, 'z'))
		syscall.Munmap(m)
	}
	f.Close()
}

func expMmap(name string) {
	r, err := mmap.Open(name)
	pr.Say("x/exp/mmap open", probe.Errno(err))
	if err != nil {
		return
	}
	pr.Say("x/exp/mmap len", r.Len())
	pr.Say("x/exp/mmap At(page+1)", string(r.At(page+1)))
	b := make([]byte, 4)
	n, err := r.ReadAt(b, 3*page+98)
	pr.Say("x/exp/mmap ReadAt at the end", fmt.Sprintf("%d %q %v", n, b[:n], err))
	pr.Say("x/exp/mmap close", probe.Errno(r.Close()))
}

// elfOverMapping parses an ELF header written to a file through
// x/exp/mmap's ReaderAt, as a program inspecting a binary would.
func elfOverMapping(dir string) {
	var h elf.Header64
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	h.Type = uint16(elf.ET_EXEC)
	h.Machine = uint16(elf.EM_X86_64)
	h.Version = uint32(elf.EV_CURRENT)
	h.Entry = 0x401000
	h.Ehsize = uint16(binary.Size(h))
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, &h)
	name := filepath.Join(dir, "elf")
	pr.Check(os.WriteFile(name, buf.Bytes(), 0o755))
	r, err := mmap.Open(name)
	pr.Check(err)
	defer r.Close()
	ef, err := elf.NewFile(r)
	pr.Say("debug/elf over a mapping", probe.Errno(err))
	if err == nil {
		pr.Say("its class, machine, type, entry", fmt.Sprintf("%v %v %v %#x", ef.Class, ef.Machine, ef.Type, ef.Entry))
	}
}

// errnoOrNil turns a raw system call's errno into an error, nil for 0.
func errnoOrNil(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// sysMlock2 is mlock2's number on amd64; package syscall predates it.
const sysMlock2 = 325
