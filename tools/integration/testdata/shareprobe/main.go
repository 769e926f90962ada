// Shareprobe exercises a directory shared from the host (coracle run -v)
// through package os and golang.org/x/sys/unix: reading what the host
// put there, listing, walking, making, writing, appending, seeking,
// renaming, removing, links, modes and the errors Linux gives. Its
// arguments are the shared directory and, optionally, a second one
// shared read-only. The lines for the first, "shareprobe: what: result",
// do not depend on where it runs, so the same program run natively on
// the host's copy prints the same; "ro:" lines are about the read-only
// share, and "out:" lines about the files it leaves for the host.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"golang.org/x/sys/unix"
)

// pr prints the lines, each behind the prefix "shareprobe:".
var pr = probe.P("shareprobe")

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: shareprobe DIR [RODIR]")
		os.Exit(64)
	}
	dir := os.Args[1]
	at := func(p string) string { return filepath.Join(dir, p) }

	// What the host put there.
	b, err := os.ReadFile(at("in.txt"))
	pr.Say("read in.txt", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	b, err = os.ReadFile(at("dir with spaces/nested.txt"))
	pr.Say("read a nested file", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	var walked []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		walked = append(walked, fmt.Sprintf("%s(%v)", rel, d.Type()))
		return err
	})
	pr.Say("walk", fmt.Sprintf("%s %s", strings.Join(walked, " "), probe.Errno(err)))
	big, err := os.ReadFile(at("big.bin"))
	sum := 0
	for _, c := range big {
		sum += int(c)
	}
	pr.Say("read big.bin", fmt.Sprintf("%d bytes, sum %d, %s", len(big), sum, probe.Errno(err)))
	target, err := os.Readlink(at("link"))
	pr.Say("readlink", target+" "+probe.Errno(err))
	b, err = os.ReadFile(at("link"))
	pr.Say("read through the link", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	fi, err := os.Lstat(at("link"))
	if err == nil {
		pr.Say("lstat link", fi.Mode().Type() == fs.ModeSymlink)
	}
	fi, err = os.Stat(at("in.txt"))
	if err == nil {
		pr.Say("stat in.txt", fmt.Sprintf("%d %v", fi.Size(), fi.Mode()))
	}

	// A private mapping of a file: a copy to read and to change.
	if mf, err := os.Open(at("big.bin")); err == nil {
		m, err := unix.Mmap(int(mf.Fd()), 4096, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
		if err == nil {
			same := string(m) == string(big[4096:4096+8192])
			m[0] ^= 0xff
			again, _ := os.ReadFile(at("big.bin"))
			pr.Say("mmap private", fmt.Sprintf("the file's bytes %v, the file unchanged by a write %v", same, string(again) == string(big)))
			unix.Munmap(m)
		} else {
			pr.Say("mmap private", probe.Errno(err))
		}
		_, err = unix.Mmap(int(mf.Fd()), 1, 4096, unix.PROT_READ, unix.MAP_PRIVATE)
		pr.Say("mmap at an unaligned offset", probe.Errno(err))
		mf.Close()
	}

	// The working directory in the share: relative paths, getcwd, and
	// ".." out of it.
	start, _ := os.Getwd()
	cwdIs := func(want string) bool { got, err := os.Getwd(); return err == nil && got == want }
	err = os.Chdir(at("sub"))
	b, rerr := os.ReadFile("f")
	pr.Say("chdir into a shared directory", fmt.Sprintf("%s, getcwd right %v, relative read %q %s", probe.Errno(err), cwdIs(at("sub")), b, probe.Errno(rerr)))
	_, serr := os.Stat("../in.txt")
	pr.Say("relative stat through ..", probe.Errno(serr))
	err = os.Chdir("..")
	pr.Say("chdir .. to the share's root", fmt.Sprintf("%s, getcwd right %v", probe.Errno(err), cwdIs(dir)))
	err = os.Chdir("..")
	pr.Say("chdir .. out of the share", fmt.Sprintf("%s, getcwd right %v", probe.Errno(err), cwdIs(filepath.Dir(dir))))
	f0, err := os.Open(at("sub"))
	if err == nil {
		err = f0.Chdir()
		f0.Close()
		pr.Say("fchdir into a shared directory", fmt.Sprintf("%s, getcwd right %v", probe.Errno(err), cwdIs(at("sub"))))
	}
	os.Chdir(start)
	_, err = os.Stat(dir + "/../" + filepath.Base(dir) + "/in.txt")
	pr.Say("stat through the share's .. and back", probe.Errno(err))

	// Opening a share's file with every descriptor taken: EMFILE, and
	// the call returns (the service's handle is closed again).
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil {
		low := lim
		low.Cur = 64
		unix.Setrlimit(unix.RLIMIT_NOFILE, &low)
		var open []*os.File
		var err error
		for range 100 {
			var f *os.File
			if f, err = os.Open(at("in.txt")); err != nil {
				break
			}
			open = append(open, f)
		}
		pr.Say("open a share's file past RLIMIT_NOFILE", probe.Errno(err))
		for _, f := range open {
			f.Close()
		}
		unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
		_, err = os.ReadFile(at("in.txt"))
		pr.Say("read after closing them", probe.Errno(err))
	}

	// Paths through links.
	for _, p := range []string{"ldir/f", "ldir/../in.txt", "sub/up/nested.txt", "ldir/up/../in.txt", "loop1", "loop1/x", "sub/dangles", "ldir/./f/", "./sub//f"} {
		b, err := os.ReadFile(at(p))
		pr.Say("read "+p, fmt.Sprintf("%q %s", b, probe.Errno(err)))
	}

	// Errors.
	_, err = os.Stat(at("missing"))
	pr.Say("stat a missing file", probe.Errno(err))
	_, err = os.Stat(at("in.txt/x"))
	pr.Say("stat through a file", probe.Errno(err))
	_, err = os.OpenFile(at("in.txt"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	pr.Say("O_EXCL on an existing file", probe.Errno(err))
	_, err = os.OpenFile(at("sub"), os.O_WRONLY, 0)
	pr.Say("open a directory for writing", probe.Errno(err))
	err = os.Remove(at("sub"))
	pr.Say("remove a directory with a file in it", probe.Errno(err))
	err = unix.Rmdir(at("in.txt"))
	pr.Say("rmdir a file", probe.Errno(err))
	err = os.Mkdir(at("sub"), 0o755)
	pr.Say("mkdir an existing name", probe.Errno(err))

	// Making and changing.
	out := at("out")
	pr.Say("mkdir out", probe.Errno(os.Mkdir(out, 0o750)))
	f, err := os.Create(filepath.Join(out, "log.txt"))
	if err != nil {
		pr.Say("create", probe.Errno(err))
		os.Exit(1)
	}
	for i := range 3 {
		fmt.Fprintf(f, "line %d\n", i)
	}
	n, err := f.Seek(0, io.SeekEnd)
	pr.Say("seek to the end", fmt.Sprintf("%d %s", n, probe.Errno(err)))
	_, err = f.WriteAt([]byte("LINE"), 0)
	pr.Say("pwrite", probe.Errno(err))
	fi, _ = f.Stat()
	pr.Say("fstat size", fi.Size())
	pr.Say("fsync", probe.Errno(f.Sync()))
	pr.Say("close", probe.Errno(f.Close()))
	af, err := os.OpenFile(filepath.Join(out, "log.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		af.WriteString("appended\n")
		af.Close()
	}
	b, err = os.ReadFile(filepath.Join(out, "log.txt"))
	pr.Say("read back", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	rf, err := os.Open(filepath.Join(out, "log.txt"))
	if err == nil {
		buf := make([]byte, 4)
		n, err := rf.ReadAt(buf, 5)
		pr.Say("pread", fmt.Sprintf("%q %d %s", buf[:n], n, probe.Errno(err)))
		rf.Seek(7, io.SeekStart)
		n, _ = rf.Read(buf)
		pr.Say("read after seek", fmt.Sprintf("%q", buf[:n]))
		rf.Close()
	}
	pr.Say("truncate", probe.Errno(os.Truncate(filepath.Join(out, "log.txt"), 4)))
	fi, _ = os.Stat(filepath.Join(out, "log.txt"))
	pr.Say("size after truncate", fi.Size())
	pr.Say("chmod", probe.Errno(os.Chmod(filepath.Join(out, "log.txt"), 0o600)))
	fi, _ = os.Stat(filepath.Join(out, "log.txt"))
	pr.Say("mode after chmod", fi.Mode())
	when := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
	pr.Say("chtimes", probe.Errno(os.Chtimes(filepath.Join(out, "log.txt"), when, when)))
	fi, _ = os.Stat(filepath.Join(out, "log.txt"))
	pr.Say("mtime after chtimes", fi.ModTime().UTC())
	pr.Say("symlink", probe.Errno(os.Symlink("log.txt", filepath.Join(out, "latest"))))
	target, err = os.Readlink(filepath.Join(out, "latest"))
	pr.Say("readlink the new link", target+" "+probe.Errno(err))
	pr.Say("rename", probe.Errno(os.Rename(filepath.Join(out, "log.txt"), filepath.Join(out, "result.txt"))))
	pr.Say("write a second file", probe.Errno(os.WriteFile(filepath.Join(out, "tmp.txt"), []byte("x"), 0o644)))
	pr.Say("remove it", probe.Errno(os.Remove(filepath.Join(out, "tmp.txt"))))
	pr.Say("mkdir and rmdir", probe.Errno(errors.Join(os.Mkdir(filepath.Join(out, "gone"), 0o755), os.Remove(filepath.Join(out, "gone")))))
	pr.Say("link in a share", probe.Errno(os.Link(filepath.Join(out, "result.txt"), filepath.Join(out, "hard"))))
	entries, err := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	pr.Say("out holds", fmt.Sprintf("%v %s", names, probe.Errno(err)))

	// A directory of many entries, listed in several getdents64 calls.
	many := at("many")
	os.Mkdir(many, 0o755)
	for i := range 300 {
		os.WriteFile(filepath.Join(many, fmt.Sprintf("entry-with-a-long-name-%03d", i)), nil, 0o644)
	}
	entries, err = os.ReadDir(many)
	pr.Say("many entries", fmt.Sprintf("%d %s", len(entries), probe.Errno(err)))
	os.RemoveAll(many)
	_, err = os.Stat(many)
	pr.Say("RemoveAll", probe.Errno(err))

	// Many goroutines at once: more calls in flight than the kernel
	// has request slots (16), each writing and reading back its own file.
	var wg sync.WaitGroup
	bad := make(chan string, 64)
	for g := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := filepath.Join(dir, fmt.Sprintf("conc-%d", g))
			for i := range 10 {
				want := []byte(strings.Repeat(fmt.Sprintf("%d.%d ", g, i), 100))
				if err := os.WriteFile(name, want, 0o644); err != nil {
					bad <- err.Error()
					return
				}
				if got, err := os.ReadFile(name); err != nil || string(got) != string(want) {
					bad <- fmt.Sprintf("%s: read back %d bytes, %v", name, len(got), err)
					return
				}
			}
			if err := os.Remove(name); err != nil {
				bad <- err.Error()
			}
		}()
	}
	wg.Wait()
	close(bad)
	var problems []string
	for p := range bad {
		problems = append(problems, p)
	}
	pr.Say("24 goroutines at once", fmt.Sprintf("%d problems %v", len(problems), problems))

	if len(os.Args) > 2 {
		ro := os.Args[2]
		b, err := os.ReadFile(filepath.Join(ro, "in.txt"))
		fmt.Printf("ro: read: %q %s\n", b, probe.Errno(err))
		fmt.Printf("ro: create: %s\n", probe.Errno(os.WriteFile(filepath.Join(ro, "new"), nil, 0o644)))
		fmt.Printf("ro: mkdir: %s\n", probe.Errno(os.Mkdir(filepath.Join(ro, "d"), 0o755)))
		fmt.Printf("ro: remove: %s\n", probe.Errno(os.Remove(filepath.Join(ro, "in.txt"))))
		fmt.Printf("ro: rename across shares: %s\n", probe.Errno(os.Rename(filepath.Join(dir, "in.txt"), filepath.Join(ro, "x"))))
		fmt.Printf("ro: rename into the root: %s\n", probe.Errno(os.Rename(filepath.Join(dir, "in.txt"), "/tmp/x")))
	}
	pr.Printf("done")
}
