package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/coracle-os/coracle/tools/crashreport"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/qemu"
)

// run is coracle run. It returns the exit status: the guest's, or one of
// the runner's own (qemu.StatusNoGuestStatus, qemu.StatusRunnerFailure).
func run(ctx context.Context, r RunArgs, stdio Stdio) int {
	fail := func(err error) int {
		fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
		return qemu.StatusRunnerFailure
	}
	// Check the host first: a mistake here should not wait for a build.
	if err := qemu.CheckMemory(r.MemoryMiB, qemu.HostMemoryMiB()); err != nil {
		return fail(err)
	}
	accel, err := qemu.ChooseAccel(r.Accel, qemu.LocalHost())
	if err != nil {
		return fail(err)
	}

	if err := checkForwards(r.Network.Forwards); err != nil {
		return fail(err)
	}
	if err := checkTap(r.Network); err != nil {
		return fail(err)
	}
	if r.GDBPort != 0 {
		if err := checkGDBPort(r.GDBPort); err != nil {
			return fail(err)
		}
	}
	// The disks stay locked until QEMU has exited.
	releaseDisks, err := qemu.OpenDisks(r.Disks)
	if err != nil {
		return fail(err)
	}
	defer releaseDisks()
	imagePath := r.Target
	if !isELFFile(r.Target) {
		tmp, err := os.MkdirTemp("", "coracle-run-")
		if err != nil {
			return fail(err)
		}
		defer os.RemoveAll(tmp)
		imagePath, err = image.Build(ctx, image.Options{
			Pkg:      r.Target,
			Output:   filepath.Join(tmp, "guest.img"),
			Files:    r.Files,
			TZData:   r.TZData,
			Shares:   len(r.Shares) > 0,
			Disks:    len(r.Disks) > 0,
			Progress: stdio.Stderr,
		})
		if err != nil {
			return fail(err)
		}
	} else if len(r.Files) > 0 {
		return fail(fmt.Errorf("--files needs a package: the files are built into the image, and %s is built already; rebuild it with coracle build --files", r.Target))
	} else if r.TZData {
		return fail(fmt.Errorf("--tzdata needs a package: the time zone database is linked into the image, and %s is built already; rebuild it with coracle build --tzdata", r.Target))
	} else if err := verifyImage(r.Target); err != nil {
		return fail(err)
	} else if len(r.Shares) > 0 {
		if ok, err := image.HasShares(r.Target); err != nil {
			return fail(err)
		} else if !ok {
			return fail(fmt.Errorf("-v needs the file service for shared directories, and %s was built without it; rebuild it with coracle build --shares", r.Target))
		}
	}
	if len(r.Disks) > 0 && isELFFile(r.Target) {
		if ok, err := image.HasDisks(r.Target); err != nil {
			return fail(err)
		} else if !ok {
			return fail(fmt.Errorf("--disk needs the file service for disks, and %s was built without it; rebuild it with coracle build --disks", r.Target))
		}
	}

	fmt.Fprintf(stdio.Stderr, "coracle: %s\n", accel.Reason)
	fmt.Fprintf(stdio.Stderr, "coracle: booting %s on %s with %d MiB%s\n", r.Target, r.Machine, r.MemoryMiB, cpusNote(r.CPUs))
	reportForwards(stdio.Stderr, r.Network.Forwards)
	gdb := ""
	if r.GDBPort != 0 {
		gdb = gdbAddr(r.GDBPort)
		if abs, err := filepath.Abs(imagePath); err == nil {
			imagePath = abs
		}
		reportGDB(stdio.Stderr, imagePath, r.GDBPort)
	}
	out, err := qemu.Run(ctx, qemu.Config{
		Image:     imagePath,
		Cmdline:   withTSCRate(r.Cmdline, accel.Accel),
		Machine:   r.Machine,
		MemoryMiB: r.MemoryMiB,
		CPUs:      r.CPUs,
		Accel:     accel.Accel,
		Network:   r.Network,
		Shares:    r.Shares,
		Disks:     r.Disks,
		GDB:       gdb,
	}, qemu.Streams{Stdin: stdio.Stdin, Stdout: crashreport.NewImageWriter(stdio.Stdout, imagePath), Stderr: stdio.Stderr})
	if err != nil {
		return fail(err)
	}
	if out.Err != nil {
		fmt.Fprintf(stdio.Stderr, "coracle: %v\n", out.Err)
	}
	return out.Status
}

// elfMagic starts every ELF file.
var elfMagic = []byte("\x7fELF")

// isELFFile reports whether path is an existing regular file that starts
// like an ELF file: coracle run boots it rather than building a package.
func isELFFile(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(elfMagic))
	n, _ := f.Read(head)
	return bytes.Equal(head[:n], elfMagic)
}

// verifyImage checks an image given by path before QEMU sees it: QEMU's
// own complaints are terse, and some problems it does not notice.
func verifyImage(path string) error {
	img, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := image.Verify(img); err != nil {
		return fmt.Errorf("%s is not a bootable coracle image: %w; build it with coracle build", path, err)
	}
	return nil
}

// cpusNote adds the vCPU count to the boot line when there is more than
// one.
func cpusNote(n int) string {
	if n <= 1 {
		return ""
	}
	return fmt.Sprintf(" and %d vCPUs", n)
}
