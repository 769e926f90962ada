package shares

import (
	"strings"
	"syscall"

	"github.com/hugelgupf/p9/p9"

	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// maxSymlinks is how many links one resolution follows (Linux's
// MAXSYMLINKS), and maxWalk how many names one 9P walk carries
// (MAXWELEM).
const (
	maxSymlinks = 40
	maxWalk     = 16
)

// found is a resolved file: an unopened 9P file, its attributes, and
// its path from the share's root.
type found struct {
	file  p9.File
	attr  p9.Attr
	ino   uint64
	comps []string
}

// start returns the share and the path (from its root) that req's
// directory dir is at.
func (s *service) start(req *shares.Request, dir int32) (*share, []string, error) {
	sh := s.shares[req.Share]
	if dir == shares.Root {
		return sh, nil, nil
	}
	h, err := s.handle(dir)
	if err != nil {
		return nil, nil, err
	}
	if !h.dir {
		return nil, nil, errno(syscall.ENOTDIR)
	}
	return sh, h.comps, nil
}

// walk resolves path from req.Dir as Linux does within the share:
// "." and "..", which stops at the share's root, and symbolic links, the
// last one only if follow; a link to an absolute path is followed when
// the path is inside the share's mount point.
func (s *service) walk(req *shares.Request, path string, follow bool) (p9.File, p9.Attr, error) {
	f, err := s.resolve(req, req.Dir, path, follow)
	if err != nil {
		return nil, p9.Attr{}, err
	}
	return f.file, f.attr, nil
}

func (s *service) resolve(req *shares.Request, dir int32, path string, follow bool) (found, error) {
	sh, comps, err := s.start(req, dir)
	if err != nil {
		return found{}, err
	}
	comps = append([]string(nil), comps...)
	mustDir := strings.HasSuffix(path, "/")
	rest := splitPath(path)
	links := 0
	for len(rest) > 0 {
		name := rest[0]
		rest = rest[1:]
		switch name {
		case ".":
			continue
		case "..":
			if len(comps) > 0 {
				comps = comps[:len(comps)-1]
			}
			continue
		}
		if len(name) > 255 {
			return found{}, errno(syscall.ENAMETOOLONG)
		}
		if len(rest) == 0 && !follow && !mustDir {
			comps = append(comps, name)
			break
		}
		f, err := walkTo(sh.root, append(comps, name))
		if err != nil {
			return found{}, err
		}
		if f.attr.Mode.FileType() != p9.ModeSymlink {
			f.file.Close()
			if len(rest) > 0 && f.attr.Mode.FileType() != p9.ModeDirectory {
				return found{}, errno(syscall.ENOTDIR)
			}
			comps = append(comps, name)
			continue
		}
		target, err := f.file.Readlink()
		f.file.Close()
		if err != nil {
			return found{}, err
		}
		if links++; links > maxSymlinks {
			return found{}, errno(syscall.ELOOP)
		}
		if strings.HasPrefix(target, "/") {
			inside, ok := strings.CutPrefix(target, sh.guest)
			if !ok || inside != "" && !strings.HasPrefix(inside, "/") {
				return found{}, errno(syscall.EXDEV) // a link out of the share
			}
			comps, target = comps[:0], inside
		}
		rest = append(splitPath(target), rest...)
		if target == "" || strings.HasSuffix(target, "/") {
			mustDir = mustDir || len(rest) == 0
		}
	}
	f, err := walkTo(sh.root, comps)
	if err != nil {
		return found{}, err
	}
	if mustDir && f.attr.Mode.FileType() != p9.ModeDirectory {
		f.file.Close()
		return found{}, errno(syscall.ENOTDIR)
	}
	f.comps = comps
	return f, nil
}

// walkTo walks from root along comps, maxWalk names at a time, and
// returns the file with its attributes.
func walkTo(root p9.File, comps []string) (found, error) {
	_, f, err := root.Walk(nil)
	if err != nil {
		return found{}, err
	}
	for len(comps) > 0 {
		n := min(len(comps), maxWalk)
		qids, next, err := f.Walk(comps[:n])
		f.Close()
		if err != nil {
			return found{}, err
		}
		if len(qids) < n {
			next.Close()
			return found{}, errno(syscall.ENOENT)
		}
		f, comps = next, comps[n:]
	}
	qid, _, attr, err := f.GetAttr(p9.AttrMaskAll)
	if err != nil {
		f.Close()
		return found{}, err
	}
	return found{file: f, attr: attr, ino: qid.Path}, nil
}

// parent resolves the directory that holds path's last component and
// returns it with the component: "" when path names the share's root.
func (s *service) parent(req *shares.Request, dir int32, path string) (p9.File, string, error) {
	trimmed := strings.TrimRight(path, "/")
	i := strings.LastIndexByte(trimmed, '/')
	dirPath, name := trimmed[:i+1], trimmed[i+1:]
	if name == "." || name == ".." {
		return nil, "", errno(syscall.EINVAL)
	}
	if dirPath == "" {
		dirPath = "."
	}
	f, err := s.resolve(req, dir, dirPath, true)
	if err != nil {
		return nil, "", err
	}
	if f.attr.Mode.FileType() != p9.ModeDirectory {
		f.file.Close()
		return nil, "", errno(syscall.ENOTDIR)
	}
	if len(name) > 255 {
		f.file.Close()
		return nil, "", errno(syscall.ENAMETOOLONG)
	}
	return f.file, name, nil
}

// splitPath returns path's components, empty ones dropped.
func splitPath(path string) []string {
	var out []string
	for _, c := range strings.Split(path, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}
