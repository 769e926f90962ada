package disks

import (
	"strings"
	"syscall"

	"github.com/coracle-os/coracle/fs/ext4"
	svc "github.com/coracle-os/coracle/fs/service"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// maxSymlinks is how many links one resolution follows.
const maxSymlinks = svc.MaxSymlinks

// found is a resolved file: its inode, its attributes, and the path
// from the disk's root that led to it (names and their inodes, for
// "..").
type found struct {
	ino   uint32
	st    ext4.Stat
	comps []string
	inos  []uint32
}

func (f found) isDir() bool { return f.st.Mode&linux.S_IFMT == linux.S_IFDIR }

// start returns the disk and the path (from its root) that req's
// directory dir is at.
func (s *service) start(req *shares.Request, dir int32) (*disk, []string, []uint32, error) {
	d := s.disks[req.Share]
	if dir == shares.Root {
		return d, nil, nil, nil
	}
	h, err := s.handle(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	if !h.dir {
		return nil, nil, nil, errno(syscall.ENOTDIR)
	}
	return d, h.comps, h.inos, nil
}

// resolve resolves path from directory dir (a handle, or shares.Root)
// as Linux does within the disk: "." and "..", which stops at the
// disk's root, and symbolic links, the last one only if follow; a link
// to an absolute path is followed when the path is inside the disk's
// mount point (EXDEV otherwise).
func (s *service) resolve(req *shares.Request, dir int32, path string, follow bool) (found, error) {
	d, base, baseInos, err := s.start(req, dir)
	if err != nil {
		return found{}, err
	}
	comps := append([]string(nil), base...)
	inos := append([]uint32(nil), baseInos...)
	cur := func() uint32 {
		if len(inos) == 0 {
			return ext4.RootIno
		}
		return inos[len(inos)-1]
	}
	mustDir := strings.HasSuffix(path, "/")
	rest := svc.SplitPath(path)
	links := 0
	for len(rest) > 0 {
		name := rest[0]
		rest = rest[1:]
		switch name {
		case ".":
			continue
		case "..":
			if len(comps) > 0 {
				comps, inos = comps[:len(comps)-1], inos[:len(inos)-1]
			}
			continue
		}
		if len(name) > 255 {
			return found{}, errno(syscall.ENAMETOOLONG)
		}
		ino, err := d.fs.Lookup(cur(), name)
		if err != nil {
			return found{}, err
		}
		st, err := d.fs.Stat(ino)
		if err != nil {
			return found{}, err
		}
		last := len(rest) == 0
		switch st.Mode & linux.S_IFMT {
		case linux.S_IFLNK:
			if last && !follow && !mustDir {
				break
			}
			if links++; links > maxSymlinks {
				return found{}, errno(syscall.ELOOP)
			}
			target, err := d.fs.Readlink(ino)
			if err != nil {
				return found{}, err
			}
			if strings.HasPrefix(target, "/") {
				inside, ok := svc.InMount(target, d.guest)
				if !ok {
					return found{}, errno(syscall.EXDEV) // a link out of the disk
				}
				comps, inos, target = comps[:0], inos[:0], inside
			}
			if last && (target == "" || strings.HasSuffix(target, "/")) {
				mustDir = true
			}
			rest = append(svc.SplitPath(target), rest...)
			continue
		case linux.S_IFDIR:
		default:
			if !last {
				return found{}, errno(syscall.ENOTDIR)
			}
		}
		comps, inos = append(comps, name), append(inos, ino)
	}
	f := found{ino: cur(), comps: comps, inos: inos}
	if f.st, err = d.fs.Stat(f.ino); err != nil {
		return found{}, err
	}
	if mustDir && !f.isDir() {
		return found{}, errno(syscall.ENOTDIR)
	}
	return f, nil
}

// parent resolves the directory that holds path's last component and
// returns it with the component: "" when path names the disk's root.
func (s *service) parent(req *shares.Request, dir int32, path string) (found, string, error) {
	trimmed := strings.TrimRight(path, "/")
	i := strings.LastIndexByte(trimmed, '/')
	dirPath, name := trimmed[:i+1], trimmed[i+1:]
	if name == "." || name == ".." {
		return found{}, "", errno(syscall.EINVAL)
	}
	if dirPath == "" {
		dirPath = "."
	}
	f, err := s.resolve(req, dir, dirPath, true)
	if err != nil {
		return found{}, "", err
	}
	if !f.isDir() {
		return found{}, "", errno(syscall.ENOTDIR)
	}
	if len(name) > 255 {
		return found{}, "", errno(syscall.ENAMETOOLONG)
	}
	return f, name, nil
}

// createTarget follows the symbolic links that path's last component
// names, as open(O_CREAT) does (svc.CreateTarget), looking names up on
// req's disk.
func (s *service) createTarget(req *shares.Request, dir int32, path string) (int32, string, error) {
	d := s.disks[req.Share]
	return svc.CreateTarget(dir, path, d.guest, func(dir int32, dirPath, name string) (string, []string, bool, error) {
		p, err := s.resolve(req, dir, dirPath, true)
		if err != nil || !p.isDir() {
			return "", nil, false, nil
		}
		ino, err := d.fs.Lookup(p.ino, name)
		if err != nil {
			return "", nil, false, nil
		}
		st, err := d.fs.Stat(ino)
		if err != nil || st.Mode&linux.S_IFMT != linux.S_IFLNK {
			return "", nil, false, nil
		}
		target, err := d.fs.Readlink(ino)
		return target, p.comps, true, err
	})
}
