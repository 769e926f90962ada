package integration

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var banner = regexp.MustCompile(`(?m)^coracle: booted on ([^,\n]+), (\d+) MiB RAM, cmdline "([^"\n]*)"$`)

// helloLines are what examples/hello prints on Linux whatever its
// arguments and CPUs: each of its checks' result (its work is fixed).
var helloLines = []string{
	"hello from linux/amd64, Go go1.",
	"goroutines: sum of 1..1000 over channels = 500500",
	"sync: 100000 increments under a mutex",
	"timers: 10 ticks of a 5ms ticker, then a 20ms timer fired",
	"maps: 159 distinct squares mod 1000",
	"gc: allocated 256 MiB, ",
	`sha256("coracle") = b49c20fb70ea73ddcf100ae0aaceca6425a41128e98107ed96a35a1249e8500f`,
	"crypto/rand: 16 random bytes",
	`json: {"goroutines":1000,"name":"coracle","ok":true}`,
	"done in ",
}

// checkHelloOutput fails t unless hello's output out has every one of
// helloLines.
func checkHelloOutput(t *testing.T, out string) {
	t.Helper()
	for _, want := range helloLines {
		if !strings.Contains(out, want) {
			t.Errorf("hello's output lacks %q", want)
		}
	}
}

func TestHelloBootsAndExitsZero(t *testing.T) {
	forEachTarget(t, []string{"microvm", "q35"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, "-m", "128",
			"-e", "GREETING=hi there", "--cmdline", "quiet", helloImage, "--", "one", `two words "quoted"`)
		if res.err != nil || res.status != 0 {
			t.Fatalf("want exit status 0\n%s", res)
		}
		m := banner.FindStringSubmatch(res.stdout)
		if m == nil {
			t.Fatalf("no banner on the console\n%s", res)
		}
		if want := map[string]string{"tcg": "QEMU TCG", "kvm": "KVM"}[accel]; m[1] != want {
			t.Errorf("hypervisor %q, want %q", m[1], want)
		}
		// The map leaves out legacy holes and firmware areas: close to -m.
		var mib int
		fmt.Sscan(m[2], &mib)
		if mib < 120 || mib > 128 {
			t.Errorf("banner reports %d MiB of RAM for -m 128", mib)
		}
		wantCmdline := `quiet coracle.env=GREETING=hi%20there coracle.arg=one coracle.arg=two%20words%20%22quoted%22`
		if !strings.HasPrefix(m[3], wantCmdline) {
			t.Errorf("cmdline %q, want it to start with %q", m[3], wantCmdline)
		}
		if !strings.Contains(res.stderr, "using "+strings.ToUpper(accel)) {
			t.Errorf("stderr does not say which accelerator was used\n%s", res)
		}
		// The program itself ran, unmodified, on the Go runtime.
		checkHelloOutput(t, res.stdout)
		if want := `args ["one" "two words \"quoted\""]`; !strings.Contains(res.stdout, want) {
			t.Errorf("hello's output lacks %q", want)
		}
		if t.Failed() {
			t.Log(res)
		}
	})
}

func TestRunBuildsAPackage(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "./examples/hello")
	if res.err != nil || res.status != 0 || !banner.MatchString(res.stdout) {
		t.Fatalf("want the banner and exit status 0\n%s", res)
	}
}

// Each CPU exception raised in the kernel prints a crash report and ends
// the VM with status 121.
func TestKernelFaultReport(t *testing.T) {
	cases := []struct {
		kind, header string
		extra        []string // further lines that must appear
		marked       string   // the instruction the disassembly marks
	}{
		{"pf", "CPU exception 14 (#PF page fault), error code 0x0000 (read of a not-present page in ring 0)",
			[]string{"CR2 0x0000010000000000", "RAX 0x0000010000000000", "RIP is in github.com/coracle-os/coracle/kernel.crashPageFault+0x", "crashtest_amd64.s:"},
			"MOVQ 0(AX), AX"},
		{"ud", "CPU exception 6 (#UD invalid opcode), error code 0x0000", []string{"RIP is in github.com/coracle-os/coracle/kernel.crashInvalidOpcode+0x"}, "UD2"},
		{"gp", "CPU exception 13 (#GP general protection), error code 0x0000", []string{"RAX 0x8000000000000000", "RIP is in github.com/coracle-os/coracle/kernel.crashGeneralProtection+0x"},
			"MOVQ 0(AX), AX"},
		{"de", "CPU exception 0 (#DE divide error), error code 0x0000", []string{"RIP is in github.com/coracle-os/coracle/kernel.crashDivide+0x"}, "DIVL CX"},
		// #BP is a trap: RIP is past the INT3, at the RET after it.
		{"bp", "CPU exception 3 (#BP breakpoint), error code 0x0000", []string{"RIP is in github.com/coracle-os/coracle/kernel.crashBreakpoint+0x"}, "RET"},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
				res := coracle(t, "run", "--machine", machine, "--accel", accel, "--cmdline", "coracle.crash="+c.kind, helloImage)
				if res.err != nil || res.status != 121 {
					t.Fatalf("want exit status 121 (kernel fault)\n%s", res)
				}
				want := append([]string{"coracle: " + c.header, "kernel fault, stopping with exit status 121"}, c.extra...)
				for _, reg := range []string{"RIP", "RSP", "RFLAGS", "CR2", "CR3", "CS", "RAX", "RBX", "RCX", "RDX",
					"RSI", "RDI", "RBP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"} {
					want = append(want, " "+reg+" 0x")
				}
				// The stack walk (checked frame by frame in crash_test.go)
				// and the code around RIP.
				want = append(want, "coracle: kernel stack (frame pointers from RBP on the boot stack 0x",
					"coracle:   #1 0x", "kernel.crashTest+0x", "(end of the boot stack: boot.entry64 is its first frame)",
					"coracle: user stack: none, the kernel was not serving a thread", "coracle: code at 0x")
				for _, w := range want {
					if !strings.Contains(res.stdout, w) {
						t.Errorf("crash report lacks %q", w)
					}
				}
				checkMarked(t, res.stdout, c.marked)
				if t.Failed() {
					t.Log(res)
				}
			})
		})
	}
}

// A command line the kernel cannot decode stops the boot with a reason
// that names the problem, and status 120.
func TestMalformedCommandLine(t *testing.T) {
	cases := []struct{ cmdline, want string }{
		{"coracle.arg=%zz", "malformed kernel command line at byte 12: percent escape needs two hex digits"},
		{"coracle.env=NOVALUE", "coracle.env value must be NAME=VALUE"},
		{"coracle.crash=nope", "coracle.crash=nope is not one of de, ud, gp, pf, bp, deep, syscall"},
		{"coracle.smp=2", "coracle.smp=2 is not on or off"},
		{"coracle.tsc_khz=2.5GHz", "coracle.tsc_khz=2.5GHz is not a TSC rate in kHz (1000 to 100000000)"},
		{"coracle.idlepoll=5000", "coracle.idlepoll=5000 is not a number of microseconds (0 to 1000)"},
	}
	for _, c := range cases {
		t.Run(c.cmdline, func(t *testing.T) {
			res := coracle(t, "run", "--accel", "tcg", "--cmdline", c.cmdline, helloImage)
			if res.err != nil || res.status != 120 {
				t.Fatalf("want exit status 120 (boot failure)\n%s", res)
			}
			if !strings.Contains(res.stdout, c.want) || !strings.Contains(res.stdout, "coracle: boot failed: ") {
				t.Errorf("console lacks %q and the boot-failure line\n%s", c.want, res)
			}
		})
	}
}
