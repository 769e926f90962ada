package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/qemu"
)

// goTest is coracle test: go test with an overlay that links the kernel
// into every test binary, the PVH entry point as the binary's entry, and
// this program as the -exec program that boots each binary in a guest.
// Everything else (flags, output, caching, -json, -p, coverage) is go
// test's own. It returns go test's exit status.
func goTest(ctx context.Context, t TestArgs, stdio Stdio) int {
	fail := func(err error) int {
		fmt.Fprintf(stdio.Stderr, "coracle: %v\n", err)
		return exitFailure
	}
	// Check the host before building: every guest needs the memory.
	if err := qemu.CheckMemory(t.Guest.MemoryMiB, qemu.HostMemoryMiB()); err != nil {
		return fail(err)
	}
	if _, err := qemu.ChooseAccel(t.Guest.Accel, qemu.LocalHost()); err != nil {
		return fail(err)
	}
	self, err := os.Executable()
	if err != nil {
		return fail(fmt.Errorf("finding the coracle command for go test -exec: %w", err))
	}
	tmp, err := os.MkdirTemp("", "coracle-test-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	dir := t.Dir
	if dir == "" {
		dir = "."
	}
	overlayFlags, err := image.WriteTestOverlay(ctx, dir, tmp, t.Patterns, len(t.Guest.Disks) > 0)
	if err != nil {
		return fail(err)
	}

	for _, kv := range image.TestGoEnv() {
		name, _, _ := strings.Cut(kv, "=")
		if v, ok := os.LookupEnv(name); ok {
			name += "=" + v
		}
		t.Guest.CallerEnv = append(t.Guest.CallerEnv, name)
	}
	execProg := quoteArgs(append([]string{self, "exec-test"}, t.Guest.execArgs()...))
	args := append([]string{"test"}, overlayFlags...)
	args = append(args, "-exec", execProg)
	goArgs, ldflags := takeLDFlags(t.GoArgs)
	args = append(args, "-ldflags", strings.TrimSpace(image.TestLinkFlags()+" "+ldflags))
	args = append(args, goArgs...)

	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), image.TestGoEnv()...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.Stdin, stdio.Stdout, stdio.Stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		return exitErr.ExitCode()
	default:
		return fail(fmt.Errorf("go test: %w", err))
	}
}

// takeLDFlags removes -ldflags from go test's arguments (before -args)
// and returns the rest and the last -ldflags value: coracle test adds
// its own linker flag to the user's.
func takeLDFlags(args []string) (rest []string, ldflags string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" || a == "--args" {
			return append(rest, args[i:]...), ldflags
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case !strings.HasPrefix(a, "-") || name != "ldflags":
			rest = append(rest, a)
			if strings.HasPrefix(a, "-") && goValueFlags[name] && !hasValue && i+1 < len(args) {
				i++
				rest = append(rest, args[i])
			}
		case hasValue:
			ldflags = value
		case i+1 < len(args):
			i++
			ldflags = args[i]
		}
	}
	return rest, ldflags
}

// quoteArgs joins words into one go command flag value that the go
// command splits back into the same words (cmd/internal/quoted: words
// separated by spaces, quoted with ' or " when they hold spaces or
// quotes).
func quoteArgs(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case w != "" && !strings.ContainsAny(w, " \t\n\r'\""):
			b.WriteString(w)
		case !strings.Contains(w, "'"):
			b.WriteString("'" + w + "'")
		default:
			b.WriteString(`"` + w + `"`)
		}
	}
	return b.String()
}
