package kernel

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
)

// docs/syscalls.md is generated from the system-call tables
// (syscall_table.go) and the socket option table (sock_opt.go); TestSyscallDoc fails while it is stale and
// rewrites it with -update.

var updateDoc = flag.Bool("update", false, "rewrite docs/syscalls.md from the system-call tables")

const (
	syscallDocPath = "../docs/syscalls.md"
	regenerateDoc  = "go test ./kernel -run TestSyscallDoc -update"
)

// statusLabel is how docs/syscalls.md names each status.
var statusLabel = [...]string{
	callNotImplemented: "not implemented",
	callFull:           "full",
	callPartial:        "partial",
	callENOSYSByDesign: "ENOSYS by design",
}

// How docs/syscalls.md describes socket options.
var (
	kindLabel = [...]string{optInt: "int", optTimeval: "struct timeval"}
	setLabel  = [...]string{
		setNone:      "ENOPROTOOPT",
		setFlag:      "sets or clears it",
		setIgnore:    "accepted, no effect",
		setKeepIdle:  "sets it",
		setKeepIntvl: "sets it",
		setKeepCnt:   "sets it",
		setTimeo:     "sets it (0: none)",
	}
	getLabel = [...]string{
		getNone:     "ENOPROTOOPT",
		getFlag:     "0 or 1",
		getError:    "the pending error",
		getType:     "the socket type",
		getRingSize: fmt.Sprint(socktab.RingSize),
		getProtocol: "IPPROTO_TCP or IPPROTO_UDP",
		getDomain:   "AF_INET or AF_INET6",
		getTimeo:    "the timeout",
	}
)

// docStatuses is the order of the summary.
var docStatuses = []callStatus{callFull, callPartial, callENOSYSByDesign, callNotImplemented}

func TestSyscallDoc(t *testing.T) {
	want := syscallDoc()
	if *updateDoc {
		if err := os.WriteFile(syscallDocPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(syscallDocPath)
	if err != nil {
		t.Fatalf("%v: run `%s`", err, regenerateDoc)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("docs/syscalls.md is stale (the system-call tables changed): run `%s`\n%s", regenerateDoc, firstDiff(have, want))
	}
}

// firstDiff shows the first line where the file and the tables differ.
func firstDiff(have, want []byte) string {
	h, w := strings.Split(string(have), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(h), len(w)) {
		var a, b string
		if i < len(h) {
			a = h[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  file:   %s\n  tables: %s", i+1, a, b)
		}
	}
	return ""
}

// syscallDoc renders docs/syscalls.md.
func syscallDoc() []byte {
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	var count [len(statusLabel)]int
	total := 0
	for nr := range syscalls {
		if linux.SyscallName(uint64(nr)) != "" {
			count[syscalls[nr].status]++
			total++
		}
	}

	p("<!-- Code generated from kernel/syscall_table.go by `%s`; DO NOT EDIT. -->\n\n", regenerateDoc)
	p("# System calls\n\n")
	p("What coracle does with each Linux x86-64 system call, and with its own\n")
	p("private calls. This file is generated from the kernel's system-call\n")
	p("tables (kernel/syscall_table.go) and socket option table\n")
	p("(kernel/sock_opt.go): after changing them, regenerate it with\n\n")
	p("    %s\n\n", regenerateDoc)
	p("(a test fails while it is stale).\n\n")
	p("A status says how much of a call is there:\n\n")
	p("- **full**: as Linux does it, within coracle's model: one program in one\n")
	p("  process (pid 1, run by root), its threads, and one in-memory root\n")
	p("  file system (a tmpfs, with /tmp). A note may say how that\n")
	p("  model shows.\n")
	p("- **partial**: the cases programs use; the note says what is missing or\n")
	p("  differs.\n")
	p("- **ENOSYS by design**: refused on purpose; the note says why.\n")
	p("- **not implemented**: not there yet.\n\n")
	p("Both of the last two answer ENOSYS, and the kernel logs the first call of\n")
	p("each on the console. Signals reach a thread when it next returns to the\n")
	p("program, so no call that waits is interrupted by one (there is no EINTR).\n\n")

	p("## Summary\n\n")
	p("| Status | Linux calls |\n|---|--:|\n")
	for _, s := range docStatuses {
		p("| %s | %d |\n", statusLabel[s], count[s])
	}
	p("| total | %d |\n\n", total)

	p("## Linux x86-64 system calls\n\n")
	p("Every number Linux assigns on x86-64, 0 to %d (kernel/abi/linux/sysnames.go).\n", linux.NumSyscalls-1)
	if holes := unassigned(); holes != "" {
		p("Numbers %s are not assigned on x86-64, as on Linux, and are left out.\n", holes)
	}
	p("\n| # | Name | Status | Note |\n|--:|---|---|---|\n")
	for nr := range syscalls {
		name := linux.SyscallName(uint64(nr))
		if name == "" {
			continue
		}
		e := &syscalls[nr]
		p("| %d | `%s` | %s |%s|\n", nr, name, statusLabel[e.status], cell(e.note))
	}

	p("\n## Socket options\n\n")
	p("What setsockopt and getsockopt do with each option (kernel/sock_opt.go);\n")
	p("every other option, and a direction marked ENOPROTOOPT, answers ENOPROTOOPT.\n\n")
	p("| Level | Option | Value | setsockopt | getsockopt | Note |\n|---|---|---|---|---|---|\n")
	for i := range sockopts {
		o := &sockopts[i]
		p("| %s | %s | %s | %s | %s |%s|\n", o.levelName, o.optName, kindLabel[o.kind], setLabel[o.set], getLabel[o.get], cell(o.note))
	}

	p("\n## coracle's private calls\n\n")
	p("Numbered from %#x, above Linux's range, for drivers and services that\n", devcall.SysBase)
	p("run as goroutines (package kernel/abi/devcall, docs/network.md). Anywhere\n")
	p("but coracle they answer ENOSYS.\n\n")
	p("| # | Name | Status | Note |\n|--:|---|---|---|\n")
	for i := range devcalls {
		nr := devcall.SysBase + uint64(i)
		if name := devcall.CallName(nr); name != "" {
			e := &devcalls[i]
			p("| %#x | `%s` | %s |%s|\n", nr, name, statusLabel[e.status], cell(e.note))
		}
	}
	return b.Bytes()
}

// cell pads a table cell's text with spaces; an empty cell stays empty.
func cell(s string) string {
	if s == "" {
		return " "
	}
	return " " + s + " "
}

// unassigned lists the ranges of numbers below linux.NumSyscalls that
// have no system call, as "a–b, c".
func unassigned() string {
	var ranges []string
	for nr := uint64(0); nr < linux.NumSyscalls; nr++ {
		if linux.SyscallName(nr) != "" {
			continue
		}
		end := nr
		for end+1 < linux.NumSyscalls && linux.SyscallName(end+1) == "" {
			end++
		}
		if end == nr {
			ranges = append(ranges, fmt.Sprint(nr))
		} else {
			ranges = append(ranges, fmt.Sprintf("%d–%d", nr, end))
		}
		nr = end
	}
	return strings.Join(ranges, ", ")
}
