// Package schedcheck validates the scheduler's state across CPUs: what
// the kernel's coracle.checksched parameter checks at every schedule. The
// kernel copies its thread table and per-CPU state into the views here
// and stops with the report Check returns.
//
// Trap context: Check runs there (under the kernel lock); it allocates
// nothing and returns constant strings.
package schedcheck

// Thread states, as the kernel numbers them.
const (
	Free     = 0
	Runnable = 1
	Running  = 2
	Blocked  = 3
)

// Thread is one slot of the thread table.
type Thread struct {
	State   uint8
	OnCPU   int32 // the CPU it runs on while Running
	Allowed bool  // its affinity allows OnCPU
	OnFutex bool  // it is on the futex wait queue
	Futex   bool  // it waits for a futex (waitFutex)
}

// CPU is one CPU's scheduling state.
type CPU struct {
	Scheduling bool // runs threads
	Current    int  // slot it runs or last ran
	Idle       bool // halted in the idle loop
}

// Check reports the first inconsistency of threads and cpus, seen by
// CPU self right after it chose its thread, or "" when there is none:
//
//   - self runs a thread: its current slot is Running on self;
//   - every Running thread runs on a CPU that schedules, is that CPU's
//     current and is not idle there, and is allowed there: so each
//     thread runs on at most one CPU;
//   - no more threads run than CPUs schedule;
//   - a free slot is on no wait queue, and only futex waiters are on
//     the futex queue.
func Check(threads []Thread, cpus []CPU, self int) string {
	if self < 0 || self >= len(cpus) || !cpus[self].Scheduling {
		return "the calling CPU does not schedule threads"
	}
	c := cpus[self].Current
	if c < 0 || c >= len(threads) || threads[c].State != Running || int(threads[c].OnCPU) != self {
		return "the calling CPU's current thread is not running on it"
	}
	running, scheduling := 0, 0
	for _, cpu := range cpus {
		if cpu.Scheduling {
			scheduling++
		}
	}
	for i, t := range threads {
		switch t.State {
		case Running:
			running++
			on := int(t.OnCPU)
			switch {
			case on < 0 || on >= len(cpus) || !cpus[on].Scheduling:
				return "a running thread names no CPU that schedules threads"
			case cpus[on].Current != i:
				return "a running thread is not its CPU's current thread"
			case cpus[on].Idle:
				return "a running thread's CPU is idle"
			case !t.Allowed:
				return "a running thread runs on a CPU its affinity excludes"
			}
		case Free:
			if t.OnFutex {
				return "a free slot is on the futex queue"
			}
		case Runnable, Blocked:
		default:
			return "a thread has an unknown state"
		}
		if t.OnFutex && !(t.State == Blocked && t.Futex) {
			return "a thread on the futex queue is not waiting for a futex"
		}
	}
	if running > scheduling {
		return "more threads run than CPUs schedule"
	}
	return ""
}
