package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/disk"
)

// run makes a disk image, then kills the guest -kills times, each time
// after a random number of acks, and checks the image after each kill
// (e2fsck on a copy) and at the next boot (the guest's report against
// the ledger); a last boot checks the last kill. It stops at the first
// failure, keeping the image.
func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "crash: "+format+"\n", a...) }
	found, err := hostinfo.FindQEMU(o.accel, o.memoryMiB)
	if err != nil {
		return err
	}
	logf("%s", found.Reason)
	for _, tool := range []string{"e2fsck", "mkfs.ext4"} {
		if _, err := disk.LookPath(tool); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "coracle-crash-")
	if err != nil {
		return err
	}
	failed := true
	defer func() {
		if !failed {
			os.RemoveAll(tmp)
		}
	}()

	image := filepath.Join(tmp, "disk.img")
	tree := filepath.Join(tmp, "tree")
	if err := os.MkdirAll(filepath.Join(tree, filepath.Base(probeDir)), 0o755); err != nil {
		return err
	}
	if err := disk.Create(ctx, disk.Options{File: image, Size: int64(o.diskMiB) << 20, From: tree, Label: "crash"}); err != nil {
		return err
	}

	var cmdline []string
	switch o.guest {
	case "linux":
		cmdline, err = linuxCommand(ctx, o, stderr, found.Path, found.Accel, image, tmp)
	default:
		bin := o.coracle
		if bin == "" {
			bin = filepath.Join(tmp, "coracle")
			err = linuxguest.GoBuild(ctx, bin, "github.com/coracle-os/coracle/tools/cmd/coracle")
		}
		cmdline = coracleCommand(o, bin, found.Accel, image)
	}
	if err != nil {
		return err
	}
	seed := o.seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	logf("%s guest, %d kills, seed %d: %s", o.guest, o.kills, seed, hostinfo.ShellQuote(cmdline))

	l := newLedger()
	fail := func(kill int, err error) error {
		where := image
		if o.keep != "" {
			if cpErr := copyFile(ctx, image, o.keep); cpErr == nil {
				where = o.keep
			}
		}
		return fmt.Errorf("after kill %d of %d (seed %d): %w\nthe image: %s", kill, o.kills, seed, err, where)
	}
	for kill := 1; kill <= o.kills; kill++ {
		after := 1 + rng.IntN(o.maxAcks)
		b, err := bootAndKill(ctx, o, cmdline, l, after)
		if err != nil {
			return fail(kill-1, err)
		}
		if err := checkCopy(ctx, image, filepath.Join(tmp, "copy.img")); err != nil {
			return fail(kill, err)
		}
		logf("kill %d/%d after %d acks: e2fsck clean; %d acks in all", kill, o.kills, b.acks, l.acks)
	}
	// The last kill is checked by one more boot.
	if _, err := bootAndKill(ctx, o, cmdline, l, 0); err != nil {
		return fail(o.kills, err)
	}
	failed = false
	fmt.Fprintf(stdout, "crash test (%s): %d kills survived, %d acknowledged changes checked, e2fsck clean after every kill (seed %d)\n", o.guest, o.kills, l.acks, seed)
	return nil
}

// bootAndKill boots the guest, checks its report of the disk against the
// ledger, takes in its acks and kills it with SIGKILL once it has acked
// after changes (0: as soon as the report is checked). The kill ends the
// command's whole process group (coracle run and its QEMU), and
// bootAndKill returns once every process of it is gone, so that the
// image is no longer written.
func bootAndKill(ctx context.Context, o options, cmdline []string, l *ledger, after int) (*boot, error) {
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pgid := cmd.Process.Pid
	killed := false
	kill := func() {
		if !killed {
			syscall.Kill(-pgid, syscall.SIGKILL)
			killed = true
		}
	}
	timer := time.AfterFunc(o.timeout, kill)
	stop := context.AfterFunc(ctx, kill)

	b := l.newBoot()
	var console strings.Builder
	var checkErr error
	// Every whole line counts, those read after the kill too: the guest
	// printed them before it died, so they are acks. A last line cut off
	// by the kill is not.
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		console.WriteString(line)
		if err != nil {
			break
		}
		if o.verbose {
			fmt.Fprint(os.Stderr, line)
		}
		if checkErr != nil {
			continue // drain
		}
		if checkErr = b.line(line); checkErr != nil {
			kill()
			continue
		}
		if b.verified && b.acks >= after {
			kill()
		}
	}
	kill()
	cmd.Wait()
	timer.Stop()
	stop()
	waitGroupGone(pgid)
	switch {
	case checkErr != nil:
		return b, withConsole(checkErr, console.String(), stderr.String())
	case ctx.Err() != nil:
		return b, context.Cause(ctx)
	case !b.verified || b.acks < after:
		return b, withConsole(fmt.Errorf("the guest ended or timed out (%v) before it had reported and acked %d changes", o.timeout, after), console.String(), stderr.String())
	}
	return b, nil
}

// waitGroupGone waits until no process of the group pgid is left.
func waitGroupGone(pgid int) {
	for i := 0; i < 500; i++ {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// withConsole adds the end of what the guest printed to err.
func withConsole(err error, console, stderr string) error {
	tail := func(s string, n int) string {
		if len(s) > n {
			return "..." + s[len(s)-n:]
		}
		return s
	}
	return fmt.Errorf("%w\n--- console (end) ---\n%s\n--- stderr (end) ---\n%s", err, tail(console, 2500), tail(stderr, 1000))
}

// checkCopy copies the image and checks the copy as the host's tools
// would after a crash: e2fsck replays the journal (-E journal_only), then
// a full check that changes nothing (-fn) must find no problem.
func checkCopy(ctx context.Context, image, copy string) error {
	if err := copyFile(ctx, image, copy); err != nil {
		return err
	}
	// Exit status 0 (nothing to do) or 1 (the journal replayed).
	if out, err := exec.CommandContext(ctx, "e2fsck", "-E", "journal_only", "-y", copy).CombinedOutput(); exitStatus(err) > 1 {
		return fmt.Errorf("e2fsck -E journal_only -y: %v\n%s", err, out)
	}
	if out, err := exec.CommandContext(ctx, "e2fsck", "-fn", copy).CombinedOutput(); err != nil {
		return fmt.Errorf("e2fsck -fn after the journal replay: %v\n%s", err, out)
	}
	return nil
}

// exitStatus is err's exit status: 0 for nil, -1 when it did not exit.
func exitStatus(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}

// copyFile copies src to dst with cp, holes kept.
func copyFile(ctx context.Context, src, dst string) error {
	if out, err := exec.CommandContext(ctx, "cp", "--sparse=always", src, dst).CombinedOutput(); err != nil {
		return fmt.Errorf("cp %s %s: %v: %s", src, dst, err, out)
	}
	return nil
}
