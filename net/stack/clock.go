package stack

import (
	"time"

	"gvisor.dev/gvisor/pkg/gohacks"
	"gvisor.dev/gvisor/pkg/tcpip"

	"github.com/coracle-os/coracle/kernel/sysgo"
)

// clock is the netstack's clock (gstack.Options.Clock): gVisor's
// standard clock, but for NowMonotonic, which reads the runtime's
// monotonic clock alone. The standard clock takes time.Since of a base
// time, which reads the wall clock too; netstack asks for the time a
// few times per segment (timestamps, timers, RTT), and under emulation
// each read is a vDSO call of some hundreds of nanoseconds: 4.8% of
// httpd's CPU with 64 clients on new connections, against 1.6% now.
//
// Timer functions run on goroutines that the runtime counts as its own
// (sysgo.Func), as it counts coracle's services: a program that counts
// its goroutines sees what it would see on Linux while a retransmission
// or TIME-WAIT timer fires. They are left to start on the runtime's
// smallest stack: growing it first (sysgo.GrowStack) saved copies for
// the sender's timers, which send, but cost more than it saved for the
// TIME-WAIT timer that every closed connection fires, which does not.
type clock struct{}

// Now implements tcpip.Clock.
func (clock) Now() time.Time { return time.Now() }

// NowMonotonic implements tcpip.Clock.
func (clock) NowMonotonic() tcpip.MonotonicTime {
	return tcpip.MonotonicTime{}.Add(time.Duration(gohacks.Nanotime()))
}

// AfterFunc implements tcpip.Clock.
func (clock) AfterFunc(d time.Duration, f func()) tcpip.Timer {
	return tcpip.NewStdTimer(time.AfterFunc(d, sysgo.Func(f)))
}
