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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"unsafe"

	"golang.org/x/exp/mmap"
)

const page = 4096

func say(what string, v any) { fmt.Printf("mmapprobe: %s: %v\n", what, v) }

func must(err error) {
	if err != nil {
		fmt.Printf("mmapprobe: FAIL: %v\n", err)
		os.Exit(1)
	}
}

// errno is err's errno name, or "ok".
func errno(err error) string {
	if err == nil {
		return "ok"
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		switch e {
		case syscall.EINVAL:
			return "EINVAL"
		case syscall.EACCES:
			return "EACCES"
		case syscall.ENODEV:
			return "ENODEV"
		case syscall.EBADF:
			return "EBADF"
		case syscall.ENOMEM:
			return "ENOMEM"
		case syscall.EFAULT:
			return "EFAULT"
		}
		return fmt.Sprintf("errno %d", int(e))
	}
	return err.Error()
}

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
	must(syscall.Fstat(int(f.Fd()), &st))
	return st.Blocks
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: mmapprobe BASE")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp(os.Args[1], "mmapprobe")
	must(err)
	defer os.RemoveAll(dir)

	// A file of three pages and 100 bytes: page i is filled with 'a'+i.
	name := filepath.Join(dir, "data")
	content := make([]byte, 3*page+100)
	for i := range content {
		content[i] = 'a' + byte(i/page)
	}
	must(os.WriteFile(name, content, 0o644))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	must(err)
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
	must(f.Close())
	fmt.Println("mmapprobe: done")
}

func private(f *os.File, fd int) {
	m, err := syscall.Mmap(fd, 0, 5*page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	say("private read-only map", errno(err))
	if err != nil {
		return
	}
	say("private page 0", load(m, 0))
	say("private page 2", load(m, 2*page+5))
	say("private last byte of file", load(m, 3*page+99))
	say("private byte past the end in the last page", load(m, 3*page+100))
	say("private page past the end", load(m, 4*page))
	say("private write to read-only", store(m, 0, 'X'))
	// A later write to the file shows in a page not copied.
	f.WriteAt([]byte("Z"), 10)
	say("private sees a later write", load(m, 10))
	f.WriteAt([]byte("a"), 10)
	must(syscall.Munmap(m))

	w, err := syscall.Mmap(fd, 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	say("private writable map", errno(err))
	say("private store", store(w, 1, 'P'))
	say("private reads its store", load(w, 1))
	say("file after private store", fileByte(f, 1))
	f.WriteAt([]byte("Q"), 2)
	say("copied page after a file write", load(w, 2))
	say("uncopied page after a file write", func() string {
		f.WriteAt([]byte("R"), page+2)
		defer f.WriteAt([]byte("b"), page+2)
		return load(w, page+2)
	}())
	f.WriteAt([]byte("a"), 2)
	// MADV_DONTNEED drops the copy: the file's page shows again.
	say("madvise DONTNEED", errno(syscall.Madvise(w[:page], syscall.MADV_DONTNEED)))
	say("after DONTNEED", load(w, 1))
	// mprotect read-only and back.
	say("mprotect read", errno(syscall.Mprotect(w, syscall.PROT_READ)))
	say("store after mprotect read", store(w, page, 'M'))
	say("mprotect read-write", errno(syscall.Mprotect(w[page:2*page], syscall.PROT_READ|syscall.PROT_WRITE)))
	say("store after mprotect read-write", store(w, page, 'M'))
	say("file after it", fileByte(f, page))
	must(syscall.Munmap(w))

	// An offset, and PROT_EXEC.
	o, err := syscall.Mmap(fd, 2*page, 2*page, syscall.PROT_READ|syscall.PROT_EXEC, syscall.MAP_PRIVATE)
	say("map at offset 2 pages, executable", errno(err))
	if err == nil {
		say("its first byte", load(o, 0))
		say("its second page", load(o, page+50))
		must(syscall.Munmap(o))
	}
}

func shared(f *os.File, fd int) {
	s, err := syscall.Mmap(fd, page, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	say("shared map", errno(err))
	if err != nil {
		return
	}
	say("shared store", store(s, 0, 'S'))
	say("file after shared store", fileByte(f, page))
	f.WriteAt([]byte("T"), page+1)
	say("shared sees a file write", load(s, 1))
	say("shared past the end", load(s, 2*page+200))
	_, _, e := syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafe.Pointer(&s[0])), 3*page, 4 /* MS_SYNC */)
	say("msync", errno(errnoErr(e)))
	_, _, e = syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafe.Pointer(&s[0])), page, 5)
	say("msync MS_SYNC|MS_ASYNC", errno(errnoErr(e)))
	// read(2) into a shared mapping writes the file.
	src, _ := os.Open(f.Name())
	src.ReadAt(s[10:15], 0)
	src.Close()
	say("file after read into the mapping", fileByte(f, page+10))
	f.WriteAt([]byte("bb"), page)
	f.WriteAt([]byte("bbbbb"), page+10)
	must(syscall.Munmap(s))
	_, _, e = syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafe.Pointer(&s[0])), page, 4)
	say("msync after munmap", errno(errnoErr(e)))

	ro, err := syscall.Mmap(fd, 0, page, syscall.PROT_READ, syscall.MAP_SHARED)
	say("shared read-only map", errno(err))
	if err == nil {
		say("its first byte", load(ro, 0))
		say("store into it", store(ro, 0, 'x'))
		must(syscall.Munmap(ro))
	}
}

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func errorsProbe(dir, name string, fd int) {
	_, err := syscall.Mmap(fd, 100, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	say("unaligned offset", errno(err))
	_, err = syscall.Mmap(fd, 0, 0, syscall.PROT_READ, syscall.MAP_PRIVATE)
	say("length 0", errno(err))
	_, err = syscall.Mmap(fd, 0, page, syscall.PROT_READ, 0)
	say("neither shared nor private", errno(err))
	_, err = syscall.Mmap(999, 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	say("bad descriptor", errno(err))

	wo, _ := os.OpenFile(name, os.O_WRONLY, 0)
	_, err = syscall.Mmap(int(wo.Fd()), 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	say("write-only descriptor", errno(err))
	wo.Close()
	ro, _ := os.Open(name)
	_, err = syscall.Mmap(int(ro.Fd()), 0, page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	say("read-only descriptor, shared writable", errno(err))
	m, err := syscall.Mmap(int(ro.Fd()), 0, page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	say("read-only descriptor, private writable", errno(err))
	if err == nil {
		syscall.Munmap(m)
	}
	ro.Close()
	ap, _ := os.OpenFile(name, os.O_RDWR|os.O_APPEND, 0)
	_, err = syscall.Mmap(int(ap.Fd()), 0, page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	say("append descriptor, shared writable", errno(err))
	ap.Close()

	d, _ := os.Open(dir)
	_, err = syscall.Mmap(int(d.Fd()), 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	say("directory", errno(err))
	d.Close()
	r, w, _ := os.Pipe()
	_, err = syscall.Mmap(int(r.Fd()), 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	say("pipe", errno(err))
	r.Close()
	w.Close()
}

// lifetime: a mapping outlives its descriptor and the file's name.
func lifetime(dir string, content []byte) {
	name := filepath.Join(dir, "gone")
	must(os.WriteFile(name, content, 0o644))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	must(err)
	m, err := syscall.Mmap(int(f.Fd()), 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	must(err)
	must(f.Close())
	say("after close", load(m, page))
	must(os.Remove(name))
	say("after unlink", load(m, 0))
	say("store after unlink", store(m, 0, 'u'))
	say("read it back", load(m, 0))
	must(syscall.Munmap(m))
}

// truncation: a mapped file cut short raises SIGBUS past its new end,
// private copies included, and growing it again brings back zeros.
func truncation(dir string, content []byte) {
	name := filepath.Join(dir, "short")
	must(os.WriteFile(name, content, 0o644))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	must(err)
	s, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	must(err)
	p, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	must(err)
	say("shared page 2 before", load(s, 2*page))
	say("private page 2 before", load(p, 2*page))
	say("private copy of page 2", store(p, 2*page, 'C'))
	say("private page 1 before", load(p, page))
	must(f.Truncate(page + 10))
	say("shared page 0 after truncating", load(s, 0))
	say("shared tail of page 1", load(s, page+20))
	say("shared page 2 after truncating", load(s, 2*page))
	say("private copied page 2 after truncating", load(p, 2*page))
	say("private page 1 after truncating", load(p, page+5))
	must(f.Truncate(3 * page))
	say("shared page 2 after growing", load(s, 2*page))
	say("private page 2 after growing", load(p, 2*page))
	// A hole punched under a mapping.
	f.WriteAt(bytes.Repeat([]byte{'h'}, page), page)
	say("private page 1 before the hole", load(p, page))
	say("shared page 1 before the hole", load(s, page))
	const punch = 0x02 | 0x01 // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
	say("punch a hole", errno(syscall.Fallocate(int(f.Fd()), punch, page, page)))
	say("shared page 1 after the hole", load(s, page))
	say("private page 1 after the hole", load(p, page))
	must(syscall.Munmap(s))
	must(syscall.Munmap(p))
	must(f.Close())
}

// holes: a sparse file's hole reads as zeros through a mapping and a
// shared store fills it.
func holes(dir string) {
	f, err := os.Create(filepath.Join(dir, "sparse"))
	must(err)
	must(f.Truncate(4 * page))
	m, err := syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	must(err)
	say("blocks of the sparse file", blocks(f))
	say("hole through the mapping", load(m, 3*page))
	say("store into a hole", store(m, page, 'H'))
	say("file after it", fileByte(f, page))
	say("blocks of the file now", blocks(f) > 0)
	must(syscall.Munmap(m))
	must(f.Close())
}

func devZero() {
	f, err := os.OpenFile("/dev/zero", os.O_RDWR, 0)
	must(err)
	m, err := syscall.Mmap(int(f.Fd()), 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	say("map /dev/zero", errno(err))
	if err == nil {
		say("/dev/zero reads", load(m, 5))
		say("/dev/zero takes a store", store(m, 5, 'z'))
		syscall.Munmap(m)
	}
	f.Close()
}

func expMmap(name string) {
	r, err := mmap.Open(name)
	say("x/exp/mmap open", errno(err))
	if err != nil {
		return
	}
	say("x/exp/mmap len", r.Len())
	say("x/exp/mmap At(page+1)", string(r.At(page+1)))
	b := make([]byte, 4)
	n, err := r.ReadAt(b, 3*page+98)
	say("x/exp/mmap ReadAt at the end", fmt.Sprintf("%d %q %v", n, b[:n], err))
	say("x/exp/mmap close", errno(r.Close()))
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
	must(os.WriteFile(name, buf.Bytes(), 0o755))
	r, err := mmap.Open(name)
	must(err)
	defer r.Close()
	ef, err := elf.NewFile(r)
	say("debug/elf over a mapping", errno(err))
	if err == nil {
		say("its class, machine, type, entry", fmt.Sprintf("%v %v %v %#x", ef.Class, ef.Machine, ef.Type, ef.Entry))
	}
}
