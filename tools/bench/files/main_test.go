package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/qemu"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Count != 5 || o.benchtime != 200*time.Millisecond || o.seqMiB != 256 || o.MemoryMiB != 512 ||
		!o.tmpfs || !o.shares || o.shareSeqMiB != 64 || len(o.coracleEnv) != 0 {
		t.Errorf("defaults: %+v", o)
	}
	o, err = parseFlags([]string{"-coracle-env", "GOMAXPROCS=2", "-coracle-env", "A=b=c", "-tmpfs=false"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"GOMAXPROCS=2", "A=b=c"}; !slices.Equal(o.coracleEnv, want) || o.tmpfs {
		t.Errorf("-coracle-env twice, -tmpfs=false: %+v", o)
	}
	for _, args := range [][]string{
		{"-count", "0"},
		{"-benchtime", "0s"},
		{"-seq-mib", "0"},
		{"-share-seq-mib", "0"},
		{"-skip-coracle", "-skip-linux"},
		{"-tmpfs=false", "-shares=false"},
		{"-coracle-env", "GOMAXPROCS"},
		{"-coracle-env", "=2"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

func testSuites(t *testing.T, args ...string) (options, *suite, *suite) {
	t.Helper()
	o, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return o, &suite{name: tmpfsSuite, dir: "/tmp", seqMiB: o.seqMiB, ops: operations},
		&suite{name: shareSuite, dir: shareGuestDir, seqMiB: o.shareSeqMiB, ops: shareOperations}
}

// Linux's command line gives fileprobe its arguments after "--", with
// -mount (linuxguest.InitCmdline's own test covers the rest).
func TestLinuxCmdline(t *testing.T) {
	o, tmpfs, _ := testSuites(t)
	got := linuxguest.InitCmdline("console=ttyS0", 2596144, linuxProbeArgs(o, tmpfs, nil))
	want := "console=ttyS0 tsc_early_khz=2596144 -- -mount -dir /tmp -benchtime 200ms -seq-mib 256"
	if got != want {
		t.Errorf("Linux's command line = %q, want %q", got, want)
	}
}

// In the share suite Linux's fileprobe loads the modules, mounts the
// share with coracle's msize and cache=none, and times the file
// operations only; coracle's gets the same arguments but the mounting,
// and the kernel mounts the share.
func TestShareCmdlines(t *testing.T) {
	o, _, share := testSuites(t)
	only := "-only open-stat-close,pread-4k,pwrite-4k,create-unlink,readdir-1000,seq-write-1m,seq-read-1m"
	got := linuxguest.InitCmdline("quiet", 0, linuxProbeArgs(o, share, []string{"virtio_mmio", "9pnet", "9pnet_virtio", "9p"}))
	want := "quiet -- -mount -9p share0 -9p-opts trans=virtio,version=9p2000.L,msize=69632,cache=none -modules virtio_mmio,9pnet,9pnet_virtio,9p" +
		" -dir /share -benchtime 200ms -seq-mib 64 " + only
	if got != want {
		t.Errorf("Linux's command line\n got %q\nwant %q", got, want)
	}
	shares := []qemu.Share{{HostDir: "/tmp/x", GuestDir: shareGuestDir}}
	o.coracleEnv = []string{"GOMAXPROCS=2"}
	line, err := coracleCmdline(o, share, shares)
	if err != nil {
		t.Fatal(err)
	}
	want = "coracle.env=GOMAXPROCS=2 coracle.arg=-dir coracle.arg=/share coracle.arg=-benchtime coracle.arg=200ms coracle.arg=-seq-mib coracle.arg=64 " +
		"coracle.arg=-only coracle.arg=" + strings.TrimPrefix(only, "-only ") + " coracle.argv0=fileprobe coracle.share=share0:/share"
	if line != want {
		t.Errorf("coracle's command line\n got %q\nwant %q", line, want)
	}
	// The tag Linux mounts is the one QEMU gives the share.
	args, err := qemuArgs(qemu.Config{Machine: qemu.Microvm, Accel: qemu.TCG}, "img", line, shares)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(args, "virtio-9p-device,fsdev="+shareTag+",mount_tag="+shareTag) {
		t.Errorf("no 9P device with mount tag %s: %q", shareTag, args)
	}
}

// coracle's command line carries the same arguments, encoded.
func TestCoracleCmdline(t *testing.T) {
	o, tmpfs, _ := testSuites(t)
	got, err := coracleCmdline(o, tmpfs, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "coracle.arg=-dir coracle.arg=/tmp coracle.arg=-benchtime coracle.arg=200ms coracle.arg=-seq-mib coracle.arg=256 coracle.argv0=fileprobe"
	if got != want {
		t.Errorf("coracleCmdline = %q, want %q", got, want)
	}
}

// A shared directory is emptied between boots, and stays.
func TestEmptyDir(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a", "sub/b", "sub/deeper/c"} {
		if err := writeTestFile(dir, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := emptyDir(dir); err != nil {
		t.Fatal(err)
	}
	entries, err := readDirNames(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("after emptyDir: %v, %v", entries, err)
	}
}

func writeTestFile(dir, p string) error {
	full := filepath.Join(dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, []byte("x"), 0o644)
}

func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}
