package shares

import (
	"strings"
	"syscall"

	"github.com/hugelgupf/p9/p9"

	svc "github.com/coracle-os/coracle/fs/service"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// maxSymlinks is how many links one resolution follows (Linux's
// MAXSYMLINKS), and maxWalk how many names one 9P walk carries
// (MAXWELEM).
const (
	maxSymlinks = svc.MaxSymlinks
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
	sh, base, err := s.start(req, dir)
	if err != nil {
		return found{}, err
	}
	comps := append([]string(nil), base...)
	mustDir := strings.HasSuffix(path, "/")
	rest := svc.SplitPath(path)
	links := 0
	for len(rest) > 0 {
		if rest[0] == ".." {
			if len(comps) > 0 {
				comps = comps[:len(comps)-1]
			}
			rest = rest[1:]
			continue
		}
		// The names up to the next "..": one 9P walk tells every one's
		// type, so a path without links costs one walk.
		var batch []string
		for len(rest) > 0 && rest[0] != ".." {
			if rest[0] != "." {
				if len(rest[0]) > 255 {
					return found{}, errno(syscall.ENAMETOOLONG)
				}
				batch = append(batch, rest[0])
			}
			rest = rest[1:]
		}
		if len(batch) == 0 {
			continue
		}
		qids, err := walkTypes(sh.root, comps, batch)
		if err != nil && !hasLink(qids) {
			return found{}, err
		}
		link := -1
		for i, q := range qids {
			last := i == len(batch)-1 && len(rest) == 0
			if q.Type&p9.TypeSymlink != 0 && (!last || follow || mustDir) {
				link = i
				break
			}
			if !last && q.Type&p9.TypeDir == 0 {
				return found{}, errno(syscall.ENOTDIR)
			}
		}
		if link < 0 {
			if err != nil {
				return found{}, err
			}
			comps = append(comps, batch...)
			continue
		}
		if links++; links > maxSymlinks {
			return found{}, errno(syscall.ELOOP)
		}
		f, err := walkTo(sh.root, append(comps, batch[:link+1]...))
		if err != nil {
			return found{}, err
		}
		target, err := f.file.Readlink()
		f.file.Close()
		if err != nil {
			return found{}, err
		}
		comps = append(comps, batch[:link]...)
		if strings.HasPrefix(target, "/") {
			inside, ok := svc.InMount(target, sh.guest)
			if !ok {
				return found{}, errno(syscall.EXDEV) // a link out of the share
			}
			comps, target = comps[:0], inside
		}
		after := append(batch[link+1:len(batch):len(batch)], rest...)
		rest = append(svc.SplitPath(target), after...)
		if len(after) == 0 && (target == "" || strings.HasSuffix(target, "/")) {
			mustDir = true
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

// walkTypes walks from root along comps and then names, and returns the
// QIDs of names. If a name is missing (ENOENT), or one before it is not
// a directory (ENOTDIR; a symbolic link is not one to the server), it
// returns the QIDs of the names before it with the error.
func walkTypes(root p9.File, comps, names []string) ([]p9.QID, error) {
	all := append(append([]string(nil), comps...), names...)
	var qids []p9.QID
	var f p9.File
	ofNames := func() []p9.QID {
		if len(qids) <= len(comps) {
			return nil
		}
		return qids[len(comps):]
	}
	for len(all) > 0 {
		n := min(len(all), maxWalk)
		from := root
		if f != nil {
			from = f
		}
		q, next, err := from.Walk(all[:n])
		if f != nil {
			f.Close()
			f = nil
		}
		if err != nil {
			return ofNames(), err
		}
		qids = append(qids, q...)
		if len(q) < n {
			next.Close() // the server made no file; this frees the client's
			if k := len(qids); k > 0 && qids[k-1].Type&p9.TypeDir == 0 {
				return ofNames(), errno(syscall.ENOTDIR)
			}
			return ofNames(), errno(syscall.ENOENT)
		}
		f, all = next, all[n:]
	}
	if f != nil {
		f.Close()
	}
	return ofNames(), nil
}

// hasLink reports whether one of qids is a symbolic link's.
func hasLink(qids []p9.QID) bool {
	for _, q := range qids {
		if q.Type&p9.TypeSymlink != 0 {
			return true
		}
	}
	return false
}

// walkTo walks from root along comps, maxWalk names at a time, and
// returns the file with its attributes.
func walkTo(root p9.File, comps []string) (found, error) {
	var f p9.File
	for first := true; first || len(comps) > 0; first = false {
		n := min(len(comps), maxWalk)
		from := root
		if f != nil {
			from = f
		}
		qids, next, err := from.Walk(comps[:n])
		if f != nil {
			f.Close()
		}
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

// createTarget follows the symbolic links that path's last component
// names, as open(O_CREAT) does (svc.CreateTarget), looking names up in
// req's share.
func (s *service) createTarget(req *shares.Request, dir int32, path string) (int32, string, error) {
	sh := s.shares[req.Share]
	return svc.CreateTarget(dir, path, sh.guest, func(dir int32, dirPath, name string) (string, []string, bool, error) {
		d, err := s.resolve(req, dir, dirPath, true)
		if err != nil {
			return "", nil, false, nil
		}
		_, f, _, attr, err := d.file.WalkGetAttr([]string{name})
		d.file.Close()
		if err != nil {
			return "", nil, false, nil
		}
		defer f.Close()
		if attr.Mode.FileType() != p9.ModeSymlink {
			return "", nil, false, nil
		}
		target, err := f.Readlink()
		return target, d.comps, true, err
	})
}
