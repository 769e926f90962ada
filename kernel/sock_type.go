package kernel

import "github.com/coracle-os/coracle/kernel/abi/linux"

// sockTypeFlagsOK reports whether socket(2)'s or socketpair(2)'s type
// argument typ carries no flags above its type (linux.SOCK_TYPE_MASK)
// but SOCK_NONBLOCK and SOCK_CLOEXEC, the only ones Linux knows (EINVAL
// otherwise; net/socket.c). The kernel-served families (AF_UNIX,
// AF_NETLINK) check it before their types.
func sockTypeFlagsOK(typ uint64) bool {
	return typ&^linux.SOCK_TYPE_MASK&^(linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) == 0
}
