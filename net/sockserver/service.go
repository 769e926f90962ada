// Package sockserver is the socket service: the goroutines that make the
// kernel's sockets (kernel/abi/socktab) real on gVisor's netstack. The
// kernel completes every socket system call itself and leaves work in
// each socket's Work bits; the service waits for that work
// (a descriptor from devcall.SockRegister, read through the netpoller), creates, binds, listens and connects netstack
// endpoints, accepts connections into listeners' queues, and pumps bytes
// between each connection's rings and its endpoint, telling the kernel of
// every change (devcall.SockNotify) so that epoll, and with it the Go
// runtime's netpoller, sees it. TCP and UDP over IPv4 and IPv6.
//
// Trap context: none. It runs in goroutines (docs/network.md).
package sockserver

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/sysgo"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// conn is the service's side of one socket.
type conn struct {
	id   int
	s    *socktab.Socket
	ep   tcpip.Endpoint
	wq   *waiter.Queue
	ev   chan struct{} // the endpoint's readiness changed
	kick chan struct{} // the kernel left work (Tx data, Rx space, close)
	done chan struct{}
	// entry follows the endpoint's readiness into ev, from adopt to
	// teardown.
	entry waiter.Entry

	// pumping says a pump moves this socket's data; closing asks it to
	// send what the program wrote, then tear the socket down.
	pumping bool // guarded by Service.mu
	closing atomic.Bool

	// txMu serializes sends from the transmit ring: the pump's, and the
	// service loop's when the program writes (sendNow); for a datagram
	// socket also the loop's work (its bind and connect) against the
	// pump's sends.
	txMu sync.Mutex
}

// Service serves the kernel's sockets on a netstack.
type Service struct {
	pumpPool
	ns       *gstack.Stack
	listened func() // see Serve; nil for none
	mu       sync.Mutex
	conns    [socktab.MaxSockets]*conn // guarded by mu
}

// Serve starts the service on ns. Call it once, from an init function,
// before the program makes socket calls. listened, if not nil, runs
// each time a netstack listener has opened: SYNs that arrived for it
// between listen(2) and then were held (net/stack's ReleaseSYNs).
func Serve(ns *gstack.Stack, listened func()) *Service {
	sv := &Service{ns: ns, listened: listened, pumpPool: pumpPool{idlePumps: make(chan *conn)}}
	work, err := devcall.SockRegister() // socket() works from now on
	if err != nil {
		panic("coracle: socket service: " + err.Error())
	}
	sysgo.Go(func() { sv.loop(work) })
	return sv
}

func (sv *Service) loop(work *devcall.Events) {
	for {
		if _, err := work.Wait(); err != nil {
			panic("coracle: socket service: " + err.Error())
		}
		for id := range socktab.Used() {
			s := &socktab.Table[id]
			// Load first: most sockets have no work, and a plain load
			// costs far less than the locked exchange.
			if s.Work.Load() != 0 {
				sv.work(id, s)
			}
		}
	}
}

// work does what the kernel asked of socket id.
//
// A datagram socket's pump sends from the transmit ring whenever it
// runs, on a CPU of its own: it must not send while this socket's bind
// or connect is still to be applied, or netstack would bind the endpoint
// to a port of its choosing for the send and the bind would then fail.
// So the work is taken and done holding the pump's txMu, and a new
// datagram socket's pump starts only after its first work is done.
func (sv *Service) work(id int, s *socktab.Socket) {
	c := sv.get(id)
	if c != nil && s.Type == socktab.Dgram {
		c.txMu.Lock()
		defer c.txMu.Unlock()
	}
	w := s.Work.Swap(0)
	if w == 0 {
		return
	}
	if w&socktab.WorkCreate != 0 && c == nil {
		c = sv.create(id, s)
		if c != nil && s.Type == socktab.Dgram {
			defer sysgo.Go(func() { sv.dgramPump(c) })
		}
	}
	if c == nil {
		if w&socktab.WorkClose != 0 {
			s.State.Store(socktab.Free)
		}
		return
	}
	if w&(socktab.WorkCreate|socktab.WorkOptions) != 0 {
		applyOptions(c)
	}
	if w&socktab.WorkBind != 0 {
		dgramBind(c)
	}
	if w&socktab.WorkListen != 0 {
		sv.listen(c)
	}
	if w&socktab.WorkConnect != 0 {
		if s.Type == socktab.Dgram {
			dgramConnect(c)
		} else {
			sysgo.Go(func() { sv.connect(c) })
		}
	}
	if w&socktab.WorkTx != 0 && sv.sendNow(c) {
		w &^= socktab.WorkTx
	}
	if w&(socktab.WorkTx|socktab.WorkRxSpace|socktab.WorkShutWr|socktab.WorkAccepted) != 0 {
		poke(c.kick)
	}
	if w&socktab.WorkClose != 0 {
		sv.close(c)
	}
}

func (sv *Service) get(id int) *conn {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.conns[id]
}

func netProto(family int32) tcpip.NetworkProtocolNumber {
	if family == 10 {
		return ipv6.ProtocolNumber
	}
	return ipv4.ProtocolNumber
}

// create makes the endpoint for a new socket of the program's.
func (sv *Service) create(id int, s *socktab.Socket) *conn {
	wq := new(waiter.Queue)
	proto := tcp.ProtocolNumber
	if s.Type == socktab.Dgram {
		proto = udp.ProtocolNumber
	}
	ep, err := sv.ns.NewEndpoint(proto, netProto(s.Family), wq)
	if err != nil {
		fail(s, id, err)
		return nil
	}
	c := sv.adopt(id, s, ep, wq)
	if s.Type == socktab.Dgram {
		// A datagram socket moves data from the start. Mark it pumping
		// now, not when its pump (which work starts) first runs: a
		// close that comes in the same batch of work as a send must
		// leave the pump to send it.
		sv.mu.Lock()
		c.pumping = true
		sv.mu.Unlock()
	}
	return c
}

// adopt tracks ep as socket id and follows its readiness.
func (sv *Service) adopt(id int, s *socktab.Socket, ep tcpip.Endpoint, wq *waiter.Queue) *conn {
	c := &conn{id: id, s: s, ep: ep, wq: wq,
		ev: make(chan struct{}, 1), kick: make(chan struct{}, 1), done: make(chan struct{})}
	c.entry = waiter.NewFunctionEntry(waiter.EventIn|waiter.EventOut|waiter.EventErr|waiter.EventHUp|waiter.EventRdHUp,
		func(waiter.EventMask) { poke(c.ev) })
	wq.EventRegister(&c.entry)
	sv.mu.Lock()
	sv.conns[id] = c
	sv.mu.Unlock()
	return c
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// fail records err as the socket's pending error.
func fail(s *socktab.Socket, id int, err tcpip.Error) {
	s.Err.Store(int32(errno(err)))
	devcall.SockNotify(id)
}

func fullAddress(a socktab.Addr, family int32) tcpip.FullAddress {
	fa := tcpip.FullAddress{Port: a.Port}
	switch {
	case a.Len == 4 && family == 10:
		var m [16]byte
		m[10], m[11] = 0xff, 0xff
		copy(m[12:], a.IP[:4])
		fa.Addr = tcpip.AddrFrom16(m)
	case a.Len == 4:
		fa.Addr = tcpip.AddrFrom4Slice(a.IP[:4])
	case a.Len == 16:
		fa.Addr = tcpip.AddrFrom16(a.IP)
	}
	return fa
}

func sockAddr(fa tcpip.FullAddress) socktab.Addr {
	a := socktab.Addr{Port: fa.Port}
	b := fa.Addr.AsSlice()
	switch len(b) {
	case 4:
		copy(a.IP[:], b)
		a.Len = 4
	case 16:
		copy(a.IP[:], b)
		a.Len = 16
		a.Unmap4()
	}
	return a
}

func applyOptions(c *conn) {
	so := c.ep.SocketOptions()
	o := c.s.Options.Load()
	so.SetReuseAddress(o&socktab.OptReuseAddr != 0)
	so.SetKeepAlive(o&socktab.OptKeepAlive != 0)
	so.SetDelayOption(o&socktab.OptNoDelay == 0)
	so.SetV6Only(o&socktab.OptV6Only != 0)
	so.SetBroadcast(o&socktab.OptBroadcast != 0)
	if v := c.s.KeepIdle.Load(); v > 0 {
		opt := tcpip.KeepaliveIdleOption(time.Duration(v) * time.Second)
		c.ep.SetSockOpt(&opt)
	}
	if v := c.s.KeepIntvl.Load(); v > 0 {
		opt := tcpip.KeepaliveIntervalOption(time.Duration(v) * time.Second)
		c.ep.SetSockOpt(&opt)
	}
	if v := c.s.KeepCnt.Load(); v > 0 {
		c.ep.SetSockOptInt(tcpip.KeepaliveCountOption, int(v))
	}
}

// listen binds and listens, then accepts connections into the socket's
// accept queue.
func (sv *Service) listen(c *conn) {
	if err := c.ep.Bind(fullAddress(c.s.Local, c.s.Family)); err != nil {
		fail(c.s, c.id, err)
		return
	}
	if err := c.ep.Listen(int(c.s.Backlog)); err != nil {
		fail(c.s, c.id, err)
		return
	}
	if sv.listened != nil {
		sv.listened()
	}
	sysgo.Go(func() { sv.accept(c) })
}

func (sv *Service) accept(l *conn) {
	for {
		// Take a connection from netstack only when the program's
		// queue has room for it: until then netstack holds completed
		// connections in its own backlog and, past that, drops SYNs,
		// which the peer sends again (as Linux does with a full queue).
		if l.s.AcceptTail.Load()-l.s.AcceptHead.Load() >= uint32(l.s.Backlog) {
			select {
			case <-l.kick:
				continue
			case <-l.done:
				return
			}
		}
		var peer tcpip.FullAddress
		ep, wq, err := l.ep.Accept(&peer)
		if _, block := err.(*tcpip.ErrWouldBlock); block {
			select {
			case <-l.ev:
				continue
			case <-l.kick:
				continue
			case <-l.done:
				return
			}
		}
		if err != nil {
			fail(l.s, l.id, err)
			return
		}
		id := socktab.Alloc(l.s.Family, socktab.Stream)
		if id < 0 {
			ep.Close() // no socket left (ENFILE): the peer sees a reset
			continue
		}
		t := l.s.AcceptTail.Load()
		s := &socktab.Table[id]
		s.Peer = sockAddr(peer)
		if local, err := ep.GetLocalAddress(); err == nil {
			s.Local = sockAddr(local)
		}
		s.State.Store(socktab.Connected)
		c := sv.adopt(id, s, ep, wq)
		sv.runPump(c)
		l.s.AcceptQ[t%socktab.AcceptQueue].Store(int32(id))
		l.s.AcceptTail.Store(t + 1)
		devcall.SockNotify(l.id)
	}
}

// connect connects a socket and starts its pump.
func (sv *Service) connect(c *conn) {
	if c.s.Bound && c.s.Local.Port != 0 {
		if err := c.ep.Bind(fullAddress(c.s.Local, c.s.Family)); err != nil {
			c.s.State.Store(socktab.Open)
			fail(c.s, c.id, err)
			return
		}
	}
	err := c.ep.Connect(fullAddress(c.s.Peer, c.s.Family))
	for {
		if _, started := err.(*tcpip.ErrConnectStarted); !started {
			if _, already := err.(*tcpip.ErrAlreadyConnecting); !already {
				break
			}
		}
		select {
		case <-c.ev:
		case <-c.done:
			return
		}
		if c.ep.Readiness(waiter.EventOut|waiter.EventErr|waiter.EventHUp) == 0 {
			err = &tcpip.ErrConnectStarted{}
			continue
		}
		err = c.ep.LastError()
	}
	if err != nil {
		c.s.State.Store(socktab.Open)
		fail(c.s, c.id, err)
		return
	}
	if local, err := c.ep.GetLocalAddress(); err == nil {
		c.s.Local = sockAddr(local)
	}
	c.s.State.Store(socktab.Connected)
	devcall.SockNotify(c.id)
	sv.startPump(c)
}

// close closes the socket once its pump, if it has one, has sent what
// the program wrote before closing (Linux sends it too).
func (sv *Service) close(c *conn) {
	sv.mu.Lock()
	pumping := c.pumping
	sv.mu.Unlock()
	if pumping {
		c.closing.Store(true)
		poke(c.kick)
		return
	}
	sv.teardown(c)
}

// teardown closes the endpoint and frees the socket. A socket whose
// rings may have gone past their first page (a position beyond it, which
// every ring that restarted at its start has) has the kernel take those
// pages back first: the next socket in the slot need not stream.
func (sv *Service) teardown(c *conn) {
	sv.mu.Lock()
	sv.conns[c.id] = nil
	sv.mu.Unlock()
	c.wq.EventUnregister(&c.entry)
	close(c.done)
	c.ep.Close()
	if c.s.Rx.Tail.Load() > ringPage || c.s.Tx.Tail.Load() > ringPage {
		devcall.SockRelease(c.id)
	}
	c.s.State.Store(socktab.Free)
}

// ringPage is the size of a ring's pages, each backed by a frame from
// its first touch on.
const ringPage = 4096

// startPump runs pump for a connected stream socket, which is told to
// close at once if the program already closed it.
func (sv *Service) startPump(c *conn) {
	sv.mu.Lock()
	c.pumping = true
	sv.mu.Unlock()
	if c.s.State.Load() == socktab.Closing {
		c.closing.Store(true)
	}
	sv.pump(c)
}
