// Vfsprobe checks file-system behaviour Go's own os tests rely on and
// prints what it saw, one line per check: the integration test runs it
// natively on the host and in the guest and compares the two. Its
// arguments are a directory to work in (made empty first) and the parts
// to run:
//
//   - links: open(O_CREAT) through symbolic links, dangling ones
//     included (the target is made unless O_EXCL or O_NOFOLLOW);
//   - resolve: openat2(O_CREAT) through dangling links within its
//     resolve flags;
//   - fifo: mkfifo and mknod, FIFOs' types and modes, opens that wait
//     for the other side or answer ENXIO, data, EOF, O_RDWR;
//   - skeleton: /etc/passwd, /etc/group, /root and /usr/bin as a Linux
//     root has them, and os/user over them;
//   - packaged: /etc/passwd and /usr/bin's names as they are (the
//     guest's test packs files that replace the kernel's).
package main

import (
	"errors"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

var pr = probe.P("vfsprobe")

func main() {
	if len(os.Args) < 3 {
		pr.Fail("usage: vfsprobe DIR PART...")
	}
	dir := os.Args[1]
	syscall.Umask(0o022)
	for _, part := range os.Args[2:] {
		sub := filepath.Join(dir, part)
		pr.Check(os.RemoveAll(sub))
		pr.Check(os.MkdirAll(sub, 0o755))
		switch part {
		case "links":
			links(sub)
		case "resolve":
			resolve(sub)
		case "fifo":
			fifo(sub)
		case "skeleton":
			skeleton()
		case "packaged":
			data, err := os.ReadFile("/etc/passwd")
			pr.Printf("/etc/passwd: %q %s", data, probe.Errno(err))
			names, err := os.ReadDir("/usr/bin")
			for _, n := range names {
				pr.Printf("/usr/bin has %s", n.Name())
			}
			pr.Check(err)
		default:
			pr.Fail("unknown part %q", part)
		}
	}
	pr.Printf("done")
}

// exists says whether name is there, and what it is.
func exists(name string) string {
	fi, err := os.Lstat(name)
	if err != nil {
		return probe.Errno(err)
	}
	return fi.Mode().String()
}

// links opens through symbolic links with O_CREAT.
func links(dir string) {
	p := func(n string) string { return filepath.Join(dir, n) }
	pr.Check(os.Mkdir(p("d"), 0o755))
	makeLinks(dir, map[string]string{
		"dang":     "made",
		"dangsub":  "d/made2",
		"chain":    "d/back",
		"d/back":   "../made3",
		"abs":      p("made4"),
		"nodir":    "missing/x",
		"slash":    "made5/",
		"excl":     "made6",
		"nofollow": "made7",
		"loop":     "loop",
		"toexist":  "d/exists",
	})
	pr.Check(os.WriteFile(p("d/exists"), []byte("old"), 0o644))
	for _, c := range []struct {
		link, made string
		flags      int
	}{
		{"dang", "made", 0},
		{"dangsub", "d/made2", 0},
		{"chain", "made3", 0},
		{"abs", "made4", 0},
		{"nodir", "missing", 0},
		{"slash", "made5", 0},
		{"excl", "made6", os.O_EXCL},
		{"nofollow", "made7", syscall.O_NOFOLLOW},
		{"loop", "loop", 0},
		{"toexist", "d/exists", os.O_TRUNC},
		{"dang", "made", 0}, // there now: opened
	} {
		f, err := os.OpenFile(p(c.link), os.O_CREATE|os.O_WRONLY|c.flags, 0o640)
		if err == nil {
			_, err = f.WriteString("x")
			f.Close()
		}
		data, _ := os.ReadFile(p(c.made))
		pr.Printf("create through %s (flags %#x): %s; %s is %s holding %q", c.link, c.flags, probe.Errno(err), c.made, exists(p(c.made)), data)
	}
}

// makeLinks makes symbolic links in dir, names to targets.
func makeLinks(dir string, links map[string]string) {
	for name, target := range links {
		pr.Check(os.Symlink(target, filepath.Join(dir, name)))
	}
}

// resolve opens through dangling links with openat2(O_CREAT): the rules
// of links within the resolve flags.
func resolve(dir string) {
	p := func(n string) string { return filepath.Join(dir, n) }
	makeLinks(dir, map[string]string{
		"beneath": "made8",
		"absin":   "/made9",
		"abs":     p("made4"),
		"nosym":   "made10",
	})
	dfd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	pr.Check(err)
	defer unix.Close(dfd)
	for _, c := range []struct {
		link, made string
		resolve    uint64
	}{
		{"beneath", "made8", unix.RESOLVE_BENEATH},
		{"absin", "made9", unix.RESOLVE_IN_ROOT},
		{"abs", "made4", unix.RESOLVE_BENEATH},
		{"abs", "made4", 0},
		{"nosym", "made10", unix.RESOLVE_NO_SYMLINKS},
	} {
		how := unix.OpenHow{Flags: unix.O_CREAT | unix.O_WRONLY | unix.O_CLOEXEC, Mode: 0o600, Resolve: c.resolve}
		fd, err := unix.Openat2(dfd, c.link, &how)
		if err == nil {
			unix.Close(fd)
		}
		pr.Printf("openat2 O_CREAT through %s (resolve %#x): %s; %s is %s", c.link, c.resolve, probe.Errno(err), c.made, exists(p(c.made)))
	}
}

// fifo makes FIFOs and files with mkfifo and mknod and uses them.
func fifo(dir string) {
	p := func(n string) string { return filepath.Join(dir, n) }
	name := p("fifo")
	pr.Say("mkfifo", probe.Errno(syscall.Mkfifo(name, 0o666)))
	pr.Say("mkfifo again", probe.Errno(syscall.Mkfifo(name, 0o666)))
	fi, err := os.Lstat(name)
	pr.Check(err)
	pr.Printf("stat: %v, named pipe %v, size %d", fi.Mode(), fi.Mode()&os.ModeNamedPipe != 0, fi.Size())
	ents, err := os.ReadDir(dir)
	pr.Check(err)
	for _, e := range ents {
		pr.Printf("readdir: %s %v", e.Name(), e.Type())
	}
	pr.Say("mknod S_IFIFO", probe.Errno(syscall.Mknod(p("fifo2"), syscall.S_IFIFO|0o600, 0)))
	pr.Say("mknod S_IFREG", probe.Errno(syscall.Mknod(p("file"), syscall.S_IFREG|0o644, 0)), " ", exists(p("file")))
	pr.Say("mknod type 0", probe.Errno(syscall.Mknod(p("file0"), 0o644, 0)), " ", exists(p("file0")))
	pr.Say("mknod S_IFDIR", probe.Errno(syscall.Mknod(p("dir"), syscall.S_IFDIR|0o755, 0)))
	pr.Say("mknod bad type", probe.Errno(syscall.Mknod(p("bad"), 0o170000|0o644, 0)))
	pr.Say("mknod over a name", probe.Errno(syscall.Mknod(p("file"), syscall.S_IFIFO|0o644, 0)))
	pr.Say("mknod missing dir", probe.Errno(syscall.Mknod(p("no/fifo"), syscall.S_IFIFO|0o644, 0)))

	// Non-blocking opens: writing with no reader is ENXIO, reading
	// opens at once.
	_, err = syscall.Open(name, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	pr.Say("O_WRONLY|O_NONBLOCK, no reader", probe.Errno(err))
	r, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	pr.Say("O_RDONLY|O_NONBLOCK, no writer", probe.Errno(err))
	buf := make([]byte, 64)
	n, err := syscall.Read(r, buf)
	pr.Printf("read with no writer: %d %s", n, probe.Errno(err))
	w, err := syscall.Open(name, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	pr.Say("O_WRONLY|O_NONBLOCK with a reader", probe.Errno(err))
	var st syscall.Stat_t
	pr.Check(syscall.Fstat(w, &st))
	var lst syscall.Stat_t
	pr.Check(syscall.Stat(name, &lst))
	pr.Printf("fstat: mode %o, same inode as the name %v", st.Mode, st.Ino == lst.Ino && st.Dev == lst.Dev)
	link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(w))
	pr.Printf("/proc/self/fd link: %s %q", probe.Errno(err), strings.TrimPrefix(link, dir))
	n, err = syscall.Write(w, []byte("through the fifo"))
	pr.Printf("write: %d %s", n, probe.Errno(err))
	n, err = syscall.Read(r, buf)
	pr.Printf("read: %q %s", buf[:max(n, 0)], probe.Errno(err))
	n, err = syscall.Read(r, buf)
	pr.Printf("read, empty, a writer open: %d %s", n, probe.Errno(err))
	syscall.Close(w)
	n, err = syscall.Read(r, buf)
	pr.Printf("read after the writer closed: %d %s", n, probe.Errno(err))
	syscall.Close(r)

	// Blocking opens wait for each other, through package os (the
	// netpoller), as os TestFifoEOF does.
	rc := make(chan *os.File, 1)
	go func() {
		f, err := os.Open(name)
		pr.Check(err)
		rc <- f
	}()
	time.Sleep(50 * time.Millisecond)
	wf, err := os.OpenFile(name, os.O_WRONLY, 0)
	pr.Check(err)
	rf := <-rc
	go func() {
		for i := range 3 {
			wf.WriteString("line " + strconv.Itoa(i) + "\n")
			time.Sleep(10 * time.Millisecond)
		}
		wf.Close()
	}()
	all, err := io.ReadAll(rf)
	pr.Printf("blocking opens, then read to EOF: %q %s", all, probe.Errno(err))
	rf.Close()

	// A writer that opens first waits for the reader.
	done := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString("writer first")
			f.Close()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	rf, err = os.Open(name)
	pr.Check(err)
	all, err = io.ReadAll(rf)
	pr.Printf("writer opened first: %q %s, writer %s", all, probe.Errno(err), probe.Errno(<-done))
	rf.Close()

	// O_RDWR never waits and is both ends.
	rw, err := os.OpenFile(name, os.O_RDWR, 0)
	pr.Say("O_RDWR", probe.Errno(err))
	rw.WriteString("to myself")
	n, err = rw.Read(buf)
	pr.Printf("O_RDWR read back: %q %s", buf[:max(n, 0)], probe.Errno(err))
	rw.Close()

	// What is left in a FIFO when every end closes is gone.
	rw, err = os.OpenFile(name, os.O_RDWR, 0)
	pr.Check(err)
	rw.WriteString("lost")
	rw.Close()
	r, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	pr.Check(err)
	n, err = syscall.Read(r, buf)
	pr.Printf("after every end closed, read: %d %s", n, probe.Errno(err))
	syscall.Close(r)
	pr.Say("remove", probe.Errno(os.Remove(name)))
}

// skeleton looks at the files every Linux root has, through os/user too.
func skeleton() {
	for _, name := range []string{"/etc/passwd", "/etc/group", "/root", "/usr/bin"} {
		fi, err := os.Stat(name)
		if err != nil {
			pr.Printf("%s: %s", name, probe.Errno(err))
			continue
		}
		pr.Printf("%s: %v %v", name, fi.Mode().Type(), fi.Mode().Perm())
	}
	ents, err := os.ReadDir("/etc")
	pr.Check(err)
	var names []string
	for _, e := range ents {
		if e.Name() == "passwd" || e.Name() == "group" {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	pr.Printf("/etc lists %v", names)
	u, err := user.Lookup("root")
	if err != nil {
		pr.Printf("user.Lookup(root): %v", err)
	} else {
		pr.Printf("user.Lookup(root): uid %s gid %s name %q home %s", u.Uid, u.Gid, u.Name, u.HomeDir)
	}
	u, err = user.LookupId("0")
	pr.Printf("user.LookupId(0): %v %v", err == nil && u.Username == "root", err)
	g, err := user.LookupGroupId("0")
	if err != nil {
		pr.Printf("user.LookupGroupId(0): %v", err)
	} else {
		pr.Printf("user.LookupGroupId(0): %s %s", g.Name, g.Gid)
	}
	g, err = user.LookupGroup("root")
	pr.Printf("user.LookupGroup(root): %v %v", err == nil && g.Gid == "0", err)
	cur, err := user.Current()
	ok := err == nil && cur.Uid == strconv.Itoa(os.Getuid()) && cur.Gid == strconv.Itoa(os.Getgid())
	pr.Printf("user.Current is the caller: %v", ok)
	if err == nil {
		fi, err := os.Stat(cur.HomeDir)
		pr.Printf("its home is a directory: %v", err == nil && fi.IsDir())
	}
	_, err = user.Lookup("nobody-such-user")
	pr.Printf("user.Lookup(missing): %v", errors.As(err, new(user.UnknownUserError)))
}
