package linuxguest

import (
	"context"
	"os"
	"path"
	"path/filepath"
)

// ServerInitramfs builds the initramfs of a Linux guest that runs a
// network server: init (initPkg, such as tools/bench/netinit) as /init,
// the server (serverPkg) as /NAME (the last element of its package
// path), and k's modules named in order (Kernel.LoadOrder) under
// lib/modules. Both programs are built with GoBuild into dir, and the
// archive is written there; ServerInitramfs returns its file name.
func ServerInitramfs(ctx context.Context, k Kernel, order []string, initPkg, serverPkg, dir string) (string, error) {
	initBin := filepath.Join(dir, path.Base(initPkg))
	serverBin := filepath.Join(dir, path.Base(serverPkg)+".linux")
	if err := GoBuild(ctx, initBin, initPkg); err != nil {
		return "", err
	}
	if err := GoBuild(ctx, serverBin, serverPkg); err != nil {
		return "", err
	}
	var fs Initramfs
	var err error
	if fs.Init, err = os.ReadFile(initBin); err != nil {
		return "", err
	}
	server, err := os.ReadFile(serverBin)
	if err != nil {
		return "", err
	}
	fs.Files = append(fs.Files, File{Path: path.Base(serverPkg), Perm: 0o755, Data: server})
	for _, m := range order {
		ko, err := os.ReadFile(filepath.Join(k.ModuleDir, m+".ko"))
		if err != nil {
			return "", err
		}
		fs.Files = append(fs.Files, File{Path: "lib/modules/" + m + ".ko", Perm: 0o644, Data: ko})
	}
	out := filepath.Join(dir, path.Base(serverPkg)+".cpio")
	return out, fs.WriteFile(out)
}
