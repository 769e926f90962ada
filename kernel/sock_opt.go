package kernel

import "github.com/coracle-os/coracle/kernel/abi/socktab"

// Socket options: one table that setsockopt and getsockopt both read
// (sys_socket.go), and that docs/syscalls.md lists. An option that is not
// in it, or that lacks the direction asked for, answers ENOPROTOOPT.

// sockoptKind is the type of an option's value.
type sockoptKind uint8

const (
	optInt     sockoptKind = iota // an int (4 bytes)
	optTimeval                    // a struct timeval (16 bytes)
)

// sockoptSet is what setsockopt does with an option.
type sockoptSet uint8

const (
	setNone      sockoptSet = iota // not settable: ENOPROTOOPT
	setFlag                        // nonzero sets the socktab option bit arg, zero clears it
	setIgnore                      // accepted; changes nothing
	setKeepIdle                    // socktab.Socket.KeepIdle
	setKeepIntvl                   // socktab.Socket.KeepIntvl
	setKeepCnt                     // socktab.Socket.KeepCnt
	setTimeo                       // sockTimeouts[id][arg]
)

// sockoptGet is what getsockopt reports for an option.
type sockoptGet uint8

const (
	getNone     sockoptGet = iota // not readable: ENOPROTOOPT
	getFlag                       // 1 if the socktab option bit arg is set, else 0
	getError                      // the pending error, which reading clears
	getType                       // the socket type
	getRingSize                   // socktab.RingSize, the size of each ring
	getTimeo                      // sockTimeouts[id][arg]
	getProtocol                   // the protocol: IPPROTO_TCP or IPPROTO_UDP
	getDomain                     // the address family
)

// A sockopt is one option: its level and name, and how each call
// handles it. arg is the socktab option bit of setFlag and getFlag, or
// which timeout (0 receive, 1 send) setTimeo and getTimeo mean.
type sockopt struct {
	level, name uint64
	kind        sockoptKind
	set         sockoptSet
	get         sockoptGet
	arg         uint32
	levelName   string // the names and note are for docs/syscalls.md
	optName     string
	note        string
}

// sockopts is the option table (asm-generic/socket.h, netinet/tcp.h,
// linux/in6.h for the numbers).
var sockopts = [...]sockopt{
	{solSocket, soReuseAddr, optInt, setFlag, getFlag, socktab.OptReuseAddr, "SOL_SOCKET", "SO_REUSEADDR", ""},
	{solSocket, soReusePort, optInt, setFlag, getNone, socktab.OptReuseAddr, "SOL_SOCKET", "SO_REUSEPORT", "sets SO_REUSEADDR: no load balancing across sockets"},
	{solSocket, soType, optInt, setNone, getType, 0, "SOL_SOCKET", "SO_TYPE", ""},
	{solSocket, soProtocol, optInt, setNone, getProtocol, 0, "SOL_SOCKET", "SO_PROTOCOL", "golang.org/x/sys/unix reads it to decode every IPv4 and IPv6 address (Getsockname, Accept, Recvfrom)"},
	{solSocket, soDomain, optInt, setNone, getDomain, 0, "SOL_SOCKET", "SO_DOMAIN", ""},
	{solSocket, soError, optInt, setNone, getError, 0, "SOL_SOCKET", "SO_ERROR", "reading clears the pending error"},
	{solSocket, soBroadcast, optInt, setFlag, getNone, socktab.OptBroadcast, "SOL_SOCKET", "SO_BROADCAST", ""},
	{solSocket, soSndbuf, optInt, setIgnore, getRingSize, 0, "SOL_SOCKET", "SO_SNDBUF", "reads the socket's ring size; netstack sizes its buffers itself"},
	{solSocket, soRcvbuf, optInt, setIgnore, getRingSize, 0, "SOL_SOCKET", "SO_RCVBUF", "reads the socket's ring size; netstack sizes its buffers itself"},
	{solSocket, soKeepAlive, optInt, setFlag, getFlag, socktab.OptKeepAlive, "SOL_SOCKET", "SO_KEEPALIVE", ""},
	{solSocket, soLinger, optInt, setIgnore, getNone, 0, "SOL_SOCKET", "SO_LINGER", "any value is accepted (a struct linger too); close never waits"},
	{solSocket, soRcvTimeo, optTimeval, setTimeo, getTimeo, 0, "SOL_SOCKET", "SO_RCVTIMEO", ""},
	{solSocket, soSndTimeo, optTimeval, setTimeo, getTimeo, 1, "SOL_SOCKET", "SO_SNDTIMEO", ""},
	{ipprotoTCP, tcpNoDelay, optInt, setFlag, getFlag, socktab.OptNoDelay, "IPPROTO_TCP", "TCP_NODELAY", ""},
	{ipprotoTCP, tcpKeepIdle, optInt, setKeepIdle, getNone, 0, "IPPROTO_TCP", "TCP_KEEPIDLE", ""},
	{ipprotoTCP, tcpKeepIntvl, optInt, setKeepIntvl, getNone, 0, "IPPROTO_TCP", "TCP_KEEPINTVL", ""},
	{ipprotoTCP, tcpKeepCnt, optInt, setKeepCnt, getNone, 0, "IPPROTO_TCP", "TCP_KEEPCNT", ""},
	{ipprotoIPv6, ipv6V6Only, optInt, setFlag, getFlag, socktab.OptV6Only, "IPPROTO_IPV6", "IPV6_V6ONLY", ""},
}

// findSockopt returns the option (level, name), or nil.
func findSockopt(level, name uint64) *sockopt {
	for i := range sockopts {
		if o := &sockopts[i]; o.level == level && o.name == name {
			return o
		}
	}
	return nil
}

// setIntSockopt applies int option o, set to v, to socket s.
func setIntSockopt(s *socktab.Socket, o *sockopt, v int32) {
	switch o.set {
	case setFlag:
		if v != 0 {
			s.Options.Or(o.arg)
		} else {
			s.Options.And(^o.arg)
		}
	case setKeepIdle:
		s.KeepIdle.Store(v)
	case setKeepIntvl:
		s.KeepIntvl.Store(v)
	case setKeepCnt:
		s.KeepCnt.Store(v)
	}
}

// intSockopt is the value of int option o of socket s.
func intSockopt(s *socktab.Socket, o *sockopt) int32 {
	switch o.get {
	case getFlag:
		if s.Options.Load()&o.arg != 0 {
			return 1
		}
	case getError:
		return s.Err.Swap(0)
	case getType:
		return s.Type
	case getRingSize:
		return socktab.RingSize
	case getProtocol:
		if s.Type == socktab.Dgram {
			return ipprotoUDP
		}
		return ipprotoTCP
	case getDomain:
		return s.Family
	}
	return 0
}
