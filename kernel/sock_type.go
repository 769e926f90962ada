package kernel

import "github.com/coracle-os/coracle/kernel/abi/linux"

// sockTypeMask selects the socket type in socket(2)'s and socketpair(2)'s
// type argument (SOCK_TYPE_MASK, include/linux/net.h); the bits above it
// are flags.
const sockTypeMask = 0xf

// sockTypeFlagsOK reports whether typ carries no flags but SOCK_NONBLOCK
// and SOCK_CLOEXEC, the only ones socket(2) knows (EINVAL otherwise). The
// kernel-served families (AF_UNIX, AF_NETLINK) check it before their
// types.
func sockTypeFlagsOK(typ uint64) bool {
	return typ&^sockTypeMask&^(linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) == 0
}
