package procfs

// Mount is one mounted file system, for /proc/PID/mounts and
// mountinfo.
type Mount struct {
	ID, Parent         int64
	DevMajor, DevMinor uint32
	Root, Point        string // the mount's root in its file system, where it is mounted
	Options            string // per-mount: "rw,relatime"
	FSType, Source     string
	SuperOptions       string // per-superblock: "rw"
}

// MountsLine writes m as /proc/PID/mounts shows it (fstab(5)'s
// layout): source, point, type, options, "0 0". The options are the
// mount's, then the file system's own past its leading rw or ro, as
// show_vfsmnt merges them.
func MountsLine(t *Text, m *Mount) {
	t.Str(m.Source)
	t.Byte(' ')
	t.Str(m.Point)
	t.Byte(' ')
	t.Str(m.FSType)
	t.Byte(' ')
	t.Str(m.Options)
	for i := 0; i < len(m.SuperOptions); i++ {
		if m.SuperOptions[i] == ',' {
			t.Str(m.SuperOptions[i:])
			break
		}
	}
	t.Str(" 0 0\n")
}

// MountinfoLine writes m as /proc/PID/mountinfo shows it (proc(5)): ID,
// parent ID, major:minor in decimal, root, point, options, no optional
// fields, "-", type, source, superblock options.
func MountinfoLine(t *Text, m *Mount) {
	t.Int(m.ID)
	t.Byte(' ')
	t.Int(m.Parent)
	t.Byte(' ')
	t.Dec(uint64(m.DevMajor))
	t.Byte(':')
	t.Dec(uint64(m.DevMinor))
	t.Byte(' ')
	t.Str(m.Root)
	t.Byte(' ')
	t.Str(m.Point)
	t.Byte(' ')
	t.Str(m.Options)
	t.Str(" - ")
	t.Str(m.FSType)
	t.Byte(' ')
	t.Str(m.Source)
	t.Byte(' ')
	t.Str(m.SuperOptions)
	t.Byte('\n')
}

// Seconds writes ns as seconds with two decimals ("%lu.%02lu"), as
// /proc/uptime shows times.
func Seconds(t *Text, ns int64) {
	if ns < 0 {
		ns = 0
	}
	cs := uint64(ns) / 1e7
	t.Dec(cs / 100)
	t.Byte('.')
	t.DecPad(cs%100/10, 0)
	t.Dec(cs % 10)
}

// Uptime writes /proc/uptime: the time since boot and the time the
// CPUs spent idle, summed over CPUs.
func Uptime(t *Text, up, idle int64) {
	Seconds(t, up)
	t.Byte(' ')
	Seconds(t, idle)
	t.Byte('\n')
}

// InodeLink writes the link text of a /proc/PID/fd entry for a file
// with no path, as Linux names one by its file system's name and inode
// number: "pipe:[N]", "socket:[N]".
func InodeLink(t *Text, fs string, ino uint64) {
	t.Str(fs)
	t.Str(":[")
	t.Dec(ino)
	t.Byte(']')
}

// AnonLink writes the link text of a /proc/PID/fd entry for an
// anonymous inode: "anon_inode:[eventfd]", "anon_inode:[eventpoll]".
func AnonLink(t *Text, name string) {
	t.Str("anon_inode:[")
	t.Str(name)
	t.Byte(']')
}

// Comm is a process's command name as /proc/PID/comm and stat show
// it: the last element of the program's path, cut to 15 bytes
// (TASK_COMM_LEN less its NUL).
func Comm(path []byte) []byte {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			path = path[i+1:]
			break
		}
	}
	if len(path) > 15 {
		path = path[:15]
	}
	return path
}
