// Diskprobe reads a disk (coracle run --disk) through package os: for
// each file under the directory DIR it prints the name, type, size,
// permissions, the sha256 of a regular file's contents (read whole, and
// again in odd-sized pieces with pread) and a link's target; for a
// directory, the count and sha256 of its entries' names, as os.ReadDir
// gives them (getdents64). It also follows links, climbs with "..",
// and checks the errors Linux gives. The "diskprobe:" lines do not
// depend on where it runs, so the same program run natively on the tree
// the image was made from prints the same. For a directory given after
// -ro, it checks instead that every change fails with EROFS, and prints
// "ro:" lines. For a directory given after -write, it makes files there
// (WriteContent says what) and prints "write:" lines. Arguments are done
// in order. After -rewrite it changes the files RewriteTree names, which
// must be there, without making or removing names, and prints "rewrite:"
// lines.
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

var pr = probe.P("diskprobe")

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: diskprobe [DIR | -ro DIR]...")
		os.Exit(64)
	}
	for len(args) > 0 {
		if args[0] == "-ro" && len(args) > 1 {
			readOnly(args[1])
			args = args[2:]
			continue
		}
		if args[0] == "-rewrite" && len(args) > 1 {
			rewrite(args[1])
			args = args[2:]
			continue
		}
		if args[0] == "-write" && len(args) > 1 {
			writeFiles(args[1])
			args = args[2:]
			continue
		}
		probeTree(args[0])
		args = args[1:]
	}
}

// probeTree prints what it finds under dir.
func probeTree(dir string) {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "lost+found" {
			return fs.SkipDir // mkfs.ext4 makes it; the host tree has none
		}
		describe(rel, p, d)
		if d.IsDir() && len(mustList(p)) > 100 {
			return fs.SkipDir // its summary line is enough
		}
		return nil
	})
	pr.Say("walk", probe.Errno(err))

	at := func(p string) string { return filepath.Join(dir, p) }
	b, err := os.ReadFile(at("links/to-small"))
	pr.Say("read through a link", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	b, err = os.ReadFile(at("links/to-dir/deeper/leaf.txt"))
	pr.Say("read through a directory link", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	b, err = os.ReadFile(at("a/b/../../small.txt"))
	pr.Say("read with ..", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	_, err = os.Stat(at("links/dangling"))
	pr.Say("stat a dangling link", probe.Errno(err))
	_, err = os.Stat(at("links/loop"))
	pr.Say("stat a link loop", probe.Errno(err))
	_, err = os.Stat(at("small.txt/x"))
	pr.Say("stat below a file", probe.Errno(err))
	_, err = os.Open(at("nothing"))
	pr.Say("open a missing file", probe.Errno(err))
	_, err = os.ReadDir(at("small.txt"))
	pr.Say("readdir a file", probe.Errno(err))
	f, err := os.Open(at("sized/big.bin"))
	if err == nil {
		off, serr := f.Seek(-10, io.SeekEnd)
		pr.Say("seek from the end", fmt.Sprint(off, " ", probe.Errno(serr)))
		buf := make([]byte, 100)
		n, rerr := f.Read(buf)
		pr.Say("read at the end", fmt.Sprint(n, " ", probe.Errno(rerr)))
		n, rerr = f.Read(buf)
		pr.Say("read past the end", fmt.Sprint(n, " ", probe.Errno(rerr)))
		f.Close()
	}
	pr.Printf("done")
}

// describe prints one line about the file at p (rel from the top).
func describe(rel, p string, d fs.DirEntry) {
	fi, err := os.Lstat(p)
	if err != nil {
		pr.Say(rel, probe.Errno(err))
		return
	}
	line := fmt.Sprintf("%v size=%d", fi.Mode(), fi.Size())
	switch {
	case fi.Mode().IsRegular():
		line += " sha256=" + fileSum(p) + " pread=" + preadSum(p, fi.Size())
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		line = fmt.Sprintf("%v -> %q %s", fi.Mode(), target, probe.Errno(err))
	case fi.IsDir():
		ents, err := os.ReadDir(p)
		var names []string
		for _, e := range ents {
			if rel == "." && e.Name() == "lost+found" {
				continue // mkfs.ext4 makes it; the host tree has none
			}
			names = append(names, e.Name()+"/"+e.Type().String())
		}
		sort.Strings(names)
		h := sha256.Sum256([]byte(strings.Join(names, "\n")))
		line = fmt.Sprintf("%v entries=%d names=%x %s", fi.Mode(), len(names), h[:8], probe.Errno(err))
	}
	pr.Say(rel, line)
}

// mustList returns the names in directory p, or none.
func mustList(p string) []string {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return names
}

// fileSum is the sha256 of the file's contents, read with os.ReadFile.
func fileSum(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return probe.Errno(err)
	}
	h := sha256.Sum256(b)
	return fmt.Sprintf("%x", h[:8])
}

// preadSum is the sha256 of the file read with pread in 1000-byte
// pieces at odd offsets, backwards: reads that start and end inside
// blocks.
func preadSum(p string, size int64) string {
	f, err := os.Open(p)
	if err != nil {
		return probe.Errno(err)
	}
	defer f.Close()
	data := make([]byte, size)
	const piece = 1000
	for off := (size / piece) * piece; off >= 0; off -= piece {
		end := min(off+piece, size)
		if _, err := f.ReadAt(data[off:end], off); err != nil && err != io.EOF {
			return probe.Errno(err)
		}
	}
	h := sha256.Sum256(data)
	return fmt.Sprintf("%x", h[:8])
}

// readOnly checks that a read-only disk refuses every change.
func readOnly(dir string) {
	ro := probe.P("ro")
	at := func(p string) string { return filepath.Join(dir, p) }
	b, err := os.ReadFile(at("small.txt"))
	ro.Say("read", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	_, err = os.Create(at("new.txt"))
	ro.Say("create", probe.Errno(err))
	_, err = os.OpenFile(at("small.txt"), os.O_WRONLY, 0)
	ro.Say("open for writing", probe.Errno(err))
	ro.Say("mkdir", probe.Errno(os.Mkdir(at("newdir"), 0o755)))
	ro.Say("remove", probe.Errno(os.Remove(at("small.txt"))))
	ro.Say("rename", probe.Errno(os.Rename(at("small.txt"), at("moved.txt"))))
	ro.Say("symlink", probe.Errno(os.Symlink("x", at("newlink"))))
	ro.Say("chmod", probe.Errno(os.Chmod(at("small.txt"), 0o600)))
	ro.Say("truncate", probe.Errno(os.Truncate(at("small.txt"), 0)))
	ro.Printf("done")
}

// WriteContent is what -write leaves in out/, by name: the test reads
// the files back on the host. big.bin is 3 MiB and a few bytes of a
// pattern; sparse.bin has a hole before its last four bytes.
func WriteContent() map[string][]byte {
	big := make([]byte, 3<<20+5)
	for i := range big {
		big[i] = byte(i*31 + i>>12)
	}
	sparse := make([]byte, 1<<20+4)
	copy(sparse[1<<20:], "tail")
	return map[string][]byte{
		"empty.txt":    nil,
		"one.txt":      []byte("1"),
		"odd.bin":      big[:4097],
		"big.bin":      big,
		"sparse.bin":   sparse,
		"appended.txt": []byte("first\nsecond\n"),
		"renamed.txt":  []byte("moved\n"),
		"cut.txt":      []byte("keep"),
		"sub/deep.txt": []byte("deep\n"),
	}
}

// writeFiles makes the files of WriteContent under dir/out, with the
// calls a program uses: create, write, append, fsync, rename, truncate,
// mkdir, symlink, link and remove.
func writeFiles(dir string) {
	w := probe.P("write")
	out := filepath.Join(dir, "out")
	at := func(p string) string { return filepath.Join(out, p) }
	w.Say("mkdir", probe.Errno(os.MkdirAll(at("sub"), 0o755)))
	c := WriteContent()
	for _, name := range []string{"empty.txt", "one.txt", "odd.bin", "big.bin", "sub/deep.txt"} {
		f, err := os.Create(at(name))
		if err == nil {
			_, err = f.Write(c[name])
			if err == nil {
				err = f.Sync()
			}
			f.Close()
		}
		w.Say("write "+name, probe.Errno(err))
	}
	f, err := os.Create(at("sparse.bin"))
	if err == nil {
		_, err = f.WriteAt([]byte("tail"), 1<<20)
		f.Close()
	}
	w.Say("write sparse.bin", probe.Errno(err))
	w.Say("write appended.txt", probe.Errno(os.WriteFile(at("appended.txt"), []byte("first\n"), 0o644)))
	f, err = os.OpenFile(at("appended.txt"), os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		_, err = f.Write([]byte("second\n"))
		f.Close()
	}
	w.Say("append", probe.Errno(err))
	w.Say("write temp", probe.Errno(os.WriteFile(at("temp.txt"), []byte("moved\n"), 0o600)))
	w.Say("rename", probe.Errno(os.Rename(at("temp.txt"), at("renamed.txt"))))
	w.Say("rename without replacing", probe.Errno(unix.Renameat2(unix.AT_FDCWD, at("one.txt"), unix.AT_FDCWD, at("renamed.txt"), unix.RENAME_NOREPLACE)))
	w.Say("write swapped", probe.Errno(os.WriteFile(at("swap-a.txt"), []byte("a\n"), 0o644)), " ", probe.Errno(os.WriteFile(at("swap-b.txt"), []byte("b\n"), 0o644)))
	w.Say("exchange", probe.Errno(unix.Renameat2(unix.AT_FDCWD, at("swap-a.txt"), unix.AT_FDCWD, at("swap-b.txt"), unix.RENAME_EXCHANGE)))
	b, err := os.ReadFile(at("swap-a.txt"))
	w.Say("read exchanged", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	w.Say("write cut.txt", probe.Errno(os.WriteFile(at("cut.txt"), []byte("keep this not"), 0o644)))
	w.Say("truncate", probe.Errno(os.Truncate(at("cut.txt"), 4)))
	w.Say("symlink", probe.Errno(os.Symlink("renamed.txt", at("link"))))
	w.Say("link", probe.Errno(os.Link(at("one.txt"), at("hard.txt"))))
	// Two opens of one file: flock sees one file, as bbolt needs.
	f1, err1 := os.Open(at("one.txt"))
	f2, err2 := os.Open(at("hard.txt"))
	if err1 == nil && err2 == nil {
		err1 = unix.Flock(int(f1.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		err2 = unix.Flock(int(f2.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		f1.Close()
		err := unix.Flock(int(f2.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		w.Say("flock", probe.Errno(err1), " ", probe.Errno(err2), " ", probe.Errno(err))
		f2.Close()
	}
	w.Say("write doomed", probe.Errno(os.WriteFile(at("doomed.txt"), []byte("x"), 0o644)))
	w.Say("remove", probe.Errno(os.Remove(at("doomed.txt"))))
	w.Say("remove a missing file", probe.Errno(os.Remove(at("doomed.txt"))))
	w.Say("mkdir over a file", probe.Errno(os.Mkdir(at("one.txt"), 0o755)))
	ents, err := os.ReadDir(out)
	w.Say("entries", len(ents), " ", probe.Errno(err))
	b, err = os.ReadFile(at("big.bin"))
	w.Say("read back big.bin", fmt.Sprint(bytes.Equal(b, c["big.bin"]), " ", probe.Errno(err)))
	// The last change made durable: fsync of the directory's files is
	// the program's way to say "keep this" before it exits.
	f, err = os.Open(at("renamed.txt"))
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	w.Say("fsync", probe.Errno(err))
	w.Printf("done")
}

// RewriteTree is what -rewrite expects to find, by name.
func RewriteTree() map[string]string {
	return map[string]string{
		"f.txt":    "0123456789",
		"log.txt":  "one\n",
		"gone.txt": "all of this",
		"cut.txt":  "keep this not",
		"big.bin":  "",
	}
}

// rewrite changes the files of RewriteTree under dir in place: overwrite
// and extend past a hole, append, O_TRUNC, a 2 MiB write, truncate,
// chmod, chtimes, reading each back; each change is made durable with
// fsync or syncfs, as a program does with what it means to keep.
func rewrite(dir string) {
	r := probe.P("rewrite")
	at := func(p string) string { return filepath.Join(dir, p) }
	change := func(name string, flags int, do func(f *os.File) error) error {
		f, err := os.OpenFile(at(name), flags, 0)
		if err != nil {
			return err
		}
		if err = do(f); err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	err := change("f.txt", os.O_WRONLY, func(f *os.File) error {
		if _, err := f.WriteAt([]byte("abc"), 2); err != nil {
			return err
		}
		_, err := f.WriteAt([]byte("XYZ"), 12)
		return err
	})
	r.Say("overwrite and extend", probe.Errno(err))
	b, err := os.ReadFile(at("f.txt"))
	r.Say("read back", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	err = change("log.txt", os.O_WRONLY|os.O_APPEND, func(f *os.File) error {
		if _, err := f.Write([]byte("two\n")); err != nil {
			return err
		}
		_, err := f.Write([]byte("three\n"))
		return err
	})
	r.Say("append", probe.Errno(err))
	b, err = os.ReadFile(at("log.txt"))
	r.Say("read back", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	err = change("gone.txt", os.O_WRONLY|os.O_TRUNC, func(*os.File) error { return nil })
	fi, serr := os.Stat(at("gone.txt"))
	r.Say("O_TRUNC", probe.Errno(err), " ", fi != nil && fi.Size() == 0, " ", probe.Errno(serr))
	big := make([]byte, 2<<20+3)
	for i := range big {
		big[i] = byte(i*7 + i>>13)
	}
	err = change("big.bin", os.O_WRONLY, func(f *os.File) error {
		_, err := f.Write(big)
		return err
	})
	r.Say("write 2 MiB", probe.Errno(err))
	b, err = os.ReadFile(at("big.bin"))
	r.Say("read back", bytes.Equal(b, big), " ", probe.Errno(err))
	err = change("cut.txt", os.O_WRONLY, func(f *os.File) error { return f.Truncate(4) })
	r.Say("truncate", probe.Errno(err))
	b, err = os.ReadFile(at("cut.txt"))
	r.Say("read back", fmt.Sprintf("%q %s", b, probe.Errno(err)))
	r.Say("chmod", probe.Errno(os.Chmod(at("f.txt"), 0o600)))
	mtime := time.Unix(1_500_000_000, 123456789)
	r.Say("chtimes", probe.Errno(os.Chtimes(at("f.txt"), mtime, mtime)))
	// syncfs on the directory makes the attribute changes durable.
	d, err := os.Open(dir)
	if err == nil {
		err = unix.Syncfs(int(d.Fd()))
		d.Close()
	}
	r.Say("syncfs", probe.Errno(err))
	fi, serr = os.Stat(at("f.txt"))
	if serr == nil {
		r.Say("stat", fi.Mode(), " ", fi.Size(), " ", fi.ModTime().UTC().Format(time.RFC3339Nano))
	}
	r.Say("truncate a directory", probe.Errno(os.Truncate(dir, 0)))
	r.Printf("done")
}
