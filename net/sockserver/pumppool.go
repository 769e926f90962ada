package sockserver

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/kernel/sysgo"
)

// Pumps run on a pool of goroutines that outlive their connections.
//
// A pump calls deep into netstack (a write goes through TCP, IP, the
// link and the driver), so a new goroutine's stack, which starts at
// 2 KiB, is copied to a larger one several times during its first
// request. With a new connection per request that cost every request
// over 8% of the CPU (runtime.copystack in a profile of
// `wrk -H "Connection: close"`). A pump that has finished its
// connection waits for the next one instead, with the stack it grew, and
// a new pump grows its stack in one step before it starts
// (sysgo.GoDeep): with 64 clients on new connections, pumps still came
// and went often enough that their growth was 4% of the CPU.

// maxIdlePumps bounds the goroutines that wait for a connection: each
// keeps its stack (tens of KiB) until the garbage collector shrinks it.
const maxIdlePumps = 16

// runPump runs the pump of c on an idle pump goroutine, or a new one.
func (sv *Service) runPump(c *conn) {
	select {
	case sv.idlePumps <- c:
	default:
		sysgo.GoDeep(func() { sv.pumpLoop(c) })
	}
}

// pumpLoop pumps c, then the connections runPump hands it, until more
// than maxIdlePumps wait.
func (sv *Service) pumpLoop(c *conn) {
	for {
		sv.startPump(c)
		if sv.idle.Add(1) > maxIdlePumps {
			sv.idle.Add(-1)
			return
		}
		c = <-sv.idlePumps
		sv.idle.Add(-1)
	}
}

// pumpPool is the Service's part for runPump.
type pumpPool struct {
	idlePumps chan *conn // unbuffered: a send succeeds only to a waiting pump
	idle      atomic.Int32
}
