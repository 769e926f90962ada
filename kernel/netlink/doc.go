// Package netlink serves NETLINK_ROUTE sockets (rtnetlink(7)) from the
// interface table the network service publishes (kernel/abi/iftab): the
// RTM_GETLINK and RTM_GETADDR dumps package net reads interfaces and
// their addresses with, acknowledgements, and NLMSG_ERROR for the
// requests it does not serve. It keeps each socket's port ID and its
// queue of replies; a dump is encoded one datagram at a time when the
// program receives, so nothing larger than a datagram is ever buffered.
//
// Requests are taken as Linux's rtnetlink takes them without
// NETLINK_GET_STRICT_CHK: a message whose length does not fit is
// dropped silently with what follows it; one without NLM_F_REQUEST, a
// control message, or a request too short to carry its family byte is
// only acknowledged when it asks for it (NLM_F_ACK); a dump of links or
// addresses is served (addresses filtered by family: AF_INET, AF_INET6,
// or all for any other); every other request answers EOPNOTSUPP. Error
// messages carry only the request's header (NLM_F_CAPPED), as with
// NETLINK_CAP_ACK.
//
// Trap context: all of it; no allocation, fixed arrays only.
package netlink
