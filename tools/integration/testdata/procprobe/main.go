// Command procprobe reads the files of /proc, /sys and /dev that
// programs and monitoring libraries read about themselves and checks
// their structure against what the program knows (os.Args,
// os.Environ, its descriptors, its addresses). Lines with the prefix
// "procprobe:" hold only what is the same on any Linux, so that the
// guest's output can be compared with a native run; "procinfo:" lines
// show values that differ between machines.
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// pr prints the lines, each behind the prefix "procprobe:".
var pr = probe.P("procprobe")

func main() {
	self()
	memory()
	descriptors()
	system()
	pr.Printf("done")
}

func read(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		pr.Printf("%s: %v", path, err)
	}
	return string(b)
}

// self checks what the process started with.
func self() {
	link, err := os.Readlink("/proc/self")
	pr.Printf("/proc/self is the pid: %v, err %v", link == strconv.Itoa(os.Getpid()), err)
	cmdline := read("/proc/self/cmdline")
	pr.Printf("cmdline is os.Args NUL-terminated: %v", cmdline == strings.Join(os.Args, "\x00")+"\x00")
	environ := read("/proc/self/environ")
	env := os.Environ()
	want := ""
	if len(env) > 0 {
		want = strings.Join(env, "\x00") + "\x00"
	}
	pr.Printf("environ is os.Environ NUL-terminated: %v (any: %v)", environ == want, len(env) > 0)
	fmt.Printf("procinfo: cmdline %q\n", cmdline)

	auxv := []byte(read("/proc/self/auxv"))
	pairs := map[uint64]uint64{}
	ended := false
	for i := 0; i+16 <= len(auxv); i += 16 {
		k, v := binary.LittleEndian.Uint64(auxv[i:]), binary.LittleEndian.Uint64(auxv[i+8:])
		if k == 0 {
			ended = i+16 == len(auxv)
			break
		}
		pairs[k] = v
	}
	const atPagesz, atRandom, atExecfn, atSysinfoEHDR = 6, 25, 31, 33
	pr.Printf("auxv: whole pairs %v, ends with AT_NULL %v, AT_PAGESZ is the page size %v, AT_RANDOM %v, AT_SYSINFO_EHDR %v",
		len(auxv)%16 == 0, ended, pairs[atPagesz] == uint64(os.Getpagesize()), pairs[atRandom] != 0, pairs[atSysinfoEHDR] != 0)
	pr.Printf("auxv: AT_EXECFN %v", pairs[atExecfn] != 0)

	comm := strings.TrimSuffix(read("/proc/self/comm"), "\n")
	wantComm := filepath.Base(os.Args[0])
	if len(wantComm) > 15 {
		wantComm = wantComm[:15]
	}
	pr.Printf("comm is the program's name: %v", comm == wantComm)
	fi, err := os.Lstat("/proc/self/exe")
	exe, _ := os.Executable()
	pr.Printf("/proc/self/exe: a link %v to os.Executable %v, err %v", err == nil && fi.Mode()&os.ModeSymlink != 0,
		readlink("/proc/self/exe") == exe, err)

	for _, f := range []string{"/proc/self/status", "/proc/self/maps", "/proc/self/cmdline", "/proc/uptime"} {
		fi, err := os.Stat(f)
		pr.Printf("stat %s: regular %v, size %d, err %v", f, err == nil && fi.Mode().IsRegular(), size(fi), err)
	}
	fi, err = os.Stat("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")
	pr.Printf("stat hpage_pmd_size: size %d, err %v", size(fi), err)
}

func size(fi os.FileInfo) int64 {
	if fi == nil {
		return -1
	}
	return fi.Size()
}

var mapsLine = regexp.MustCompile(`^([0-9a-f]{8,})-([0-9a-f]{8,}) ([r-][w-][x-][ps]) ([0-9a-f]{8,}) ([0-9a-f]{2,}):([0-9a-f]{2,}) (\d+) (.*)$`)

type mapping struct {
	start, end uint64
	perms      string
	name       string
}

var global [4096]byte

// heap is allocated before maps is read, so that its pages are mapped
// by then.
var heap []byte

// memory checks maps against the program's own addresses, and stat and
// status against each other.
func memory() {
	heap = make([]byte, 1<<20)
	var maps []mapping
	wellFormed, sorted := true, true
	for _, l := range strings.Split(strings.TrimSuffix(read("/proc/self/maps"), "\n"), "\n") {
		m := mapsLine.FindStringSubmatch(l)
		if m == nil {
			wellFormed = false
			fmt.Printf("procinfo: bad maps line %q\n", l)
			continue
		}
		start, _ := strconv.ParseUint(m[1], 16, 64)
		end, _ := strconv.ParseUint(m[2], 16, 64)
		name := strings.TrimLeft(m[8], " ")
		if name != "" && strings.Index(l, name) != 73 {
			wellFormed = false
			fmt.Printf("procinfo: name not at column 73: %q\n", l)
		}
		if start >= end || len(maps) > 0 && start < maps[len(maps)-1].end {
			sorted = false
		}
		maps = append(maps, mapping{start, end, m[3], name})
	}
	pr.Printf("maps: well formed %v, sorted and disjoint %v", wellFormed, sorted)
	find := func(addr uintptr) mapping {
		for _, m := range maps {
			if uint64(addr) >= m.start && uint64(addr) < m.end {
				return m
			}
		}
		return mapping{perms: "none"}
	}
	has := func(name string) bool {
		return slices.ContainsFunc(maps, func(m mapping) bool { return m.name == name })
	}
	exe, _ := os.Executable()
	code := find(reflect.ValueOf(main).Pointer())
	pr.Printf("maps: code is in %s named by the executable: %v", code.perms, code.name == exe)
	data := find(uintptr(unsafe.Pointer(&global)))
	pr.Printf("maps: a global is in %s", data.perms)
	h := find(uintptr(unsafe.Pointer(&heap[0])))
	pr.Printf("maps: the heap is in %s, anonymous %v", h.perms, h.name == "")
	pr.Printf("maps: [stack] %v, [vdso] %v", has("[stack]"), has("[vdso]"))
	var sp uintptr
	for _, m := range maps {
		if m.name == "[stack]" {
			sp = uintptr(m.end - 1)
		}
	}
	pr.Printf("maps: argv[0] is on [stack]: %v", sp != 0 && find(uintptr(unsafe.Pointer(unsafe.StringData(os.Args[0])))).name == "[stack]")

	stat := strings.TrimSuffix(read("/proc/self/stat"), "\n")
	open, close := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	fields := []string{}
	if open > 0 && close > open {
		fields = append([]string{stat[:open-1], stat[open+1 : close]}, strings.Fields(stat[close+1:])...)
	}
	if len(fields) < 52 {
		pr.Printf("stat: %d fields: %q", len(fields), stat)
		return
	}
	num := func(i int) uint64 { v, _ := strconv.ParseUint(fields[i-1], 10, 64); return v }
	// The state is the main thread's: running, or asleep while another
	// thread reads the file (natively, with the host busy), either way.
	pr.Printf("stat: %d fields, pid %v, comm %v, state R or S %v, vsize>0 %v, 0<rss<=vsize %v, rsslim %s",
		len(fields), fields[0] == strconv.Itoa(os.Getpid()), fields[1] == strings.TrimSuffix(read("/proc/self/comm"), "\n"), fields[2] == "R" || fields[2] == "S",
		num(23) > 0, num(24) > 0 && num(24)*4096 <= num(23), fields[24])
	pr.Printf("stat: code %v, arg_start..arg_end holds os.Args[1:] %v", num(26) <= uint64(reflect.ValueOf(main).Pointer()) && uint64(reflect.ValueOf(main).Pointer()) < num(27),
		argsWithin(num(48), num(49)))
	status := map[string]string{}
	var keys []string
	sc := bufio.NewScanner(strings.NewReader(read("/proc/self/status")))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":\t")
		if !ok {
			pr.Printf("status: bad line %q", sc.Text())
			continue
		}
		status[k] = v
		keys = append(keys, k)
	}
	kb := func(k string) uint64 {
		v, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(status[k], " kB")), 10, 64)
		return v
	}
	pr.Printf("status: starts with Name %v, Name is comm %v, State R or S %v, Pid %v, Tgid %v, Threads as in stat %v",
		len(keys) > 0 && keys[0] == "Name", status["Name"] == fields[1], strings.HasPrefix(status["State"], "R ") || strings.HasPrefix(status["State"], "S "), status["Pid"] == strconv.Itoa(os.Getpid()),
		status["Tgid"] == status["Pid"], status["Threads"] == fields[19])
	pr.Printf("status: 0<VmRSS<=VmSize %v, VmSize is stat's vsize %v, RssAnon+RssFile+RssShmem=VmRSS %v, SigCgt set %v",
		kb("VmRSS") > 0 && kb("VmRSS") <= kb("VmSize"), kb("VmSize") == num(23)/1024,
		kb("RssAnon")+kb("RssFile")+kb("RssShmem") == kb("VmRSS"), strings.Trim(status["SigCgt"], "0") != "")
	old := syscall.Umask(0o27)
	syscall.Umask(old)
	um := ""
	sc = bufio.NewScanner(strings.NewReader(read("/proc/self/status")))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:\t"); ok {
			um = v
		}
	}
	pr.Printf("status: Umask is the umask: %v", um == fmt.Sprintf("%04o", old))
}

// argsWithin reports whether the arguments' strings lie in [start, end).
func argsWithin(start, end uint64) bool {
	for _, a := range os.Args {
		if a == "" {
			continue
		}
		p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(a))))
		if p < start || p+uint64(len(a)) > end {
			return false
		}
	}
	return true
}

// fds lists /proc/self/fd: number to link text.
func fds() map[int]string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		pr.Printf("/proc/self/fd: %v", err)
	}
	m := map[int]string{}
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil || e.Type() != os.ModeSymlink {
			pr.Printf("/proc/self/fd: odd entry %q %v", e.Name(), e.Type())
			continue
		}
		m[n], _ = os.Readlink("/proc/self/fd/" + e.Name())
	}
	return m
}

// openFDs are the descriptors fcntl finds open.
func openFDs() []int {
	var open []int
	for fd := range 256 {
		if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0); e == 0 {
			open = append(open, fd)
		}
	}
	return open
}

// sameAsOpen reports whether a listing of /proc/self/fd holds exactly the
// open descriptors and the listing's own.
func sameAsOpen() bool {
	open := openFDs()
	list := fds()
	extra := 0
	for fd := range list {
		if !slices.Contains(open, fd) {
			extra++
		}
	}
	return extra == 1 && len(list) == len(open)+1
}

func descriptors() {
	pr.Printf("fd: listing is the open descriptors: %v", sameAsOpen())
	f, err := os.CreateTemp("", "procprobe")
	if err != nil {
		pr.Printf("CreateTemp: %v", err)
		return
	}
	f.WriteString("contents")
	r, w, _ := os.Pipe()
	null, _ := os.Open(os.DevNull)
	dir, _ := os.Open(os.TempDir())
	list := fds()
	pr.Printf("fd: after opening: listing is the open descriptors: %v", sameAsOpen())
	pr.Printf("fd: file's link is its path %v, /dev/null's %v, the directory's %v",
		list[int(f.Fd())] == f.Name(), list[int(null.Fd())] == os.DevNull, list[int(dir.Fd())] == os.TempDir())
	var st syscall.Stat_t
	syscall.Fstat(int(r.Fd()), &st)
	pipe := fmt.Sprintf("pipe:[%d]", st.Ino)
	pr.Printf("fd: pipe ends link to pipe:[fstat's inode]: %v %v", list[int(r.Fd())] == pipe, list[int(w.Fd())] == pipe)
	anon := map[string]bool{}
	for _, l := range list {
		if strings.HasPrefix(l, "anon_inode:") {
			anon[l] = true
		}
	}
	pr.Printf("fd: the netpoller's anon_inode:[eventpoll] %v", anon["anon_inode:[eventpoll]"])
	fi, err := os.Lstat(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	pr.Printf("fd: lstat of an entry: symlink %v, err %v", err == nil && fi.Mode()&os.ModeSymlink != 0, err)

	// Opening an entry opens the file itself, even renamed or removed.
	path := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	b, err := os.ReadFile(path)
	pr.Printf("fd: read through the entry: %q, err %v", b, err)
	os.Rename(f.Name(), f.Name()+".moved")
	b, err = os.ReadFile(path)
	pr.Printf("fd: renamed: %q, err %v; link follows %v", b, err, readlink(path) == f.Name()+".moved")
	os.Remove(f.Name() + ".moved")
	b, err = os.ReadFile(path)
	pr.Printf("fd: removed: %q, err %v", b, err)
	fi, err = os.Stat(fmt.Sprintf("/proc/self/fd/%d/", dir.Fd()))
	pr.Printf("fd: a directory's entry is the directory: %v, err %v", err == nil && fi.IsDir(), err)

	for _, c := range []*os.File{f, r, w, null, dir} {
		c.Close()
	}
	list = fds()
	_, stale := list[int(f.Fd())]
	pr.Printf("fd: after closing: listing is the open descriptors: %v", sameAsOpen())
	_, err = os.Readlink(path)
	pr.Printf("fd: a closed descriptor's entry is gone: %v", errors.Is(err, fs.ErrNotExist))
	_ = stale

	for _, l := range []string{"/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"} {
		pr.Printf("%s -> %s", l, readlink(l))
	}
	out, err := os.OpenFile("/dev/stdout", os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		fmt.Fprintf(out, "procprobe: written through /dev/stdout\n")
		out.Close()
	} else {
		pr.Printf("open /dev/stdout: %v", err)
	}
	for fd := range 3 {
		fmt.Printf("procinfo: fd %d -> %s\n", fd, readlink(fmt.Sprintf("/proc/self/fd/%d", fd)))
	}
}

func readlink(p string) string {
	s, err := os.Readlink(p)
	if err != nil {
		return err.Error()
	}
	return s
}

// system checks the files that describe the machine.
func system() {
	var u syscall.Utsname
	syscall.Uname(&u)
	str := func(b [65]int8) string {
		var s []byte
		for _, c := range b {
			if c == 0 {
				break
			}
			s = append(s, byte(c))
		}
		return string(s)
	}
	host, _ := os.Hostname()
	pr.Printf("hostname is os.Hostname %v, uname's nodename %v",
		read("/proc/sys/kernel/hostname") == host+"\n", read("/proc/sys/kernel/hostname") == str(u.Nodename)+"\n")
	pr.Printf("osrelease is uname's release %v", read("/proc/sys/kernel/osrelease") == str(u.Release)+"\n")
	version := read("/proc/version")
	pr.Printf("/proc/version starts with Linux version and the release: %v", strings.HasPrefix(version, "Linux version "+str(u.Release)+" ("))
	fmt.Printf("procinfo: %s", version)
	var up, idle float64
	n, err := fmt.Sscanf(read("/proc/uptime"), "%f %f\n", &up, &idle)
	pr.Printf("uptime: %d numbers, err %v, uptime>0 %v, idle>=0 %v", n, err, up > 0, idle >= 0)
	fmt.Printf("procinfo: uptime %.2f idle %.2f\n", up, idle)
	pr.Printf("hpage_pmd_size %q", read("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"))
	online := read("/sys/devices/system/cpu/online")
	pr.Printf("cpu/online is a CPU list: %v", regexp.MustCompile(`^\d+(-\d+)?(,\d+(-\d+)?)*\n$`).MatchString(online))
	fmt.Printf("procinfo: cpu/online %q, NumCPU %d\n", online, runtime.NumCPU())

	root := false
	for _, l := range strings.Split(read("/proc/self/mountinfo"), "\n") {
		f := strings.Fields(l)
		if len(f) >= 10 && slices.Contains(f, "-") && f[4] == "/" {
			root = true
		}
	}
	pr.Printf("mountinfo has the root mount: %v", root)
	root = false
	for _, l := range strings.Split(read("/proc/mounts"), "\n") {
		f := strings.Fields(l)
		if len(f) == 6 && f[1] == "/" && f[4] == "0" && f[5] == "0" {
			root = true
		}
	}
	pr.Printf("/proc/mounts has the root: %v", root)
	cg := read("/proc/self/cgroup")
	pr.Printf("cgroup lines are ID:controllers:path: %v", regexp.MustCompile(`^(\d+:[^:\n]*:/[^\n]*\n)+$`).MatchString(cg))
	fmt.Printf("procinfo: cgroup %q\n", cg)
}
