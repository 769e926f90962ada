package kernel

import (
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/epoll"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// handlerPrefix is what every handler's name must start with: tools/trapcheck
// takes the functions that match it as trap-context roots, which is how
// it sees handlers that dispatch reaches only through the tables.
const handlerPrefix = "github.com/coracle-os/coracle/kernel.sys"

// checkEntry reports what is wrong with table row e, named name.
func checkEntry(t *testing.T, what string, name string, e *syscallEntry) {
	t.Helper()
	if e.status == callNotImplemented {
		if e.fn != nil || e.note != "" {
			t.Errorf("%s: a row with a handler or a note needs a status", what)
		}
		return
	}
	if name == "" {
		t.Errorf("%s: the number has no name: not a system call", what)
	}
	switch e.status {
	case callFull, callPartial:
		if e.fn == nil {
			t.Errorf("%s: status %s needs a handler", what, statusLabel[e.status])
		}
	case callENOSYSByDesign:
		if e.fn != nil {
			t.Errorf("%s: ENOSYS by design, yet it has a handler", what)
		}
	default:
		t.Errorf("%s: unknown status %d", what, e.status)
	}
	if e.status != callFull && e.note == "" {
		t.Errorf("%s: status %s needs a note", what, statusLabel[e.status])
	}
	if strings.ContainsAny(e.note, "|\n") {
		t.Errorf("%s: the note must be one line without '|' (a table cell): %q", what, e.note)
	}
	if e.fn != nil {
		fn := runtime.FuncForPC(reflect.ValueOf(e.fn).Pointer())
		if fn == nil || !strings.HasPrefix(fn.Name(), handlerPrefix) || strings.ContainsAny(strings.TrimPrefix(fn.Name(), handlerPrefix), ".()") {
			got := "?"
			if fn != nil {
				got = fn.Name()
			}
			t.Errorf("%s: handler %s is not a function kernel.sys*, which tools/trapcheck checks", what, got)
		} else if file, _ := fn.FileLine(fn.Entry()); !strings.HasPrefix(filepath.Base(file), "sys_") {
			t.Errorf("%s: handler %s is in %s: handlers live in sys_<area>.go", what, fn.Name(), filepath.Base(file))
		}
	}
}

func TestSyscallTable(t *testing.T) {
	for nr := range syscalls {
		name := linux.SyscallName(uint64(nr))
		checkEntry(t, "syscalls["+strconv.Itoa(nr)+"] "+name, name, &syscalls[nr])
	}
	for i := range devcalls {
		nr := devcall.SysBase + uint64(i)
		name := devcall.CallName(nr)
		checkEntry(t, "devcalls["+strconv.FormatUint(nr, 16)+"] "+name, name, &devcalls[i])
		if name != "" && devcalls[i].status == callNotImplemented {
			t.Errorf("private call %s (%#x) has no row", name, nr)
		}
	}
}

// TestSyscallNoteLimits checks that the notes that quote a limit quote
// the one the code has.
func TestSyscallNoteLimits(t *testing.T) {
	for _, c := range []struct {
		e     *syscallEntry
		limit int
	}{
		{&syscalls[linux.SYS_EVENTFD2], maxEventfds},
		{&syscalls[linux.SYS_EPOLL_CREATE1], maxEpolls},
		{&syscalls[linux.SYS_EPOLL_CTL], epoll.MaxItems},
		{&syscalls[linux.SYS_LISTEN], socktab.AcceptQueue},
		{&syscalls[linux.SYS_PRLIMIT64], nofileLimit},
		{&syscalls[linux.SYS_STATFS], tmpfs.MaxInodes},
		{&syscalls[linux.SYS_STATFS], commitReserve >> 20},
		{&devcalls[devcall.SysOpenMSI-devcall.SysBase], maxMSIs},
		{&devcalls[devcall.SysOpenIRQ-devcall.SysBase], maxIRQs - 1},
		{&devcalls[devcall.SysMapMMIO-devcall.SysBase], windowSize >> 30},
		{&devcalls[devcall.SysAllocDMA-devcall.SysBase], windowSize >> 30},
	} {
		if !strings.Contains(c.e.note, strconv.Itoa(c.limit)) {
			t.Errorf("note %q does not quote the limit, %d", c.e.note, c.limit)
		}
	}
}

// TestSockoptTable checks every socket option: named, unique, its value
// kind matching what the calls do with it, and a flag for each flag
// option.
func TestSockoptTable(t *testing.T) {
	seen := map[[2]uint64]bool{}
	for i := range sockopts {
		o := &sockopts[i]
		what := o.levelName + "/" + o.optName
		if o.levelName == "" || o.optName == "" {
			t.Errorf("sockopts[%d] (%d, %d) has no name", i, o.level, o.name)
		}
		if k := [2]uint64{o.level, o.name}; seen[k] {
			t.Errorf("%s: (%d, %d) is listed twice", what, o.level, o.name)
		} else {
			seen[k] = true
		}
		if o.set == setNone && o.get == getNone {
			t.Errorf("%s: neither settable nor readable: leave it out", what)
		}
		timeval := o.set == setTimeo || o.get == getTimeo
		if timeval != (o.kind == optTimeval) || timeval && (o.set != setTimeo || o.get != getTimeo || o.arg > 1) {
			t.Errorf("%s: a struct timeval option is a timeout both ways (arg 0 or 1), and only those are", what)
		}
		flag := o.set == setFlag || o.get == getFlag
		if flag && (o.arg == 0 || o.arg&(o.arg-1) != 0) {
			t.Errorf("%s: a flag option needs one socktab option bit, has %#x", what, o.arg)
		}
		if strings.ContainsAny(o.note, "|\n") {
			t.Errorf("%s: the note must be one line without '|': %q", what, o.note)
		}
		if findSockopt(o.level, o.name) != o {
			t.Errorf("%s: findSockopt does not find it", what)
		}
	}
	if findSockopt(solSocket, 0x7fff) != nil {
		t.Error("findSockopt found an option that is not there")
	}
}
