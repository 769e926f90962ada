package integration

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/qemu"
)

// The kernel finds the vCPUs QEMU gives it the way each machine tells:
// the ACPI MADT on q35 and pc (SeaBIOS) and on microvm with acpi=on, the
// MP table that qboot writes on microvm without ACPI, and fw_cfg's count
// everywhere. coracle.bootstamps makes it print what every source says.
// With coracle.smp=off the kernel starts every other CPU and parks it;
// it runs the program on the boot CPU only: Go still sees one CPU
// (TestSMPNumCPU checks the default, threads on every CPU).
func TestCPUDiscovery(t *testing.T) {
	cases := []struct {
		name    string
		machine qemu.Machine
		extra   []string
		used    string // the source the kernel uses
		madt    bool   // the machine has ACPI tables
		// mpOne: SeaBIOS's MP table lists one CPU per package, and
		// coracle's -smp is one package of N cores.
		mpOne bool
	}{
		{"microvm", qemu.Microvm, nil, "MP table", false, false},
		{"microvm-acpi", qemu.Microvm, []string{"-M", "acpi=on"}, "ACPI MADT", true, false},
		{"q35", qemu.Q35, nil, "ACPI MADT", true, true},
		{"pc", qemu.PC, nil, "ACPI MADT", true, true},
	}
	for _, c := range cases {
		for _, n := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("%s/%d", c.name, n), func(t *testing.T) {
				console := bootHelloWith(t, c.machine, n, "coracle.bootstamps coracle.smp=off", c.extra)
				ids := apicIDs(n)
				noun := "CPUs"
				if n == 1 {
					noun = "CPU"
				}
				want := []string{
					// Every CPU comes online; the program runs on the first.
					fmt.Sprintf("coracle: %d %s (%s), APIC IDs%s, %d online; the program runs on the boot CPU only (coracle.smp=off)\n", n, noun, c.used, ids, n),
					fmt.Sprintf("coracle: CPUs by QEMU fw_cfg: %d, APIC IDs%s\n", n, ids),
				}
				if c.madt {
					want = append(want, fmt.Sprintf("coracle: CPUs by ACPI MADT: %d, APIC IDs%s\n", n, ids))
				} else {
					want = append(want, "coracle: CPUs by ACPI MADT: none: no ACPI RSDP")
				}
				if c.mpOne {
					want = append(want, "coracle: CPUs by MP table: 1, APIC IDs 0\n")
				} else {
					want = append(want, fmt.Sprintf("coracle: CPUs by MP table: %d, APIC IDs%s\n", n, ids))
				}
				// runtime.NumCPU stays 1 until the other CPUs run.
				if !oneCPU.MatchString(console) {
					t.Errorf("hello does not report 1 CPU")
				}
				checkAPsOnline(t, console, n)
				checkBootPhases(t, console)
				for _, w := range want {
					if !strings.Contains(console, w) {
						t.Errorf("console lacks %q", w)
					}
				}
				if t.Failed() {
					t.Log(console)
				}
			})
		}
	}
}

// checkAPsOnline checks the coracle.bootstamps lines of the start-up:
// with several CPUs, how long it took and, for each application
// processor (APIC IDs 1..n-1), when it checked in, within the start-up;
// none is left out.
func checkAPsOnline(t *testing.T, console string, n int) {
	t.Helper()
	if strings.Contains(console, "is left out") || strings.Contains(console, "were not started") {
		t.Errorf("an application processor did not start")
	}
	took := regexp.MustCompile(`(?m)^coracle: AP start-up took (\d+) µs, the boot CPU waited \d+ µs for it, trampoline at 0x[0-9a-f]+$`).FindStringSubmatch(console)
	if n == 1 {
		if took != nil {
			t.Errorf("a start-up line with one CPU: %q", took[0])
		}
		return
	}
	if took == nil {
		t.Errorf("no start-up line")
		return
	}
	total, _ := strconv.Atoi(took[1])
	for id := 1; id < n; id++ {
		m := regexp.MustCompile(fmt.Sprintf(`(?m)^coracle: CPU %d \(APIC ID %d\) online (\d+) µs after the first IPI$`, id, id)).FindStringSubmatch(console)
		if m == nil {
			t.Errorf("no check-in line for APIC ID %d", id)
			continue
		}
		if at, _ := strconv.Atoi(m[1]); at > total {
			t.Errorf("APIC ID %d checked in at %d µs, after the start-up's end at %d µs", id, at, total)
		}
	}
	if got := len(regexp.MustCompile(`(?m)^coracle: CPU \d+ \(APIC ID \d+\) online`).FindAllString(console, -1)); got != n-1 {
		t.Errorf("%d check-in lines, want %d", got, n-1)
	}
}

// coracle.crash=ap makes the last application processor fault once it
// is online: the report names the CPU, walks its own kernel stack down
// to the AP entry, and the VM stops with the kernel-fault status.
func TestAPCrashReport(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "--cpus", "3", "--cmdline", "coracle.crash=ap", helloImage)
	if res.err != nil || res.status != 121 {
		t.Fatalf("want exit status 121 (kernel fault)\n%s", res)
	}
	out := res.stdout
	for _, w := range []string{
		"coracle: 3 CPUs (MP table), APIC IDs 0 1 2, 3 online; the program runs on 3 CPUs\n",
		"coracle: exception on CPU 2 (APIC ID 2), an application processor, which runs no program code yet\n",
		"coracle: CPU exception 6 (#UD invalid opcode)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("console lacks %q\n%s", w, out)
		}
	}
	ks := section(t, out, "coracle: kernel stack (frame pointers from RBP on the application processor kernel stack")
	checkFrames(t, ks, [][2]string{
		{kpkg + "crashInvalidOpcode", "kernel/diag_crashtest_amd64.s"},
		{kpkg + "crashOnceBootCPUWaits", "kernel/boot_aps_entry.go"},
		{kpkg + "apMain", "kernel/boot_aps_entry.go"},
		{kpkg + "apEntry64", "kernel/boot_aps_amd64.s"},
	})
	checkMarked(t, out, "UD2")
	if strings.Contains(out, "hello from") {
		t.Errorf("the program ran after an AP faulted")
	}
}

// oneCPU is hello's first line when runtime.NumCPU is 1.
var oneCPU = regexp.MustCompile(`(?m)^hello from linux/amd64, Go go1\.[0-9.]+, 1 CPU\(s\), GOMAXPROCS 1$`)

// Without coracle.bootstamps the CPU line appears only when there is more
// than one CPU, once.
func TestCPULineOnlyWithSeveralCPUs(t *testing.T) {
	line := regexp.MustCompile(`(?m)^coracle: \d+ CPUs? \(`)
	one := bootHelloWith(t, qemu.Microvm, 1, "", nil)
	if line.MatchString(one) {
		t.Errorf("one CPU, yet a CPU line:\n%s", one)
	}
	four := bootHelloWith(t, qemu.Microvm, 4, "", nil)
	if got := len(line.FindAllString(four, -1)); got != 1 || !strings.Contains(four, "coracle: 4 CPUs (MP table), APIC IDs 0 1 2 3, 4 online;") {
		t.Errorf("%d CPU lines for 4 CPUs, want one saying MP table:\n%s", got, four)
	}
}

// bootHelloWith boots the hello image under TCG on machine with cpus
// vCPUs, the kernel parameters params and the extra QEMU arguments, and
// returns the console; it fails t unless hello exits with status 0.
func bootHelloWith(t *testing.T, machine qemu.Machine, cpus int, params string, extra []string) string {
	t.Helper()
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	o, err := qemu.Run(ctx, qemu.Config{
		Image: helloImage, Cmdline: strings.TrimSpace(params + " coracle.argv0=hello"), Machine: machine,
		MemoryMiB: 128, CPUs: cpus, Accel: qemu.TCG, Network: qemu.Network{Mode: qemu.NetNone}, ExtraArgs: extra,
	}, qemu.Streams{Stdout: &out, Stderr: &errOut})
	console := strings.ReplaceAll(out.String(), "\r\n", "\n")
	if err != nil || o.Err != nil || o.Status != 0 {
		t.Fatalf("run: %v, outcome %+v\n%s%s", err, o, console, errOut.String())
	}
	return console
}

// apicIDs is " 0 1 ... n-1", as the kernel lists them.
func apicIDs(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " %d", i)
	}
	return b.String()
}
