package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// setupWorkDir makes the directory coracle.cwd names the working
// directory, at boot after the program's files are unpacked and the
// service mounts recorded. It is resolved in the root file system,
// since no service runs yet: a directory inside a share or disk is the
// one beneath the mount point (see shareMountPoints), which a boot
// module may have filled (coracle test's early files). A path that is
// not a directory is reported and the program starts in /.
//
// Runs before the Go runtime: no allocation.
func setupWorkDir(cmd string) {
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key != cmdline.WorkDirKey || !w.HasValue {
			continue
		}
		buf := linkBuf[:] // free until the program runs
		if cmdline.DecodedLen(w.Value) > len(buf) {
			workDirFailed(w.Value, "the path is too long")
			continue
		}
		p := buf[:cmdline.Decode(buf, w.Value)]
		if len(p) == 0 || p[0] != '/' {
			workDirFailed(w.Value, "the path is not absolute")
			continue
		}
		r, e := walkers[0].Walk(&rootFS, inoNode(tmpfs.RootIno), p, 0)
		if e != 0 || rootFS.Kind(r.Node) != vfs.KindDir {
			workDirFailed(w.Value, "no such directory")
			continue
		}
		setCwd(r.Node.Ino)
	}
}

// workDirFailed reports a coracle.cwd word the kernel could not use.
func workDirFailed(value, why string) {
	console.str("coracle: ")
	console.str(cmdline.WorkDirKey)
	console.str("=")
	console.str(value)
	console.str(": ")
	console.str(why)
	console.str("; the program starts in /\n")
}
