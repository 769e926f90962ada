// Pipeprobe exercises pipes as Go programs use them and prints what it
// saw, one line per check, in words that do not depend on timing: the
// integration test runs it natively on the host and in the guest and
// compares the two. os.Pipe goes through the netpoller (non-blocking
// descriptors, epoll, deadlines); syscall.Pipe2 gives raw descriptors
// that block in the kernel.
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// pr prints the lines, each behind the prefix "pipeprobe:".
var pr = probe.P("pipeprobe")

func main() {
	if len(os.Args) > 1 && os.Args[1] == "exhaust" {
		exhaust()
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "nofile" {
		nofile()
		return
	}
	goroutines()
	brokenPipe()
	blocking()
	nonBlocking()
	atomicWrites()
	deadlines()
	stat()
	descriptors()
	capture()
	pr.Printf("done")
}

// payload is n bytes that are not all alike.
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i>>9)
	}
	return b
}

// goroutines sends a megabyte through os.Pipe from one goroutine to
// another: both block in the netpoller in turn, 64 KiB at a time.
func goroutines() {
	r, w := must2(os.Pipe())
	data := payload(1 << 20)
	go func() {
		for off := 0; off < len(data); off += 100_000 {
			must(w.Write(data[off:min(off+100_000, len(data))]))
		}
		w.Close()
	}()
	got := must(io.ReadAll(r))
	r.Close()
	pr.Printf("os.Pipe carried %d bytes between goroutines, intact %v, then EOF", len(got), sha256.Sum256(got) == sha256.Sum256(data))
}

// brokenPipe writes after the read end closed: EPIPE, and SIGPIPE
// (which the runtime hands to os/signal and otherwise ignores on
// descriptors other than 1 and 2), and the program goes on.
func brokenPipe() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGPIPE)
	defer signal.Stop(sig)
	r, w := must2(os.Pipe())
	r.Close()
	_, err := w.Write([]byte("nobody reads this"))
	gotSig := false
	select {
	case <-sig:
		gotSig = true
	case <-time.After(5 * time.Second):
	}
	w.Close()
	pr.Printf("write with no reader: EPIPE %v, SIGPIPE raised %v, still running", errors.Is(err, syscall.EPIPE), gotSig)

	// Without os/signal the runtime ignores it: the program survives.
	signal.Stop(sig)
	var p [2]int
	pr.Check(syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	syscall.Close(p[0])
	_, err = syscall.Write(p[1], []byte("x"))
	syscall.Close(p[1])
	pr.Printf("raw write with no reader: %v, still running", err)
}

// blocking uses raw descriptors without O_NONBLOCK: a read of an empty
// pipe waits for a writer, and a write larger than the pipe goes in
// piece by piece as the reader drains it, returning only when all of it
// is in.
func blocking() {
	var p [2]int
	pr.Check(syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	go func() {
		time.Sleep(50 * time.Millisecond)
		must(syscall.Write(p[1], []byte("late")))
	}()
	buf := make([]byte, 64)
	n := must(syscall.Read(p[0], buf))
	pr.Printf("blocking read waited for %q", buf[:n])

	data := payload(300_000)
	wrote := make(chan int)
	go func() {
		wrote <- must(syscall.Write(p[1], data))
	}()
	time.Sleep(50 * time.Millisecond) // the writer fills the pipe and waits
	var got []byte
	rb := make([]byte, 20000)
	for len(got) < len(data) {
		n := must(syscall.Read(p[0], rb))
		got = append(got, rb[:n]...)
	}
	pr.Printf("blocking write of %d returned %d, data intact %v", len(data), <-wrote, bytes.Equal(got, data))

	syscall.Close(p[1])
	n, err := syscall.Read(p[0], buf)
	pr.Printf("blocking read after the writer closed: %d %v", n, err)
	syscall.Close(p[0])

	// A blocking write waiting for room when the reader goes away
	// returns what went in (and raises SIGPIPE, which the runtime
	// ignores here).
	pr.Check(syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	type result struct {
		n   int
		err error
	}
	cut := make(chan result)
	go func() {
		n, err := syscall.Write(p[1], data)
		cut <- result{n, err}
	}()
	time.Sleep(100 * time.Millisecond) // the writer fills the pipe and waits
	must(syscall.Read(p[0], buf[:10])) // less than a page: it still waits
	time.Sleep(50 * time.Millisecond)
	syscall.Close(p[0])
	r := <-cut
	pr.Printf("blocking write when the reader closed: %d of %d went in, %v", r.n, len(data), r.err)
	_, err = syscall.Write(p[1], data)
	pr.Printf("and the next write: %v", err)
	syscall.Close(p[1])
}

// nonBlocking fills a pipe through O_NONBLOCK descriptors: 64 KiB, and
// then EAGAIN; PIPE_BUF-sized writes are never split.
func nonBlocking() {
	var p [2]int
	pr.Check(syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC))
	buf := make([]byte, 8192)
	_, err := syscall.Read(p[0], buf)
	pr.Printf("non-blocking read of an empty pipe: %v", err)
	flags := must(fcntl(p[1], syscall.F_GETFL))
	pr.Printf("write end F_GETFL: O_WRONLY %v O_NONBLOCK %v", flags&syscall.O_ACCMODE == syscall.O_WRONLY, flags&syscall.O_NONBLOCK != 0)

	total := 0
	for {
		n, err := syscall.Write(p[1], make([]byte, 4096))
		if err != nil {
			pr.Printf("non-blocking fill took %d bytes, then %v", total, err)
			break
		}
		total += n
	}
	must(syscall.Read(p[0], buf[:1]))
	_, err = syscall.Write(p[1], make([]byte, 4096))
	pr.Printf("PIPE_BUF write with one byte free: %v", err)
	must(syscall.Read(p[0], buf[:4095]))
	n, err := syscall.Write(p[1], make([]byte, 4097))
	pr.Printf("PIPE_BUF+1 write with a page free: %d %v", n, err)
	n, err = syscall.Write(p[1], make([]byte, 100_000))
	pr.Printf("large write to a full pipe: %d %v", n, err)
	syscall.Close(p[1])
	total = 0
	for {
		n, err := syscall.Read(p[0], buf)
		if n <= 0 {
			pr.Printf("drained %d bytes, then %d %v", total, n, err)
			break
		}
		total += n
	}
	syscall.Close(p[0])
}

// exhaust makes pipes until the system says no, closes them, and makes
// as many again: their buffers came back. The limit is the system's
// (coracle's pipe table, or memory in a small VM), not Linux's, so only
// the guest runs this.
func exhaust() {
	var ends []int
	var err error
	for {
		var p [2]int
		if err = syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			break
		}
		ends = append(ends, p[0], p[1])
		must(syscall.Write(p[1], payload(65536))) // touch every buffer page
	}
	made := len(ends) / 2
	for _, fd := range ends {
		syscall.Close(fd)
	}
	again := 0
	ends = ends[:0]
	for range made {
		var p [2]int
		if syscall.Pipe2(p[:], 0) != nil {
			break
		}
		ends = append(ends, p[0], p[1])
		again++
	}
	for _, fd := range ends {
		syscall.Close(fd)
	}
	pr.Printf("made %d pipes, then %v (%d); after closing them, %d again", made, err, int(err.(syscall.Errno)), again)
}

// nofile sets RLIMIT_NOFILE to 1024 (Linux's default soft limit) and
// makes pipes, each holding a little data, until the system says no:
// with descriptors the limit, the count and the error are the same
// natively and in the guest. It closes them and makes as many again.
func nofile() {
	lim := syscall.Rlimit{Cur: 1024, Max: 1024}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		pr.Fail("setrlimit: %v", err)
	}
	var ends []int
	var err error
	for {
		var p [2]int
		if err = syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			break
		}
		ends = append(ends, p[0], p[1])
		must(syscall.Write(p[1], []byte("x")))
	}
	made := len(ends) / 2
	full := freeFDs(1024) < 2
	for _, fd := range ends {
		syscall.Close(fd)
	}
	again := 0
	ends = ends[:0]
	for range made {
		var p [2]int
		if syscall.Pipe2(p[:], syscall.O_CLOEXEC) != nil {
			break
		}
		ends = append(ends, p[0], p[1])
		again++
	}
	for _, fd := range ends {
		syscall.Close(fd)
	}
	// Descriptors the program inherited differ from run to run: what
	// matters is that only the limit stopped it.
	pr.Printf("more than 100 pipes: %v; then %v (%d) with fewer than two descriptors free: %v; after closing them, as many again: %v",
		made > 100, err, int(err.(syscall.Errno)), full, again == made)
	pr.Printf("done")
}

// freeFDs counts the descriptors below limit that are not open.
func freeFDs(limit int) int {
	free := 0
	for fd := range limit {
		if _, err := fcntl(fd, syscall.F_GETFD); err != nil {
			free++
		}
	}
	return free
}

func fcntl(fd, cmd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// atomicWrites has four writers share one blocking pipe, each writing
// PIPE_BUF-sized blocks of its own byte: the reader must find every
// block whole, never interleaved with another writer's.
func atomicWrites() {
	var p [2]int
	pr.Check(syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	const writers, blocks = 4, 64
	var wg sync.WaitGroup
	for k := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bytes.Repeat([]byte{byte('a' + k)}, 4096)
			for range blocks {
				if n := must(syscall.Write(p[1], b)); n != len(b) {
					panic("short atomic write")
				}
			}
		}()
	}
	go func() { wg.Wait(); syscall.Close(p[1]) }()
	var all []byte
	buf := make([]byte, 10000) // not a multiple of 4096
	for {
		n := must(syscall.Read(p[0], buf))
		if n == 0 {
			break
		}
		all = append(all, buf[:n]...)
	}
	syscall.Close(p[0])
	whole := len(all) == writers*blocks*4096
	count := map[byte]int{}
	for off := 0; whole && off < len(all); off += 4096 {
		blk := all[off : off+4096]
		if !bytes.Equal(blk, bytes.Repeat(blk[:1], 4096)) {
			whole = false
		}
		count[blk[0]]++
	}
	pr.Printf("%d writers, %d PIPE_BUF writes each: every block whole %v, %d per writer %v",
		writers, blocks, whole, blocks, count['a'] == blocks && count['d'] == blocks)
}

// deadlines: the netpoller sees pipe readiness, so deadlines work.
func deadlines() {
	r, w := must2(os.Pipe())
	r.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, err := r.Read(make([]byte, 10))
	pr.Printf("read deadline on an empty pipe: %v", errors.Is(err, os.ErrDeadlineExceeded))
	w.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := w.Write(make([]byte, 100_000))
	pr.Printf("write deadline on a full pipe: %d written, %v", n, errors.Is(err, os.ErrDeadlineExceeded))
	r.SetReadDeadline(time.Time{})
	go func() {
		time.Sleep(50 * time.Millisecond)
		w.Close()
	}()
	got := must(io.ReadAll(r))
	pr.Printf("read until the writer closed: %d bytes, then EOF", len(got))
	r.Close()
}

func stat() {
	r, w := must2(os.Pipe())
	fi := must(r.Stat())
	wi := must(w.Stat())
	pr.Printf("stat: %v named pipe %v, both ends one pipe %v", fi.Mode(), fi.Mode()&os.ModeNamedPipe != 0, os.SameFile(fi, wi))
	r.Close()
	w.Close()
}

// descriptors: FIONREAD on either end, a dup of the write end keeps the
// pipe open after the original closes, and poll sees data and hang-up.
func descriptors() {
	var p [2]int
	pr.Check(syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	must(syscall.Write(p[1], payload(1234)))
	pr.Printf("FIONREAD: read end %d, write end %d", fionread(p[0]), fionread(p[1]))

	dup := must(syscall.Dup(p[1]))
	syscall.Close(p[1])
	fds := []pollFd{{fd: int32(p[0]), events: pollIn}}
	buf := make([]byte, 2000)
	n := must(syscall.Read(p[0], buf))
	pr.Printf("poll with the pipe drained and a dup of the writer open: %d ready", poll(fds, 0))
	must(syscall.Write(dup, []byte("via the dup")))
	ready := poll(fds, 1000)
	m := must(syscall.Read(p[0], buf))
	pr.Printf("read %d, then through the dup %q; poll %d ready, revents %#x", n, buf[:m], ready, fds[0].revents)
	syscall.Close(dup)
	ready = poll(fds, 1000)
	pr.Printf("after the last writer closed: poll %d ready, revents %#x", ready, fds[0].revents)
	syscall.Close(p[0])
}

func fionread(fd int) int {
	var n int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); e != 0 {
		return -int(e)
	}
	return int(n)
}

type pollFd struct {
	fd              int32
	events, revents int16
}

const pollIn = 0x1

func poll(fds []pollFd, ms int) int {
	r, _, e := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)), uintptr(ms))
	if e != 0 {
		return -int(e)
	}
	return int(r)
}

// capture does what package testing does to check an Example: point
// os.Stdout at a pipe, run it, read what it printed.
func capture() {
	stdout := os.Stdout
	r, w := must2(os.Pipe())
	os.Stdout = w
	out := make(chan string)
	go func() {
		var b bytes.Buffer
		_, err := io.Copy(&b, r)
		r.Close()
		pr.Check(err)
		out <- b.String()
	}()
	fmt.Println("hello from an example")
	fmt.Printf("%d lines\n", 2)
	w.Close()
	os.Stdout = stdout
	pr.Printf("captured %q", <-out)
}

func must[T any](v T, err error) T {
	pr.Check(err)
	return v
}

func must2[T, U any](a T, b U, err error) (T, U) {
	pr.Check(err)
	return a, b
}
