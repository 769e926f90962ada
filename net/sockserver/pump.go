package sockserver

import (
	"io"

	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// pump moves bytes of a connected socket: from the endpoint into the
// receive ring, from the transmit ring into the endpoint, until the
// socket closes.
func (sv *Service) pump(c *conn) {
	rx := socktab.RingData(c.id, true)
	tx := socktab.RingData(c.id, false)
	rxDone, shutDone, txFailed := false, false, false
	for {
		moved := false
		if !rxDone {
			n, eof, err := receive(c, rx)
			switch {
			case err != nil:
				c.s.Err.Store(int32(errno(err)))
				rxDone = true
				c.s.RxEOF.Store(true)
			case eof:
				rxDone = true
				c.s.RxEOF.Store(true)
			}
			moved = moved || n > 0 || rxDone
		}
		n := 0
		if !txFailed {
			var err tcpip.Error
			c.txMu.Lock()
			n, err = send(c, tx)
			c.txMu.Unlock()
			if err != nil {
				// The connection cannot send any more: the
				// program's next write reports it.
				c.s.Err.Store(int32(errno(err)))
				txFailed = true
				moved = true
			}
		}
		moved = moved || n > 0
		if c.closing.Load() && (txFailed || c.s.Tx.Used() == 0) {
			sv.teardown(c)
			return
		}
		if !shutDone && c.s.TxShut.Load() && c.s.Tx.Used() == 0 {
			c.ep.Shutdown(tcpip.ShutdownWrite)
			shutDone = true
		}
		if !c.settle(moved) {
			return
		}
	}
}

// sendNow sends what the program just wrote, on the service loop's
// goroutine, for a connection whose pump runs: handing the bytes to the
// pump would cost a goroutine switch per write, and on more than one CPU
// a wake-up of another CPU. It reports whether all of it went; if not
// (netstack's send buffer is full, or the connection failed) the pump
// takes over: it sends the rest when the endpoint has room and records
// the error.
func (sv *Service) sendNow(c *conn) bool {
	if c.s.Type != socktab.Stream || c.closing.Load() {
		return false
	}
	sv.mu.Lock()
	pumping := c.pumping
	sv.mu.Unlock()
	if !pumping {
		return false
	}
	c.txMu.Lock()
	n, err := send(c, socktab.RingData(c.id, false))
	c.txMu.Unlock()
	if n > 0 {
		devcall.SockNotify(c.id) // room in the ring: epoll must see it
	}
	return err == nil && c.s.Tx.Used() == 0
}

// receive reads from the endpoint into the free part of the ring.
func receive(c *conn, ring []byte) (n int, eof bool, err tcpip.Error) {
	r := &c.s.Rx
	tail, free := r.Writable()
	if free == 0 {
		return 0, false, nil
	}
	off := tail % socktab.RingSize
	w := tcpip.SliceWriter(ring[off:min(off+free, socktab.RingSize)])
	res, terr := c.ep.Read(&w, tcpip.ReadOptions{})
	switch terr.(type) {
	case nil:
	case *tcpip.ErrWouldBlock:
		return 0, false, nil
	case *tcpip.ErrClosedForReceive:
		return 0, true, nil
	default:
		return 0, false, terr
	}
	r.Tail.Store(tail + uint64(res.Count))
	return res.Count, false, nil
}

// send writes the ring's pending bytes to the endpoint.
func send(c *conn, ring []byte) (int, tcpip.Error) {
	t := &c.s.Tx
	head, tail := t.Readable()
	if head == tail {
		return 0, nil
	}
	off := head % socktab.RingSize
	p := &payload{b: ring[off:min(off+(tail-head), socktab.RingSize)]}
	n, err := c.ep.Write(p, tcpip.WriteOptions{})
	if _, block := err.(*tcpip.ErrWouldBlock); block {
		err = nil
	}
	t.Head.Store(head + uint64(n))
	return int(n), err
}

// payload is a tcpip.Payloader over ring bytes.
type payload struct{ b []byte }

func (p *payload) Read(b []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.b)
	p.b = p.b[n:]
	return n, nil
}

// Len implements tcpip.Payloader.
func (p *payload) Len() int { return len(p.b) }

// settle ends a pass of a pump: if it moved anything it tells the kernel
// (epoll must see the change) and goes round again at once; otherwise it
// waits for the endpoint or the kernel. It reports false when the socket
// is gone.
func (c *conn) settle(moved bool) bool {
	if moved {
		devcall.SockNotify(c.id)
		return true
	}
	select {
	case <-c.ev:
	case <-c.kick:
	case <-c.done:
		return false
	}
	return true
}
