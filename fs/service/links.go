package service

import (
	"strings"
	"syscall"

	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// MaxSymlinks is how many symbolic links one path resolution follows
// (Linux's MAXSYMLINKS, include/linux/namei.h); past it, ELOOP.
const MaxSymlinks = 40

// Errno is a Linux errno as an error. The backends name it as their own
// errno type, so their Errno methods map the errors this package's
// helpers return as they map their own.
type Errno uint32

func (e Errno) Error() string { return syscall.Errno(e).Error() }

// InMount returns the part of the absolute path target that lies below
// the mount point guest: "" for guest itself, else a path that starts
// with "/". ok is false when target is outside the mount: a symbolic
// link there leads to another file system, which a backend cannot
// follow (its callers answer EXDEV).
func InMount(target, guest string) (inside string, ok bool) {
	inside, ok = strings.CutPrefix(target, guest)
	if !ok || inside != "" && !strings.HasPrefix(inside, "/") {
		return "", false
	}
	return inside, true
}

// SplitPath returns path's components, empty ones dropped: "a//b/" is
// "a", "b". The backends resolve a request's path, and a link's target,
// component by component.
func SplitPath(path string) []string {
	var out []string
	for _, c := range strings.Split(path, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// LinkInMount returns where the symbolic link with contents target
// leads, as a path from the root of the mount at guest: a relative
// target is taken from the link's directory, whose components from the
// mount's root are dir; an absolute one must be inside the mount
// (InMount), else ok is false. The path keeps target's trailing "/", so
// that it still asks for a directory.
func LinkInMount(target, guest string, dir []string) (path string, ok bool) {
	if strings.HasPrefix(target, "/") {
		inside, ok := InMount(target, guest)
		if !ok {
			return "", false
		}
		return "/" + inside, true
	}
	return "/" + strings.Join(dir, "/") + "/" + target, true
}

// A FinalLink looks up name in the directory dirPath, which is resolved
// from the directory dir (a handle, or shares.Root). isLink reports
// whether name is a symbolic link; if it is, target is its contents (or
// err why they could not be read) and comps the directory's components
// from the mount's root. A lookup that fails before it can tell is not
// a link: the open that follows reports the failure.
type FinalLink func(dir int32, dirPath, name string) (target string, comps []string, isLink bool, err error)

// CreateTarget follows the symbolic links that path's last component
// names, as open(O_CREAT) without O_EXCL or O_NOFOLLOW does on Linux
// (path_openat's trailing-link loop, fs/namei.c), and returns the
// directory and path where the file is to be opened or made: a dangling
// link's target is made. A path that does not resolve that far is
// returned as it is, for the open to report. guest is the mount point,
// which absolute targets must stay inside (EXDEV otherwise); more than
// MaxSymlinks links fail with ELOOP. The backend looks names up through
// link.
func CreateTarget(dir int32, path, guest string, link FinalLink) (int32, string, error) {
	for links := 0; ; links++ {
		i := strings.LastIndexByte(path, '/')
		dirPath, name := path[:i+1], path[i+1:]
		if name == "" || name == "." || name == ".." {
			return dir, path, nil
		}
		if dirPath == "" {
			dirPath = "."
		}
		target, comps, isLink, err := link(dir, dirPath, name)
		if !isLink {
			return dir, path, nil
		}
		if links == MaxSymlinks {
			return 0, "", Errno(syscall.ELOOP)
		}
		if err != nil {
			return 0, "", err
		}
		next, ok := LinkInMount(target, guest, comps)
		if !ok {
			return 0, "", Errno(syscall.EXDEV) // a link out of the mount
		}
		dir, path = shares.Root, next
	}
}
