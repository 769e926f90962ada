// Command crashprobe is the guest program of the crash test
// (tools/bench/crash). Each boot it first checks what the disk holds and
// prints it, then works until QEMU is killed: it appends records to log
// files and creates, renames and deletes files, and prints an "ack" line
// after each change is on stable storage (fsync of the file, and of the
// directory for names). The host kills QEMU at random moments and, at
// the next boot, compares what this program finds with what it acked.
//
// Lines (standard output; "crash:" first):
//
//	crash: have log-0 17        log-0 starts with 17 intact records
//	crash: file r-12 ok         r-12 exists with its whole content ("bad" if not)
//	crash: verified
//	crash: ack append log-0 17  record 17 of log-0 is durable
//	crash: ack create r-13      r-13 exists, complete, under its name
//	crash: intent delete r-10   r-10 is about to be deleted
//	crash: ack delete r-10      r-10 is gone
//	crash: error MESSAGE
//
// A log is a sequence of 64-byte records; record n of log-i names the
// file and n and carries a CRC-32 of both, so a torn or stale record is
// seen. At the start of a boot a log's tail after its last intact record
// (an append that was not acked) is cut off, and appending goes on from
// there. A file r-N is written as t-N, fsynced, renamed to r-N and the
// directory fsynced; its content is a function of N, so it can be
// checked. A t-N left by a crash is removed. Every sixth step puts a
// record into an examples/kvstore database (kv.db, bbolt) through its
// HTTP handler, in-process; the kvstore counts as one more log, "kv",
// whose record n is under key rec/n.
//
// The same binary runs in a coracle image (coracle run --disk) and as the
// /init of a Linux microVM (-mount). -max-acks ends it after that many
// acks (for a run without a kill).
//
// Usage:
//
//	crashprobe [-dir /mnt/disk0/crash] [-logs 4] [-max-acks 0] [-no-sync] [-mount /dev/vda -modules a,b]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxinit"
)

// prefix starts every line the host reads.
const prefix = "crash:"

// noSync (-no-sync) leaves out every fsync of the work: acks then claim
// what is not durable, and the host must find losses after kills.
var noSync bool

func main() {
	dir := flag.String("dir", "/mnt/disk0/crash", "the directory on the disk to work in (created if missing)")
	logs := flag.Int("logs", 4, "log files appended to in turn")
	maxAcks := flag.Int("max-acks", 0, "stop after this many acks (0: work until killed)")
	flag.BoolVar(&noSync, "no-sync", false, "ack changes without fsync: wrong on purpose, so that the test of the test sees it fail")
	device := flag.String("mount", "", "Linux as PID 1: mount devtmpfs and sysfs, then this block device as ext4 on the parent of -dir")
	modules := flag.String("modules", "", "with -mount: comma-separated kernel modules to load from "+linuxinit.ModuleDir+" first, in order")
	flag.Parse()

	if *device != "" {
		if err := linuxinit.MountDisk(*device, filepath.Dir(*dir), linuxinit.Modules(*modules)); err != nil {
			fail(err)
		}
	}
	w, err := open(*dir, *logs)
	if err != nil {
		fail(err)
	}
	if err := w.work(*maxAcks); err != nil {
		fail(err)
	}
	fmt.Printf("%s done\n", prefix)
	if *device != "" {
		// PID 1 must not exit; the host ends QEMU.
		select {}
	}
}

func fail(err error) {
	fmt.Printf("%s error %v\n", prefix, err)
	os.Exit(1)
}
