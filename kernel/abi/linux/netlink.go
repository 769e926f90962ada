package linux

// Netlink sockets of the NETLINK_ROUTE family (netlink(7), rtnetlink(7);
// include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h,
// if.h, if_arp.h, rtnetlink.h's rt_scope).
const (
	AF_NETLINK    = 16
	NETLINK_ROUTE = 0
	SOCK_RAW      = 3

	SizeofSockaddrNetlink = 12 // struct sockaddr_nl
	SizeofNlmsghdr        = 16 // struct nlmsghdr
	SizeofNlmsgerr        = 4 + SizeofNlmsghdr
	SizeofIfinfomsg       = 16 // struct ifinfomsg
	SizeofIfaddrmsg       = 8  // struct ifaddrmsg
	SizeofRtattr          = 4  // struct rtattr

	// nlmsghdr.nlmsg_type: control messages, below NLMSG_MIN_TYPE.
	NLMSG_NOOP     = 1
	NLMSG_ERROR    = 2
	NLMSG_DONE     = 3
	NLMSG_OVERRUN  = 4
	NLMSG_MIN_TYPE = 0x10

	// nlmsghdr.nlmsg_flags.
	NLM_F_REQUEST = 0x1
	NLM_F_MULTI   = 0x2
	NLM_F_ACK     = 0x4
	NLM_F_ROOT    = 0x100
	NLM_F_MATCH   = 0x200
	NLM_F_DUMP    = NLM_F_ROOT | NLM_F_MATCH
	NLM_F_CAPPED  = 0x100 // of NLMSG_ERROR: the request's payload is left out

	// rtnetlink message types: RTM_BASE + 4*object + kind, where kind
	// is NEW, DEL, GET or SET.
	RTM_BASE    = 16
	RTM_NEWLINK = 16
	RTM_GETLINK = 18
	RTM_NEWADDR = 20
	RTM_GETADDR = 22
	RTM_MAX     = 0x7b // the highest type rtnetlink_rcv_msg accepts (EOPNOTSUPP past it)

	// struct rtattr types of a link (IFLA_*).
	IFLA_ADDRESS   = 1
	IFLA_BROADCAST = 2
	IFLA_IFNAME    = 3
	IFLA_MTU       = 4
	IFLA_TXQLEN    = 13
	IFLA_OPERSTATE = 16

	// IFLA_OPERSTATE values (RFC 2863 operational states).
	IF_OPER_UNKNOWN = 0
	IF_OPER_DOWN    = 2
	IF_OPER_UP      = 6

	// struct rtattr types of an address (IFA_*).
	IFA_ADDRESS   = 1
	IFA_LOCAL     = 2
	IFA_LABEL     = 3
	IFA_BROADCAST = 4
	IFA_FLAGS     = 8

	// ifaddrmsg.ifa_flags.
	IFA_F_PERMANENT = 0x80

	// ifaddrmsg.ifa_scope (enum rt_scope_t).
	RT_SCOPE_UNIVERSE = 0
	RT_SCOPE_LINK     = 253
	RT_SCOPE_HOST     = 254

	// ifinfomsg.ifi_flags (include/uapi/linux/if.h).
	IFF_UP        = 0x1
	IFF_BROADCAST = 0x2
	IFF_LOOPBACK  = 0x8
	IFF_RUNNING   = 0x40
	IFF_MULTICAST = 0x1000
	IFF_LOWER_UP  = 0x10000

	// ifinfomsg.ifi_type (include/uapi/linux/if_arp.h).
	ARPHRD_ETHER    = 1
	ARPHRD_LOOPBACK = 772

	AF_INET  = 2
	AF_INET6 = 10
)
