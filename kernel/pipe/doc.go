// Package pipe is the logic of a Linux pipe (pipe(7)): a ring of
// Capacity bytes with a count of open read ends and write ends, and the
// rules that say what a read, a write and epoll see. The kernel owns the
// memory and the blocking: it gives each pipe Pages page-sized buffers
// (frames of its own, named by address and reached through a Memory),
// copies user memory in and out through Put and Take, parks threads on
// WouldBlock and makes their calls again when the pipe changes.
//
// The rules, as Linux's fs/pipe.c has them:
//
//   - A read takes what is there, up to the count. An empty pipe is at
//     end of file (read returns 0) once no write end remains, and
//     otherwise would block.
//   - A write of at most PIPE_BUF bytes is atomic: it goes in whole or
//     would block. A larger write starts once a page (PIPE_BUF bytes) is
//     free or it fits whole, and may be split: it takes what room there
//     is and, when blocking, waits for the rest.
//   - A write with no read end left is broken (EPIPE, and SIGPIPE).
//   - The read end is readable (EPOLLIN) while data is buffered and hung
//     up (EPOLLHUP) once no write end remains; the write end is writable
//     (EPOLLOUT) while at least a page is free and in error (EPOLLERR)
//     once no read end remains.
//
// Linux keeps a pipe as 16 page buffers and merges small writes into
// the last one, so a pipe filled by small writes and reads in turn may
// hold less than 64 KiB there; here the ring always holds Capacity
// bytes. Readiness agrees: whenever the write end is writable, every
// write makes progress.
//
// Trap context: all. Nothing here allocates, blocks, takes a lock,
// stores a pointer (buffers are named by address) or panics, so system
// calls may use any of it with interrupts off; the tests check the
// allocation rule.
package pipe
