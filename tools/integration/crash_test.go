package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// checkMarked checks that the disassembly coracle run adds under the
// crash report's code line marks exactly one instruction, the one at
// RIP, and that it is want.
func checkMarked(t *testing.T, console, want string) {
	t.Helper()
	rip := regexp.MustCompile(`RIP (0x[0-9a-f]{16})`).FindStringSubmatch(console)
	marks := regexp.MustCompile(`(?m)^coracle: => (0x[0-9a-f]{16})  [0-9a-f]+ +(.*?) +\S*$`).FindAllStringSubmatch(console, -1)
	if rip == nil || len(marks) != 1 {
		t.Errorf("want RIP and one marked instruction; found RIP %q and %d marks", rip, len(marks))
		return
	}
	if marks[0][1] != rip[1] || marks[0][2] != want {
		t.Errorf("marked %q at %s; want %q at RIP %s", marks[0][2], marks[0][1], want, rip[1])
	}
}

// frameRE matches a frame line of a stack, naming fn with a file:line in
// file.
func frameRE(fn, file string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^coracle:   #\d+ 0x[0-9a-f]{16} ` + regexp.QuoteMeta(fn) + `\+0x[0-9a-f]+ at \S*` + regexp.QuoteMeta(file) + `:\d+$`)
}

// checkFrames checks that section (the lines from its header to the
// stop line) names the functions in order, each with its file:line.
func checkFrames(t *testing.T, section string, frames [][2]string) {
	t.Helper()
	at := 0
	for _, f := range frames {
		loc := frameRE(f[0], f[1]).FindStringIndex(section[at:])
		if loc == nil {
			t.Errorf("no frame %s (%s) after offset %d in\n%s", f[0], f[1], at, section)
			return
		}
		at += loc[1]
	}
}

// section returns the lines of console from the one starting with
// header to the next line that is not a frame.
func section(t *testing.T, console, header string) string {
	t.Helper()
	i := strings.Index(console, header)
	if i < 0 {
		t.Fatalf("console lacks %q", header)
	}
	s := console[i:]
	lines := strings.SplitAfter(s, "\n")
	n := len(lines[0])
	for _, l := range lines[1:] {
		n += len(l)
		if !strings.HasPrefix(l, "coracle:   #") {
			break
		}
	}
	return s[:n]
}

const kpkg = "github.com/coracle-os/coracle/kernel."

// coracle.crash=deep faults three calls below crashTest at boot: the
// kernel stack names each call, from the fault down to boot.entry64.
func TestKernelFaultStackWalk(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "--cmdline", "coracle.crash=deep", helloImage)
	if res.err != nil || res.status != 121 {
		t.Fatalf("want exit status 121 (kernel fault)\n%s", res)
	}
	ks := section(t, res.stdout, "coracle: kernel stack (frame pointers from RBP on the boot stack")
	checkFrames(t, ks, [][2]string{
		{kpkg + "crashInvalidOpcode", "kernel/diag_crashtest_amd64.s"},
		{kpkg + "crashNested3", "kernel/diag_crashtest.go"},
		{kpkg + "crashNested2", "kernel/diag_crashtest.go"},
		{kpkg + "crashNested1", "kernel/diag_crashtest.go"},
		{kpkg + "crashTest", "kernel/diag_crashtest.go"},
		{"github.com/coracle-os/coracle/boot.kernelMain", "kernel/boot_main.go"},
		{"github.com/coracle-os/coracle/boot.entry64", "boot/entry_amd64.s"},
	})
	if !strings.Contains(ks, "(end of the boot stack: boot.entry64 is its first frame)") {
		t.Errorf("the walk does not end at boot.entry64:\n%s", ks)
	}
	checkMarked(t, res.stdout, "UD2")
	if t.Failed() {
		t.Log(res)
	}
}

// coracle.crash=syscall faults while the kernel serves hello's first
// write to stdout: the report walks the kernel stack down to the entry
// from ring 3, then the thread's user stack from its saved registers
// down to main.main and the goroutine's start. coracle crash decodes the
// same console saved to a file.
func TestKernelFaultInSystemCall(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "--cmdline", "coracle.crash=syscall", helloImage)
	if res.err != nil || res.status != 121 {
		t.Fatalf("want exit status 121 (kernel fault)\n%s", res)
	}
	if !strings.Contains(res.stdout, "coracle: CPU exception 14 (#PF page fault)") || !strings.Contains(res.stdout, "CR2 0x0000010000000000") {
		t.Errorf("not the page fault coracle.crash=syscall raises")
	}
	// The thread may have run on any CPU (CORACLE_TEST_SMP): its
	// kernel stack is the boot CPU's or an AP's.
	header := "coracle: kernel stack (frame pointers from RBP on the kernel stack"
	if ap := "coracle: kernel stack (frame pointers from RBP on the application processor kernel stack"; strings.Contains(res.stdout, ap) {
		header = ap
	}
	ks := section(t, res.stdout, header)
	checkFrames(t, ks, [][2]string{
		{kpkg + "crashPageFault", "kernel/diag_crashtest_amd64.s"},
		{kpkg + "crashNested3", "kernel/diag_crashtest.go"},
		{kpkg + "crashNested2", "kernel/diag_crashtest.go"},
		{kpkg + "crashNested1", "kernel/diag_crashtest.go"},
		{kpkg + "doSyscall", ".go"}, // the position of the call inlined into it
		{kpkg + "dispatch", "kernel/trap_dispatch.go"},
	})
	if !strings.Contains(ks, "(end of the kernel's frames: the next frame pointer is the thread's user RBP)") {
		t.Errorf("the kernel walk does not end at the entry from ring 3:\n%s", ks)
	}
	us := section(t, res.stdout, "coracle: user stack of thread ")
	checkFrames(t, us, [][2]string{
		{"syscall.write", "syscall/zsyscall_linux_amd64.go"},
		{"os.(*File).Write", "os/file_posix.go"},
		{"main.main", ".go"}, // fmt.Printf is inlined into it
		{"runtime.main", "runtime/proc.go"},
	})
	if !strings.Contains(us, "(end of the frame chain (frame pointer 0))") {
		t.Errorf("the user walk does not end at the chain's end:\n%s", us)
	}
	checkMarked(t, res.stdout, "MOVQ 0(AX), AX")

	// The console as a user saves it elsewhere: the report without the
	// host's disassembly. coracle crash adds it back.
	var saved []string
	listing := false
	for _, l := range strings.SplitAfter(res.stdout, "\n") {
		switch {
		case strings.HasPrefix(l, "coracle: disassembly"):
			listing = true
		case strings.HasPrefix(l, "coracle: kernel fault"):
			listing = false
		}
		if !listing {
			saved = append(saved, l)
		}
	}
	log := filepath.Join(t.TempDir(), "console.log")
	if err := os.WriteFile(log, []byte(strings.Join(saved, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(saved, ""), "coracle: => ") {
		t.Fatal("the saved log still holds the disassembly")
	}
	dec := coracle(t, "crash", helloImage, log)
	if dec.err != nil || dec.status != 0 {
		t.Fatalf("coracle crash failed\n%s", dec)
	}
	checkMarked(t, dec.stdout, "MOVQ 0(AX), AX")
	if t.Failed() {
		t.Log(res)
	}
}
