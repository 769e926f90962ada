// Package vfs is the part of coracle's file layer that does not depend on
// where files are kept: path resolution as Linux does it (path_resolution(7),
// fs/namei.c), over any tree of directories, files and symbolic links that
// answers the Tree interface. The file systems (an in-memory root, /dev,
// /proc, host directories) implement Tree; the system calls that take a
// path (openat, mkdirat, unlinkat, renameat2, newfstatat, readlinkat, ...)
// resolve it with a Walker first.
//
// Resolution follows Linux's rules: components are separated by one or
// more slashes; "." and ".." are the directory itself and its parent (the
// root's parent is the root); a symbolic link met before the last
// component is always followed, the last one unless NoFollow says not to,
// and a trailing slash forces it; an absolute link target restarts at the
// root; after MaxSymlinks links the walk fails with ELOOP; a path of
// PathMax bytes or more, or a component longer than NameMax, fails with
// ENAMETOOLONG; a component that is not a directory where one is needed
// gives ENOTDIR. The host test compares every rule with the host's own
// kernel (openat2 with RESOLVE_IN_ROOT over the same tree).
//
// Trap context: all. A Walker holds its buffers (two of PathMax bytes) and
// never allocates; Tree implementations must not either.
package vfs
