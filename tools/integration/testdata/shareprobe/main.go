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

	"golang.org/x/sys/unix"
)

func say(what string, v any) { fmt.Printf("shareprobe: %s: %v\n", what, v) }

// errno is err's errno name, or "ok".
func errno(err error) string {
	if err == nil {
		return "ok"
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return unix.ErrnoName(e)
	}
	return err.Error()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: shareprobe DIR [RODIR]")
		os.Exit(64)
	}
	dir := os.Args[1]
	at := func(p string) string { return filepath.Join(dir, p) }

	// What the host put there.
	b, err := os.ReadFile(at("in.txt"))
	say("read in.txt", fmt.Sprintf("%q %s", b, errno(err)))
	b, err = os.ReadFile(at("dir with spaces/nested.txt"))
	say("read a nested file", fmt.Sprintf("%q %s", b, errno(err)))
	var walked []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		walked = append(walked, fmt.Sprintf("%s(%v)", rel, d.Type()))
		return err
	})
	say("walk", fmt.Sprintf("%s %s", strings.Join(walked, " "), errno(err)))
	big, err := os.ReadFile(at("big.bin"))
	sum := 0
	for _, c := range big {
		sum += int(c)
	}
	say("read big.bin", fmt.Sprintf("%d bytes, sum %d, %s", len(big), sum, errno(err)))
	target, err := os.Readlink(at("link"))
	say("readlink", target+" "+errno(err))
	b, err = os.ReadFile(at("link"))
	say("read through the link", fmt.Sprintf("%q %s", b, errno(err)))
	fi, err := os.Lstat(at("link"))
	if err == nil {
		say("lstat link", fi.Mode().Type() == fs.ModeSymlink)
	}
	fi, err = os.Stat(at("in.txt"))
	if err == nil {
		say("stat in.txt", fmt.Sprintf("%d %v", fi.Size(), fi.Mode()))
	}

	// A private mapping of a file: a copy to read and to change.
	if mf, err := os.Open(at("big.bin")); err == nil {
		m, err := unix.Mmap(int(mf.Fd()), 4096, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
		if err == nil {
			same := string(m) == string(big[4096:4096+8192])
			m[0] ^= 0xff
			again, _ := os.ReadFile(at("big.bin"))
			say("mmap private", fmt.Sprintf("the file's bytes %v, the file unchanged by a write %v", same, string(again) == string(big)))
			unix.Munmap(m)
		} else {
			say("mmap private", errno(err))
		}
		_, err = unix.Mmap(int(mf.Fd()), 1, 4096, unix.PROT_READ, unix.MAP_PRIVATE)
		say("mmap at an unaligned offset", errno(err))
		mf.Close()
	}

	// Paths through links.
	for _, p := range []string{"ldir/f", "ldir/../in.txt", "sub/up/nested.txt", "ldir/up/../in.txt", "loop1", "loop1/x", "sub/dangles", "ldir/./f/", "./sub//f"} {
		b, err := os.ReadFile(at(p))
		say("read "+p, fmt.Sprintf("%q %s", b, errno(err)))
	}

	// Errors.
	_, err = os.Stat(at("missing"))
	say("stat a missing file", errno(err))
	_, err = os.Stat(at("in.txt/x"))
	say("stat through a file", errno(err))
	_, err = os.OpenFile(at("in.txt"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	say("O_EXCL on an existing file", errno(err))
	_, err = os.OpenFile(at("sub"), os.O_WRONLY, 0)
	say("open a directory for writing", errno(err))
	err = os.Remove(at("sub"))
	say("remove a directory with a file in it", errno(err))
	err = unix.Rmdir(at("in.txt"))
	say("rmdir a file", errno(err))
	err = os.Mkdir(at("sub"), 0o755)
	say("mkdir an existing name", errno(err))

	// Making and changing.
	out := at("out")
	say("mkdir out", errno(os.Mkdir(out, 0o750)))
	f, err := os.Create(filepath.Join(out, "log.txt"))
	if err != nil {
		say("create", errno(err))
		os.Exit(1)
	}
	for i := range 3 {
		fmt.Fprintf(f, "line %d\n", i)
	}
	n, err := f.Seek(0, io.SeekEnd)
	say("seek to the end", fmt.Sprintf("%d %s", n, errno(err)))
	_, err = f.WriteAt([]byte("LINE"), 0)
	say("pwrite", errno(err))
	fi, _ = f.Stat()
	say("fstat size", fi.Size())
	say("fsync", errno(f.Sync()))
	say("close", errno(f.Close()))
	af, err := os.OpenFile(filepath.Join(out, "log.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		af.WriteString("appended\n")
		af.Close()
	}
	b, err = os.ReadFile(filepath.Join(out, "log.txt"))
	say("read back", fmt.Sprintf("%q %s", b, errno(err)))
	rf, err := os.Open(filepath.Join(out, "log.txt"))
	if err == nil {
		buf := make([]byte, 4)
		n, err := rf.ReadAt(buf, 5)
		say("pread", fmt.Sprintf("%q %d %s", buf[:n], n, errno(err)))
		rf.Seek(7, io.SeekStart)
		n, _ = rf.Read(buf)
		say("read after seek", fmt.Sprintf("%q", buf[:n]))
		rf.Close()
	}
	say("truncate", errno(os.Truncate(filepath.Join(out, "log.txt"), 4)))
	fi, _ = os.Stat(filepath.Join(out, "log.txt"))
	say("size after truncate", fi.Size())
	say("chmod", errno(os.Chmod(filepath.Join(out, "log.txt"), 0o600)))
	fi, _ = os.Stat(filepath.Join(out, "log.txt"))
	say("mode after chmod", fi.Mode())
	when := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
	say("chtimes", errno(os.Chtimes(filepath.Join(out, "log.txt"), when, when)))
	fi, _ = os.Stat(filepath.Join(out, "log.txt"))
	say("mtime after chtimes", fi.ModTime().UTC())
	say("symlink", errno(os.Symlink("log.txt", filepath.Join(out, "latest"))))
	target, err = os.Readlink(filepath.Join(out, "latest"))
	say("readlink the new link", target+" "+errno(err))
	say("rename", errno(os.Rename(filepath.Join(out, "log.txt"), filepath.Join(out, "result.txt"))))
	say("write a second file", errno(os.WriteFile(filepath.Join(out, "tmp.txt"), []byte("x"), 0o644)))
	say("remove it", errno(os.Remove(filepath.Join(out, "tmp.txt"))))
	say("mkdir and rmdir", errno(errors.Join(os.Mkdir(filepath.Join(out, "gone"), 0o755), os.Remove(filepath.Join(out, "gone")))))
	say("link in a share", errno(os.Link(filepath.Join(out, "result.txt"), filepath.Join(out, "hard"))))
	entries, err := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	say("out holds", fmt.Sprintf("%v %s", names, errno(err)))

	// A directory of many entries, listed in several getdents64 calls.
	many := at("many")
	os.Mkdir(many, 0o755)
	for i := range 300 {
		os.WriteFile(filepath.Join(many, fmt.Sprintf("entry-with-a-long-name-%03d", i)), nil, 0o644)
	}
	entries, err = os.ReadDir(many)
	say("many entries", fmt.Sprintf("%d %s", len(entries), errno(err)))
	os.RemoveAll(many)
	_, err = os.Stat(many)
	say("RemoveAll", errno(err))

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
	say("24 goroutines at once", fmt.Sprintf("%d problems %v", len(problems), problems))

	if len(os.Args) > 2 {
		ro := os.Args[2]
		b, err := os.ReadFile(filepath.Join(ro, "in.txt"))
		fmt.Printf("ro: read: %q %s\n", b, errno(err))
		fmt.Printf("ro: create: %s\n", errno(os.WriteFile(filepath.Join(ro, "new"), nil, 0o644)))
		fmt.Printf("ro: mkdir: %s\n", errno(os.Mkdir(filepath.Join(ro, "d"), 0o755)))
		fmt.Printf("ro: remove: %s\n", errno(os.Remove(filepath.Join(ro, "in.txt"))))
		fmt.Printf("ro: rename across shares: %s\n", errno(os.Rename(filepath.Join(dir, "in.txt"), filepath.Join(ro, "x"))))
		fmt.Printf("ro: rename into the root: %s\n", errno(os.Rename(filepath.Join(dir, "in.txt"), "/tmp/x")))
	}
	fmt.Println("shareprobe: done")
}
