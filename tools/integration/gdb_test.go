package integration

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gdbCommandLine matches the gdb command coracle run --gdb prints.
var gdbCommandLine = regexp.MustCompile(`(?m)^  (gdb .*-ex 'target remote 127\.0\.0\.1:\d+')$`)

// coracle run --gdb starts the guest stopped with QEMU's gdb stub on the
// port given, and prints the gdb command to attach. Debian's gdb, in
// batch mode, stops at main.main of testdata/gdbprobe, shows it in the
// backtrace, steps into a function (the backtrace then shows both),
// reads Go locals with known values and kills the guest.
func TestGDB(t *testing.T) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("gdb is not installed (make test-tools installs Debian's gdb as root; otherwise apt-get install gdb)")
	}
	img := buildTestProgram(t, "gdbprobe")
	port := freePort(t)
	g := startGuest(t, 3*time.Minute, "run", "--accel", "tcg", "--net", "none", "--gdb="+strconv.Itoa(port), img)
	var printed string
	for deadline := time.Now().Add(30 * time.Second); printed == ""; time.Sleep(20 * time.Millisecond) {
		if m := gdbCommandLine.FindStringSubmatch(g.errOut.String()); m != nil {
			printed = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("coracle printed no gdb command:\n%s", g)
		}
	}
	if !strings.Contains(printed, img) {
		t.Errorf("the gdb command %q does not name the image %s", printed, img)
	}

	// The printed command, as a shell runs it, with batch commands.
	script := printed + ` -batch -nx` +
		` -ex 'break main.main' -ex 'continue' -ex 'bt'` +
		` -ex 'next' -ex 'step' -ex 'bt'` +
		` -ex 'print a' -ex 'print b' -ex 'next' -ex 'print p'` +
		` -ex 'finish' -ex 'print answer' -ex 'info goroutines' -ex 'kill'`
	script = strings.Replace(script, "gdb ", gdb+" ", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", script).CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("gdb: %v\n%s\n%s", err, text, g)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Breakpoint 1, main\.main \(\) at \S*gdbprobe/main\.go:\d+`),
		regexp.MustCompile(`(?m)^#0 +main\.main \(\) at \S*gdbprobe/main\.go`),
		regexp.MustCompile(`(?m)^#0 +main\.product \(a=6, b=7`),
		regexp.MustCompile(`(?m)^#1 +0x[0-9a-f]+ in main\.main \(\) at \S*gdbprobe/main\.go`),
		regexp.MustCompile(`(?m)^\$1 = 6$`),
		regexp.MustCompile(`(?m)^\$2 = 7$`),
		regexp.MustCompile(`(?m)^\$3 = 42$`),
		regexp.MustCompile(`(?m)^\$4 = 42$`),
		// Go's runtime-gdb.py is loaded: it lists the goroutines.
		regexp.MustCompile(`(?m)^\* +1 running `),
		regexp.MustCompile(`(?m)^\[Inferior 1 \(process 1\) killed\]`),
	} {
		if !want.MatchString(text) {
			t.Errorf("gdb's output lacks %v:\n%s", want, text)
		}
	}
	if strings.Contains(text, "auto-loading has been declined") {
		t.Errorf("gdb declined Go's runtime-gdb.py: the printed command should allow it\n%s", text)
	}
	// gdb's kill ends QEMU; the program never printed its line.
	g.wait(t)
	if strings.Contains(g.out.String(), "gdbprobe: answer is") {
		t.Errorf("the program ran to its end after gdb's kill:\n%s", g)
	}
}
