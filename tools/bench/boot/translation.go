package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/crashreport"
	"github.com/coracle-os/coracle/tools/image"
)

// The translation census (-translation). Under TCG, QEMU translates each
// block of guest code the first time it runs, and a boot runs mostly
// code it has not run before: so the blocks translated, more than the
// instructions executed, set how long a boot takes there. The census
// boots every system once more with QEMU's `-d in_asm` log, which
// records every block as it is translated, and counts the blocks and
// their instructions by whose code they are: the console guests until
// they stop QEMU, the httpd ones until their first HTTP 200.
// Unlike a time, the count is the same from run to run (within a few
// blocks: interrupts split blocks where they land), so it shows what a
// change to the boot path costs under TCG without the host's noise.

// Whose code a block is: for coracle by the image's symbol table, for
// the others by address.
const (
	codeFirmware     = "firmware (below 1 MiB and the top of 4 GiB)"
	codeAll          = "all of it"
	codeKernelBoot   = "kernel, PVH entry -> Go runtime entry"
	codeKernelLater  = "kernel, after the Go runtime's entry"
	codeRuntime      = "Go runtime (runtime, internal/runtime)"
	codeProgram      = "rest of the program (standard library, main)"
	codeUnnamed      = "image code outside any symbol"
	codeNetwork      = "network (gVisor's netstack, coracle's net/ and drivers/)"
	codeLinuxKernel  = "kernel (its virtual addresses)"
	codeLinuxOther   = "the rest: early code at physical addresses, and user space"
	runtimeEntryName = "_rt0_amd64_linux"
)

// tally counts translated blocks and their instructions.
type tally struct{ blocks, insns int }

// census is the tally of one boot per kind of code, in the order the
// kinds were first seen.
type census struct {
	kinds  []string
	counts map[string]*tally
}

func (c *census) add(kind string, blocks, insns int) {
	if c.counts == nil {
		c.counts = map[string]*tally{}
	}
	t := c.counts[kind]
	if t == nil {
		t = &tally{}
		c.counts[kind] = t
		c.kinds = append(c.kinds, kind)
	}
	t.blocks += blocks
	t.insns += insns
}

// total sums every kind.
func (c census) total() tally {
	var s tally
	for _, t := range c.counts {
		s.blocks += t.blocks
		s.insns += t.insns
	}
	return s
}

// classifier says whose code the instruction at an address is. after is
// true once the Go runtime's entry has been translated (coracle only).
type classifier func(addr uint64, after bool) string

// isFirmware reports whether addr is where the firmware runs: the first
// MiB (qboot, SeaBIOS, option ROMs) and the last MiB below 4 GiB (the
// reset vector and the BIOS's high alias). Every image here is linked at
// or above 1 MiB.
func isFirmware(addr uint64) bool {
	return addr < 1<<20 || addr >= 0xfff00000 && addr < 1<<32
}

// countTranslated reads a QEMU `-d in_asm` log: each translated block is
// an "IN:" line followed by one line per instruction, "0xADDR:  bytes
// mnemonic". A block counts for the kind of its first instruction, each
// instruction for its own. Blocks from the first one that starts where
// split says (nil: none) on are classified as after the Go runtime's
// entry.
func countTranslated(r io.Reader, classify classifier, split func(addr uint64) bool) (census, error) {
	var c census
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	after, first := false, false
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("IN:")) {
			first = true
			continue
		}
		addr, ok := instructionAddr(line)
		if !ok {
			continue
		}
		if first && !after && split != nil && split(addr) {
			after = true
		}
		kind := classify(addr, after)
		if first {
			c.add(kind, 1, 1)
			first = false
		} else {
			c.add(kind, 0, 1)
		}
	}
	return c, sc.Err()
}

// instructionAddr parses the address of an in_asm instruction line.
func instructionAddr(line []byte) (uint64, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("0x"))
	if !ok {
		return 0, false
	}
	hex, _, ok := bytes.Cut(rest, []byte(":"))
	if !ok {
		return 0, false
	}
	a, err := strconv.ParseUint(string(hex), 16, 64)
	return a, err == nil
}

// funcNames names the function holding a code address and gives its
// entry: crashreport.Symbols, from the image's Go function table.
type funcNames interface {
	Func(pc uint64) (name string, entry uint64, ok bool)
}

// runtimeEntry reports whether addr is the entry of the Go runtime's
// entry point in the image syms names.
func runtimeEntry(syms funcNames) func(addr uint64) bool {
	return func(addr uint64) bool {
		name, entry, ok := syms.Func(addr)
		return ok && entry == addr && name == runtimeEntryName
	}
}

// coracleCode classifies a coracle image's code by its functions.
func coracleCode(syms funcNames) classifier {
	return func(addr uint64, after bool) string {
		if isFirmware(addr) {
			return codeFirmware
		}
		name, _, ok := syms.Func(addr)
		switch {
		case !ok:
			return codeUnnamed
		case isNetworkCode(name):
			return codeNetwork
		case strings.HasPrefix(name, image.ModulePath+"/"):
			if after {
				return codeKernelLater
			}
			return codeKernelBoot
		case strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "internal/runtime/") || strings.HasPrefix(name, "_rt0_"):
			return codeRuntime
		}
		return codeProgram
	}
}

// isNetworkCode reports whether the function named name is the
// network's: gVisor's netstack, or coracle's network service and device
// drivers.
func isNetworkCode(name string) bool {
	for _, p := range []string{"gvisor.dev/", image.ModulePath + "/net/", image.ModulePath + "/drivers/"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// linuxCode classifies Linux's code by address: its kernel's virtual
// addresses are the upper half.
func linuxCode(addr uint64, _ bool) string {
	switch {
	case isFirmware(addr):
		return codeFirmware
	case addr >= 0xffff800000000000:
		return codeLinuxKernel
	}
	return codeLinuxOther
}

// floorCode is the floor's: its thirty instructions, and the firmware's.
func floorCode(addr uint64, _ bool) string {
	if isFirmware(addr) {
		return codeFirmware
	}
	return codeAll
}

// censusRow is one system's census, or why it has none.
type censusRow struct {
	system  string
	counts  census
	missing string
}

// takeCensus boots each system once more with QEMU's in_asm log in tmp
// and counts what was translated (not the -compare-cpus boots). It needs
// TCG.
func takeCensus(ctx context.Context, qemuPath string, systems []*system, tmp string, timeout time.Duration, logf func(string, ...any)) []censusRow {
	var rows []censusRow
	for _, s := range systems {
		if s.short == compareFloorShort || s.short == compareCoracleShort {
			continue
		}
		row := censusRow{system: s.short}
		if s.missing != "" {
			row.missing = "not booted: " + s.missing
			rows = append(rows, row)
			continue
		}
		logf("translation census: %s", s.short)
		counts, err := censusOf(ctx, qemuPath, s, tmp, timeout)
		if err != nil {
			logf("translation census of %s: %v", s.short, err)
			row.missing = "failed (see stderr)"
		}
		row.counts = counts
		rows = append(rows, row)
	}
	return rows
}

// censusOf boots s once with the in_asm log and counts it.
func censusOf(ctx context.Context, qemuPath string, s *system, tmp string, timeout time.Duration) (census, error) {
	args := s.args
	if s.http != nil {
		args = s.http.args
	}
	classify := classifier(floorCode)
	var split func(addr uint64) bool
	switch s.short {
	case "coracle", "coracle-httpd":
		syms, err := crashreport.LoadImage(hostinfo.ArgAfter(args, "-kernel"))
		if err != nil {
			return census{}, err
		}
		classify, split = coracleCode(syms), runtimeEntry(syms)
	case "linux", "linux-httpd":
		classify = linuxCode
	}
	logPath := filepath.Join(tmp, s.short+".in_asm.log")
	defer os.Remove(logPath)
	logArgs := []string{"-d", "in_asm", "-D", logPath}
	var err error
	if s.http != nil {
		// To the first 200; SIGTERM then, so that QEMU writes out its log.
		_, err = first200(ctx, qemuPath, s.http, logArgs, termQEMU, timeout)
	} else {
		err = bootToExit(ctx, qemuPath, append(slices.Clip(args), logArgs...), s.line, timeout)
	}
	if err != nil {
		return census{}, err
	}
	f, err := os.Open(logPath)
	if err != nil {
		return census{}, err
	}
	defer f.Close()
	return countTranslated(f, classify, split)
}

// bootToExit runs QEMU until it ends by itself, which every console
// guest here makes it do after its line (the floor and coracle through
// isa-debug-exit, Linux by a panic reboot under -no-reboot), so that its
// log is complete. The line must have been printed.
func bootToExit(ctx context.Context, qemuPath string, args []string, line string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, qemuPath, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run() // the guests' exit statuses are not 0: not an error here
	switch {
	case ctx.Err() != nil:
		return bootError(fmt.Errorf("QEMU did not end within %v", timeout), out.Bytes(), stderr.String())
	case !hasLine(out.Bytes(), line):
		return bootError(fmt.Errorf("QEMU ended (%v) without the line %q", err, line), out.Bytes(), stderr.String())
	}
	return nil
}

// writeCensus prints the census table.
func writeCensus(w io.Writer, rows []censusRow) {
	fmt.Fprintf(w, "\nCode translated by TCG (-translation: one more boot of each system with QEMU's -d in_asm, to QEMU's exit; the httpd rows to the first HTTP 200):\n\n")
	fmt.Fprintf(w, "| system | code | blocks | instructions |\n| --- | --- | ---: | ---: |\n")
	for _, r := range rows {
		if r.missing != "" {
			fmt.Fprintf(w, "| %s | %s | | |\n", r.system, r.missing)
			continue
		}
		for _, k := range r.counts.kinds {
			t := r.counts.counts[k]
			fmt.Fprintf(w, "| %s | %s | %d | %d |\n", r.system, k, t.blocks, t.insns)
		}
		t := r.counts.total()
		fmt.Fprintf(w, "| %s | **in all** | **%d** | **%d** |\n", r.system, t.blocks, t.insns)
	}
	fmt.Fprintf(w, "\nA block is counted each time it is translated (QEMU translates a block again after a flush, or split where an interrupt landed); coracle's code by its image's symbols, the others' by address.\n")
}
