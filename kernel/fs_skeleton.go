package kernel

// The root's skeleton: what every Linux system has and programs look
// for, made at boot beside /tmp, /dev and /proc, holding only what is
// true of coracle. There is one user, root (uid 0, gid 0, as getuid and
// getgid answer), so /etc/passwd and /etc/group (passwd(5), group(5))
// name it alone, which is what os/user reads when the program is built
// without cgo (user.Current, user.Lookup("root"), ...). Its home, /root,
// exists (mode 0700, as distributions make it). There is no shell and
// no other program, so root's shell is /sbin/nologin, the conventional
// entry for an account nobody logs in to (it is not there either), and
// /usr/bin is an empty directory. The files under DIR given to coracle
// build --files are unpacked afterwards and replace any of these.

// etcPasswd and etcGroup are the contents of /etc/passwd and /etc/group.
const (
	etcPasswd = "root:x:0:0:root:/root:/sbin/nologin\n"
	etcGroup  = "root:x:0:\n"
)

// skeletonDirs are the directories setupSkeleton makes, parents first.
var skeletonDirs = [...]struct {
	path string
	perm uint32
}{
	{"/etc", 0o755},
	{"/root", 0o700},
	{"/usr", 0o755},
	{"/usr/bin", 0o755},
}

// setupSkeleton makes the directories and files above.
// Boot path.
func setupSkeleton(now int64) {
	for _, d := range skeletonDirs {
		dir, name, e := makeParents(strBytes(d.path), now)
		if e == 0 {
			_, e = rootFS.Mkdir(dir, name, d.perm, now)
		}
		if e != 0 {
			bootFailure("no memory for the root's directories")
		}
	}
	if publishFile(strBytes("/etc/passwd"), strBytes(etcPasswd)) != 0 ||
		publishFile(strBytes("/etc/group"), strBytes(etcGroup)) != 0 {
		bootFailure("no memory for /etc")
	}
}
