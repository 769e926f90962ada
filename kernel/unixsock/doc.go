// Package unixsock is the logic of Linux's AF_UNIX sockets (unix(7)):
// stream, datagram and sequenced-packet sockets, their names (paths and
// the abstract namespace), listening, connecting and accepting, the
// receive buffers with their message boundaries, shutdown and close,
// and what epoll sees in each state. The kernel owns the memory, the
// file system and the waiting: it gives each socket Pages page-sized
// buffers (frames, named by address and reached through a Memory),
// makes the socket inode a path name needs, copies user memory in and
// out through the ring methods, parks threads on EAGAIN and makes their
// calls again when a socket changes.
//
// The rules, as Linux's net/unix/af_unix.c has them:
//
//   - A socket receives into its own ring. A stream socket's ring holds
//     bytes; a datagram or sequenced-packet socket's holds messages,
//     each a header (length, the sender's name) and the payload, read
//     whole or cut short (MSG_TRUNC).
//   - connect on a stream or sequenced-packet socket makes a new
//     socket, connected to the caller, and queues it on the listener,
//     which holds at most its backlog plus one (EAGAIN beyond); accept
//     takes it. A name with no listener refuses (ECONNREFUSED), one of
//     another type answers EPROTOTYPE.
//   - A datagram socket may send to any socket of its type that is not
//     connected to another (EPERM); connect sets the default
//     destination, and only that peer may send to it.
//   - shutdown sets the socket's own shutdown bits and, on a connected
//     stream or sequenced-packet socket, the opposite bits of its peer;
//     close shuts the peer down both ways, with ECONNRESET pending if
//     data was left unread. A datagram socket whose peer closed learns
//     it at its next send (ECONNREFUSED) and is disconnected.
//
// Trap context: all. Nothing here allocates, blocks, takes a lock,
// stores a pointer (buffers are named by address, sockets by index) or
// panics, so system calls may use any of it with interrupts off.
package unixsock
