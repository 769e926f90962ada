package cli

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultGDBPort is the port of QEMU's gdb stub for a bare --gdb: the
// port gdb's own documentation and QEMU's -s use.
const DefaultGDBPort = 1234

// gdbFlag is --gdb[=PORT]: a boolean flag that may carry a port.
type gdbFlag struct{ port *int }

func (g gdbFlag) String() string {
	if g.port == nil || *g.port == 0 {
		return ""
	}
	return strconv.Itoa(*g.port)
}

// IsBoolFlag lets --gdb stand alone; --gdb=PORT names the port.
func (g gdbFlag) IsBoolFlag() bool { return true }

func (g gdbFlag) Set(v string) error {
	switch v {
	case "true":
		*g.port = DefaultGDBPort
		return nil
	case "false":
		*g.port = 0
		return nil
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("want --gdb or --gdb=PORT, a TCP port from 1 to 65535")
	}
	*g.port = p
	return nil
}

// gdbAddr is where QEMU's stub listens: on the loopback interface only,
// since the stub reads and writes all of the guest's memory.
func gdbAddr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// checkGDBPort makes sure the stub's port is free: QEMU's own message
// for a busy port names neither the flag nor a fix.
func checkGDBPort(port int) error {
	l, err := net.Listen("tcp", gdbAddr(port))
	if err != nil {
		return fmt.Errorf("--gdb=%d: %s is in use (or not available: %v); choose another port, e.g. --gdb=%d", port, gdbAddr(port), err, port+1)
	}
	return l.Close()
}

// gdbScript returns the path of Go's gdb helper script
// (runtime-gdb.py) that the image names in its .debug_gdb_scripts
// section, which the Go linker writes from the GOROOT of the toolchain
// that built it, if that file exists; "" otherwise.
func gdbScript(imagePath string) string {
	f, err := elf.Open(imagePath)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".debug_gdb_scripts")
	if sec == nil {
		return ""
	}
	data, err := sec.Data()
	if err != nil {
		return ""
	}
	// Entries are a kind byte (1: a Python file name) and a
	// NUL-terminated name.
	for len(data) > 1 {
		kind := data[0]
		name, rest, _ := bytes.Cut(data[1:], []byte{0})
		data = rest
		if kind != 1 {
			continue
		}
		if fi, err := os.Stat(string(name)); err == nil && fi.Mode().IsRegular() {
			return string(name)
		}
	}
	return ""
}

// GDBCommand is the gdb command line that debugs imagePath through the
// stub at addr. When script is not empty, its directory is added to
// gdb's auto-load safe path before the image is read, so that gdb loads
// Go's helper script the image names (gdb declines it otherwise, with a
// warning, unless the user's gdbinit allows it).
func GDBCommand(imagePath, addr, script string) []string {
	cmd := []string{"gdb"}
	if script != "" {
		cmd = append(cmd, "-iex", "add-auto-load-safe-path "+filepath.Dir(script))
	}
	return append(cmd, imagePath, "-ex", "target remote "+addr)
}

// shellQuote quotes words for a POSIX shell where they need it.
func shellQuote(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
			q[i] = w
		} else {
			q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// reportGDB tells the user how to attach gdb to the stopped guest.
func reportGDB(w io.Writer, imagePath string, port int) {
	script := gdbScript(imagePath)
	fmt.Fprintf(w, "coracle: the guest is stopped before its first instruction; QEMU's gdb stub listens on %s. Attach with:\n", gdbAddr(port))
	fmt.Fprintf(w, "  %s\n", shellQuote(GDBCommand(imagePath, gdbAddr(port), script)))
	if script == "" {
		fmt.Fprintf(w, "coracle: (Go's runtime-gdb.py, which the image names, is not on this host: goroutine commands are missing)\n")
	}
	fmt.Fprintf(w, "coracle: then e.g. break main.main, continue (docs/debugging.md)\n")
}
