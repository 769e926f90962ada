package linuxguest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ProgramInitramfs builds the program pkg (GoBuild) and writes to dir
// an initramfs whose /init it is, with nothing else; it returns the
// initramfs's file name. For a guest program that needs no modules.
func ProgramInitramfs(ctx context.Context, pkg, dir string) (string, error) {
	bin := filepath.Join(dir, filepath.Base(pkg))
	if err := GoBuild(ctx, bin, pkg); err != nil {
		return "", err
	}
	init, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, filepath.Base(pkg)+".cpio")
	return out, Initramfs{Init: init}.WriteFile(out)
}

// InitCmdline is a Linux guest's kernel command line: base, the TSC
// frequency when tscKHz is not 0 and base does not give one (see
// tools/bench/internal/tsc), then, after "--", /init's arguments: Linux
// passes the words after "--" to init as they are.
func InitCmdline(base string, tscKHz uint64, initArgs []string) string {
	words := []string{base}
	if tscKHz > 0 && !strings.Contains(base, "tsc_early_khz=") {
		words = append(words, "tsc_early_khz="+strconv.FormatUint(tscKHz, 10))
	}
	words = append(words, "--")
	words = append(words, initArgs...)
	return strings.TrimSpace(strings.Join(words, " "))
}
