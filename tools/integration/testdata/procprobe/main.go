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
)

func main() {
	self()
	memory()
	descriptors()
	system()
	fmt.Println("procprobe: done")
}

func read(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Printf("procprobe: %s: %v\n", path, err)
	}
	return string(b)
}

// self checks what the process started with.
func self() {
	link, err := os.Readlink("/proc/self")
	fmt.Printf("procprobe: /proc/self is the pid: %v, err %v\n", link == strconv.Itoa(os.Getpid()), err)
	cmdline := read("/proc/self/cmdline")
	fmt.Printf("procprobe: cmdline is os.Args NUL-terminated: %v\n", cmdline == strings.Join(os.Args, "\x00")+"\x00")
	environ := read("/proc/self/environ")
	env := os.Environ()
	want := ""
	if len(env) > 0 {
		want = strings.Join(env, "\x00") + "\x00"
	}
	fmt.Printf("procprobe: environ is os.Environ NUL-terminated: %v (any: %v)\n", environ == want, len(env) > 0)
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
	fmt.Printf("procprobe: auxv: whole pairs %v, ends with AT_NULL %v, AT_PAGESZ is the page size %v, AT_RANDOM %v, AT_SYSINFO_EHDR %v\n",
		len(auxv)%16 == 0, ended, pairs[atPagesz] == uint64(os.Getpagesize()), pairs[atRandom] != 0, pairs[atSysinfoEHDR] != 0)
	fmt.Printf("procprobe: auxv: AT_EXECFN %v\n", pairs[atExecfn] != 0)

	comm := strings.TrimSuffix(read("/proc/self/comm"), "\n")
	wantComm := filepath.Base(os.Args[0])
	if len(wantComm) > 15 {
		wantComm = wantComm[:15]
	}
	fmt.Printf("procprobe: comm is the program's name: %v\n", comm == wantComm)
	fi, err := os.Lstat("/proc/self/exe")
	exe, _ := os.Executable()
	fmt.Printf("procprobe: /proc/self/exe: a link %v to os.Executable %v, err %v\n", err == nil && fi.Mode()&os.ModeSymlink != 0,
		readlink("/proc/self/exe") == exe, err)

	for _, f := range []string{"/proc/self/status", "/proc/self/maps", "/proc/self/cmdline", "/proc/uptime"} {
		fi, err := os.Stat(f)
		fmt.Printf("procprobe: stat %s: regular %v, size %d, err %v\n", f, err == nil && fi.Mode().IsRegular(), size(fi), err)
	}
	fi, err = os.Stat("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")
	fmt.Printf("procprobe: stat hpage_pmd_size: size %d, err %v\n", size(fi), err)
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
	fmt.Printf("procprobe: maps: well formed %v, sorted and disjoint %v\n", wellFormed, sorted)
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
	fmt.Printf("procprobe: maps: code is in %s named by the executable: %v\n", code.perms, code.name == exe)
	data := find(uintptr(unsafe.Pointer(&global)))
	fmt.Printf("procprobe: maps: a global is in %s\n", data.perms)
	h := find(uintptr(unsafe.Pointer(&heap[0])))
	fmt.Printf("procprobe: maps: the heap is in %s, anonymous %v\n", h.perms, h.name == "")
	fmt.Printf("procprobe: maps: [stack] %v, [vdso] %v\n", has("[stack]"), has("[vdso]"))
	var sp uintptr
	for _, m := range maps {
		if m.name == "[stack]" {
			sp = uintptr(m.end - 1)
		}
	}
	fmt.Printf("procprobe: maps: argv[0] is on [stack]: %v\n", sp != 0 && find(uintptr(unsafe.Pointer(unsafe.StringData(os.Args[0])))).name == "[stack]")

	stat := strings.TrimSuffix(read("/proc/self/stat"), "\n")
	open, close := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	fields := []string{}
	if open > 0 && close > open {
		fields = append([]string{stat[:open-1], stat[open+1 : close]}, strings.Fields(stat[close+1:])...)
	}
	if len(fields) < 52 {
		fmt.Printf("procprobe: stat: %d fields: %q\n", len(fields), stat)
		return
	}
	num := func(i int) uint64 { v, _ := strconv.ParseUint(fields[i-1], 10, 64); return v }
	fmt.Printf("procprobe: stat: %d fields, pid %v, comm %v, state %s, vsize>0 %v, 0<rss<=vsize %v, rsslim %s\n",
		len(fields), fields[0] == strconv.Itoa(os.Getpid()), fields[1] == strings.TrimSuffix(read("/proc/self/comm"), "\n"), fields[2],
		num(23) > 0, num(24) > 0 && num(24)*4096 <= num(23), fields[24])
	fmt.Printf("procprobe: stat: code %v, arg_start..arg_end holds os.Args[1:] %v\n", num(26) <= uint64(reflect.ValueOf(main).Pointer()) && uint64(reflect.ValueOf(main).Pointer()) < num(27),
		argsWithin(num(48), num(49)))
	status := map[string]string{}
	var keys []string
	sc := bufio.NewScanner(strings.NewReader(read("/proc/self/status")))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":\t")
		if !ok {
			fmt.Printf("procprobe: status: bad line %q\n", sc.Text())
			continue
		}
		status[k] = v
		keys = append(keys, k)
	}
	kb := func(k string) uint64 {
		v, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(status[k], " kB")), 10, 64)
		return v
	}
	fmt.Printf("procprobe: status: starts with Name %v, Name is comm %v, State %q, Pid %v, Tgid %v, Threads as in stat %v\n",
		len(keys) > 0 && keys[0] == "Name", status["Name"] == fields[1], status["State"], status["Pid"] == strconv.Itoa(os.Getpid()),
		status["Tgid"] == status["Pid"], status["Threads"] == fields[19])
	fmt.Printf("procprobe: status: 0<VmRSS<=VmSize %v, VmSize is stat's vsize %v, RssAnon+RssFile+RssShmem=VmRSS %v, SigCgt set %v\n",
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
	fmt.Printf("procprobe: status: Umask is the umask: %v\n", um == fmt.Sprintf("%04o", old))
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
		fmt.Printf("procprobe: /proc/self/fd: %v\n", err)
	}
	m := map[int]string{}
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil || e.Type() != os.ModeSymlink {
			fmt.Printf("procprobe: /proc/self/fd: odd entry %q %v\n", e.Name(), e.Type())
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
	fmt.Printf("procprobe: fd: listing is the open descriptors: %v\n", sameAsOpen())
	f, err := os.CreateTemp("", "procprobe")
	if err != nil {
		fmt.Printf("procprobe: CreateTemp: %v\n", err)
		return
	}
	f.WriteString("contents")
	r, w, _ := os.Pipe()
	null, _ := os.Open(os.DevNull)
	dir, _ := os.Open(os.TempDir())
	list := fds()
	fmt.Printf("procprobe: fd: after opening: listing is the open descriptors: %v\n", sameAsOpen())
	fmt.Printf("procprobe: fd: file's link is its path %v, /dev/null's %v, the directory's %v\n",
		list[int(f.Fd())] == f.Name(), list[int(null.Fd())] == os.DevNull, list[int(dir.Fd())] == os.TempDir())
	var st syscall.Stat_t
	syscall.Fstat(int(r.Fd()), &st)
	pipe := fmt.Sprintf("pipe:[%d]", st.Ino)
	fmt.Printf("procprobe: fd: pipe ends link to pipe:[fstat's inode]: %v %v\n", list[int(r.Fd())] == pipe, list[int(w.Fd())] == pipe)
	anon := map[string]bool{}
	for _, l := range list {
		if strings.HasPrefix(l, "anon_inode:") {
			anon[l] = true
		}
	}
	fmt.Printf("procprobe: fd: the netpoller's anon_inode:[eventpoll] %v\n", anon["anon_inode:[eventpoll]"])
	fi, err := os.Lstat(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	fmt.Printf("procprobe: fd: lstat of an entry: symlink %v, err %v\n", err == nil && fi.Mode()&os.ModeSymlink != 0, err)

	// Opening an entry opens the file itself, even renamed or removed.
	path := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	b, err := os.ReadFile(path)
	fmt.Printf("procprobe: fd: read through the entry: %q, err %v\n", b, err)
	os.Rename(f.Name(), f.Name()+".moved")
	b, err = os.ReadFile(path)
	fmt.Printf("procprobe: fd: renamed: %q, err %v; link follows %v\n", b, err, readlink(path) == f.Name()+".moved")
	os.Remove(f.Name() + ".moved")
	b, err = os.ReadFile(path)
	fmt.Printf("procprobe: fd: removed: %q, err %v\n", b, err)
	fi, err = os.Stat(fmt.Sprintf("/proc/self/fd/%d/", dir.Fd()))
	fmt.Printf("procprobe: fd: a directory's entry is the directory: %v, err %v\n", err == nil && fi.IsDir(), err)

	for _, c := range []*os.File{f, r, w, null, dir} {
		c.Close()
	}
	list = fds()
	_, stale := list[int(f.Fd())]
	fmt.Printf("procprobe: fd: after closing: listing is the open descriptors: %v\n", sameAsOpen())
	_, err = os.Readlink(path)
	fmt.Printf("procprobe: fd: a closed descriptor's entry is gone: %v\n", errors.Is(err, fs.ErrNotExist))
	_ = stale

	for _, l := range []string{"/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"} {
		fmt.Printf("procprobe: %s -> %s\n", l, readlink(l))
	}
	out, err := os.OpenFile("/dev/stdout", os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		fmt.Fprintf(out, "procprobe: written through /dev/stdout\n")
		out.Close()
	} else {
		fmt.Printf("procprobe: open /dev/stdout: %v\n", err)
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
	fmt.Printf("procprobe: hostname is os.Hostname %v, uname's nodename %v\n",
		read("/proc/sys/kernel/hostname") == host+"\n", read("/proc/sys/kernel/hostname") == str(u.Nodename)+"\n")
	fmt.Printf("procprobe: osrelease is uname's release %v\n", read("/proc/sys/kernel/osrelease") == str(u.Release)+"\n")
	version := read("/proc/version")
	fmt.Printf("procprobe: /proc/version starts with Linux version and the release: %v\n", strings.HasPrefix(version, "Linux version "+str(u.Release)+" ("))
	fmt.Printf("procinfo: %s", version)
	var up, idle float64
	n, err := fmt.Sscanf(read("/proc/uptime"), "%f %f\n", &up, &idle)
	fmt.Printf("procprobe: uptime: %d numbers, err %v, uptime>0 %v, idle>=0 %v\n", n, err, up > 0, idle >= 0)
	fmt.Printf("procinfo: uptime %.2f idle %.2f\n", up, idle)
	fmt.Printf("procprobe: hpage_pmd_size %q\n", read("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"))
	online := read("/sys/devices/system/cpu/online")
	fmt.Printf("procprobe: cpu/online is a CPU list: %v\n", regexp.MustCompile(`^\d+(-\d+)?(,\d+(-\d+)?)*\n$`).MatchString(online))
	fmt.Printf("procinfo: cpu/online %q, NumCPU %d\n", online, runtime.NumCPU())

	root := false
	for _, l := range strings.Split(read("/proc/self/mountinfo"), "\n") {
		f := strings.Fields(l)
		if len(f) >= 10 && slices.Contains(f, "-") && f[4] == "/" {
			root = true
		}
	}
	fmt.Printf("procprobe: mountinfo has the root mount: %v\n", root)
	root = false
	for _, l := range strings.Split(read("/proc/mounts"), "\n") {
		f := strings.Fields(l)
		if len(f) == 6 && f[1] == "/" && f[4] == "0" && f[5] == "0" {
			root = true
		}
	}
	fmt.Printf("procprobe: /proc/mounts has the root: %v\n", root)
	cg := read("/proc/self/cgroup")
	fmt.Printf("procprobe: cgroup lines are ID:controllers:path: %v\n", regexp.MustCompile(`^(\d+:[^:\n]*:/[^\n]*\n)+$`).MatchString(cg))
	fmt.Printf("procinfo: cgroup %q\n", cg)
}
