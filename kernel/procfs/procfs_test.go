package procfs

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

func text(n int) *Text { return &Text{B: make([]byte, n)} }

func hostFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no %s on this host: %v", path, err)
	}
	return string(b)
}

func TestTextBounded(t *testing.T) {
	w := text(5)
	w.Str("abc")
	w.Dec(12345)
	w.Byte('x')
	if got := string(w.Bytes()); got != "abc12" || w.Room() != 0 {
		t.Fatalf("got %q, room %d", got, w.Room())
	}
	w = text(64)
	w.Hex(0x1f, 4)
	w.Byte(' ')
	w.Oct(0o22, 4)
	w.Byte(' ')
	w.DecPad(7, 3)
	w.Byte(' ')
	w.Int(-42)
	if got := string(w.Bytes()); got != "001f 0022   7 -42" {
		t.Fatalf("got %q", got)
	}
}

// TestMapsLineMatchesHost parses the host's own maps and formats every
// line again: the bytes must be the same.
func TestMapsLineMatchesHost(t *testing.T) {
	maps := hostFile(t, "/proc/self/maps")
	w := text(4096)
	for _, line := range strings.Split(strings.TrimSuffix(maps, "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			t.Fatalf("bad host line %q", line)
		}
		var m Mapping
		se := strings.SplitN(f[0], "-", 2)
		m.Start, _ = strconv.ParseUint(se[0], 16, 64)
		m.End, _ = strconv.ParseUint(se[1], 16, 64)
		m.Read, m.Write, m.Exec, m.Shared = f[1][0] == 'r', f[1][1] == 'w', f[1][2] == 'x', f[1][3] == 's'
		m.Offset, _ = strconv.ParseUint(f[2], 16, 64)
		mm := strings.SplitN(f[3], ":", 2)
		maj, _ := strconv.ParseUint(mm[0], 16, 32)
		min, _ := strconv.ParseUint(mm[1], 16, 32)
		m.DevMajor, m.DevMinor = uint32(maj), uint32(min)
		m.Inode, _ = strconv.ParseUint(f[4], 10, 64)
		if len(f) > 5 {
			m.Name = []byte(strings.Join(f[5:], " "))
		}
		w.Reset()
		MapsLine(w, &m)
		if got := string(w.Bytes()); got != line+"\n" {
			t.Errorf("formatted\n%q\nhost has\n%q", got, line+"\n")
		}
	}
}

// TestStatLineMatchesHost formats the host's /proc/self/stat from its
// parsed fields: every field this package fills must come back as the
// host wrote it, and there must be 52.
func TestStatLineMatchesHost(t *testing.T) {
	line := strings.TrimSuffix(hostFile(t, "/proc/self/stat"), "\n")
	open, close := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	host := append([]string{line[:open-1], line[open : close+1]}, strings.Fields(line[close+2:])...)
	if len(host) != 52 {
		t.Skipf("host stat has %d fields", len(host))
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(host[i-1], 10, 64); return v }
	u := func(i int) uint64 { v, _ := strconv.ParseUint(host[i-1], 10, 64); return v }
	s := Stat{PID: n(1), Comm: []byte(host[1][1 : len(host[1])-1]), State: host[2][0],
		PPID: n(4), Pgrp: n(5), Session: n(6), TTY: n(7), TPGID: n(8), Flags: u(9), MinFlt: u(10), MajFlt: u(12),
		UTime: u(14), STime: u(15), Priority: n(18), Nice: n(19), Threads: n(20), StartTime: u(22),
		VSize: u(23), RSS: u(24), RSSLim: u(25), StartCode: u(26), EndCode: u(27), StartStack: u(28),
		Signal: u(31), Blocked: u(32), SigIgnore: u(33), SigCatch: u(34), ExitSignal: n(38), Processor: n(39),
		StartData: u(45), EndData: u(46), StartBrk: u(47), ArgStart: u(48), ArgEnd: u(49), EnvStart: u(50), EnvEnd: u(51), ExitCode: n(52)}
	w := text(1024)
	StatLine(w, &s)
	got := string(w.Bytes())
	if !strings.HasSuffix(got, "\n") {
		t.Fatalf("no newline: %q", got)
	}
	gotF := append([]string{strconv.FormatInt(s.PID, 10), "(" + string(s.Comm) + ")"}, strings.Fields(got[strings.LastIndexByte(got, ')')+2:])...)
	if len(gotF) != 52 {
		t.Fatalf("%d fields: %q", len(gotF), got)
	}
	zero := map[int]bool{11: true, 13: true, 16: true, 17: true, 21: true, 29: true, 30: true, 35: true, 36: true, 37: true, 40: true, 41: true, 42: true, 43: true, 44: true}
	for i := range gotF {
		if zero[i+1] {
			if gotF[i] != "0" {
				t.Errorf("field %d = %s, want 0", i+1, gotF[i])
			}
			continue
		}
		if gotF[i] != host[i] {
			t.Errorf("field %d = %s, host %s", i+1, gotF[i], host[i])
		}
	}
}

// TestStatusKeysInHostOrder checks that every line StatusText writes
// has a key the host's status has, in the host's order, and that the
// memory lines have Linux's layout.
func TestStatusKeysInHostOrder(t *testing.T) {
	hostStatus := hostFile(t, "/proc/self/status")
	order := map[string]int{}
	hostLine := map[string]string{}
	for i, l := range strings.Split(hostStatus, "\n") {
		if k, _, ok := strings.Cut(l, ":"); ok {
			order[k], hostLine[k] = i, l
		}
	}
	w := text(4096)
	StatusText(w, &Status{Name: []byte("probe"), Umask: 0o22, State: 'R', PID: 1, FDSize: 1024, VmSize: 3060,
		VmRSS: 1616, Threads: 3, SigBlk: 1 << 13, SigCgt: 0xfffffffe7ffbfeff, CapPrm: 1<<41 - 1, CPUs: 2})
	last := -1
	for _, l := range strings.Split(strings.TrimSuffix(string(w.Bytes()), "\n"), "\n") {
		k, v, ok := strings.Cut(l, ":\t")
		if !ok {
			t.Fatalf("line %q has no \":\\t\"", l)
		}
		i, ok := order[k]
		if !ok {
			t.Errorf("key %q: the host has none", k)
			continue
		}
		if i < last {
			t.Errorf("key %q out of the host's order", k)
		}
		last = i
		if strings.HasPrefix(k, "Vm") || strings.HasPrefix(k, "Rss") {
			if len(v) != 11 || !strings.HasSuffix(v, " kB") || len(hostLine[k]) != len(k)+2+11 {
				t.Errorf("%q: not \"%%8lu kB\" (host %q)", l, hostLine[k])
			}
		}
	}
	for _, want := range []string{"Name:\tprobe\n", "Umask:\t0022\n", "State:\tR (running)\n", "VmSize:\t    3060 kB\n",
		"SigBlk:\t0000000000002000\n", "CapEff:\t000001ffffffffff\n", "Cpus_allowed:\t3\n", "Cpus_allowed_list:\t0-1\n", "Groups:\t \n"} {
		if !bytes.Contains(w.Bytes(), []byte(want)) {
			t.Errorf("no %q in\n%s", want, w.Bytes())
		}
	}
}

// TestMountLinesMatchHost formats the host's mountinfo and mounts lines
// that have no optional fields and no escaped characters again.
func TestMountLinesMatchHost(t *testing.T) {
	info := hostFile(t, "/proc/self/mountinfo")
	mounts := hostFile(t, "/proc/self/mounts")
	w := text(4096)
	sc := bufio.NewScanner(strings.NewReader(info))
	tested := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 10 || f[6] != "-" || strings.Contains(sc.Text(), `\`) {
			continue
		}
		var m Mount
		m.ID, _ = strconv.ParseInt(f[0], 10, 64)
		m.Parent, _ = strconv.ParseInt(f[1], 10, 64)
		mm := strings.SplitN(f[2], ":", 2)
		maj, _ := strconv.ParseUint(mm[0], 10, 32)
		min, _ := strconv.ParseUint(mm[1], 10, 32)
		m.DevMajor, m.DevMinor = uint32(maj), uint32(min)
		m.Root, m.Point, m.Options, m.FSType, m.Source, m.SuperOptions = f[3], f[4], f[5], f[7], f[8], f[9]
		w.Reset()
		MountinfoLine(w, &m)
		if got := string(w.Bytes()); got != sc.Text()+"\n" {
			t.Errorf("mountinfo: formatted %q, host %q", got, sc.Text())
		}
		if m.Root != "/" {
			continue
		}
		w.Reset()
		MountsLine(w, &m)
		// The per-mount and superblock options merge in mounts; a
		// line with the same source, point and type is enough.
		prefix := m.Source + " " + m.Point + " " + m.FSType + " "
		if !strings.Contains(mounts, prefix) || !strings.HasPrefix(string(w.Bytes()), prefix) || !strings.HasSuffix(string(w.Bytes()), " 0 0\n") {
			t.Errorf("mounts: formatted %q; host has no line starting %q", w.Bytes(), prefix)
		}
		tested++
	}
	if tested == 0 {
		t.Skip("no plain mountinfo lines on this host")
	}
}

func TestMountsLineMergesOptions(t *testing.T) {
	w := text(256)
	MountsLine(w, &Mount{Source: "share0", Point: "/mnt/x", FSType: "9p", Options: "ro", SuperOptions: "ro,trans=virtio"})
	MountsLine(w, &Mount{Source: "tmpfs", Point: "/", FSType: "tmpfs", Options: "rw", SuperOptions: "rw"})
	if got := string(w.Bytes()); got != "share0 /mnt/x 9p ro,trans=virtio 0 0\ntmpfs / tmpfs rw 0 0\n" {
		t.Fatalf("got %q", got)
	}
}

func TestUptimeAndLists(t *testing.T) {
	w := text(128)
	Uptime(w, 9285_707_000_000, 10504_160_000_000)
	CPUList(w, 1)
	w.Byte(' ')
	CPUList(w, 4)
	w.Byte(' ')
	InodeLink(w, "pipe", 12)
	w.Byte(' ')
	AnonLink(w, "eventpoll")
	if got := string(w.Bytes()); got != "9285.70 10504.16\n0 0-3 pipe:[12] anon_inode:[eventpoll]" {
		t.Fatalf("got %q", got)
	}
	for in, want := range map[string]string{"/init": "init", "prog": "prog", "/a/very-long-program-name": "very-long-progr", "/x/": ""} {
		if got := string(Comm([]byte(in))); got != want {
			t.Errorf("Comm(%q) = %q, want %q", in, got, want)
		}
	}
}
