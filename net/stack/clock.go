package stack

import (
	"time"

	"gvisor.dev/gvisor/pkg/gohacks"
	"gvisor.dev/gvisor/pkg/tcpip"

	"github.com/coracle-os/coracle/kernel/sysgo"
)

// clock is the netstack's clock (gstack.Options.Clock): gVisor's
// standard clock with two costs taken out of every segment's path.
//
//   - NowMonotonic reads the runtime's monotonic clock alone. The
//     standard clock takes time.Since of a base time, which reads the
//     wall clock too; netstack asks for the time a few times per segment
//     (timestamps, timers, RTT), and under emulation each read is a
//     vDSO call of some hundreds of nanoseconds.
//   - A timer's function (retransmission, probe, delayed ACK, TIME-WAIT)
//     runs on a new goroutine, which the runtime starts on its smallest
//     stack; the function sends a segment, which outgrows that stack
//     several times. It grows it once first (sysgo.GrowStack).
type clock struct{}

// Now implements tcpip.Clock.
func (clock) Now() time.Time { return time.Now() }

// NowMonotonic implements tcpip.Clock.
func (clock) NowMonotonic() tcpip.MonotonicTime {
	return tcpip.MonotonicTime{}.Add(time.Duration(gohacks.Nanotime()))
}

// AfterFunc implements tcpip.Clock.
func (clock) AfterFunc(d time.Duration, f func()) tcpip.Timer {
	return tcpip.NewStdTimer(time.AfterFunc(d, func() {
		sysgo.GrowStack()
		f()
	}))
}
