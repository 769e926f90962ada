package linux

// AF_UNIX sockets (unix(7); include/linux/socket.h for the family and
// the message flags, include/linux/net.h for the types,
// include/uapi/asm-generic/socket.h for the options,
// include/uapi/linux/un.h for sockaddr_un, include/uapi/asm-generic/
// errno.h for the errors).
const (
	AF_UNSPEC = 0
	AF_UNIX   = 1

	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_SEQPACKET = 5

	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2

	SOL_SOCKET    = 1
	SO_REUSEADDR  = 2
	SO_TYPE       = 3
	SO_ERROR      = 4
	SO_BROADCAST  = 6
	SO_SNDBUF     = 7
	SO_RCVBUF     = 8
	SO_KEEPALIVE  = 9
	SO_LINGER     = 13
	SO_REUSEPORT  = 15
	SO_PASSCRED   = 16
	SO_PEERCRED   = 17
	SO_RCVTIMEO   = 20
	SO_SNDTIMEO   = 21
	SO_ACCEPTCONN = 30
	SO_PROTOCOL   = 38
	SO_DOMAIN     = 39

	MSG_PEEK     = 0x2
	MSG_TRUNC    = 0x20
	MSG_DONTWAIT = 0x40
	MSG_WAITALL  = 0x100
	MSG_NOSIGNAL = 0x4000
	MSG_CTRUNC   = 0x8

	// SCM_RIGHTS is the control message that passes descriptors.
	SCM_RIGHTS = 1
	// SCM_CREDENTIALS passes a struct ucred.
	SCM_CREDENTIALS = 2
	// SCM_MAX_FD is the most descriptors one SCM_RIGHTS message
	// carries.
	SCM_MAX_FD = 253
	// MSG_CMSG_CLOEXEC makes received descriptors close-on-exec.
	MSG_CMSG_CLOEXEC = 0x40000000

	// UNIX_PATH_MAX is the size of sockaddr_un's sun_path.
	UNIX_PATH_MAX = 108
)

// Errors of sockets that the rest of the kernel does not use.
const (
	EPROTOTYPE      Errno = 91
	ECONNRESET      Errno = 104
	ENOBUFS         Errno = 105
	ESOCKTNOSUPPORT Errno = 94
	ETOOMANYREFS    Errno = 109
)
