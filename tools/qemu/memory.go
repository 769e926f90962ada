package qemu

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Guest memory bounds, in MiB.
const (
	DefaultMemoryMiB = 256
	// MinMemoryMiB leaves room for the first MiB, a small image, the
	// kernel's tables and a Go heap that can start: the smallest
	// examples (examples/faults) run in it (docs/memory.md). Bigger
	// programs need more; below what they need they stop with the Go
	// runtime's "out of memory" (or the kernel's, status 123), or with
	// a boot failure if the image itself does not fit.
	MinMemoryMiB = 16
)

// CheckMemory validates a guest memory size in MiB against the minimum
// and against hostMiB, the host's RAM (0 when unknown): QEMU cannot
// allocate much more than that and fails late, with a less helpful
// message.
func CheckMemory(mib, hostMiB int) error {
	if mib < MinMemoryMiB {
		return fmt.Errorf("-m %d: a guest needs at least %d MiB", mib, MinMemoryMiB)
	}
	if hostMiB > 0 && mib > hostMiB {
		return fmt.Errorf("-m %d: the host has only %d MiB of RAM", mib, hostMiB)
	}
	return nil
}

// HostMemoryMiB returns the host's RAM in MiB (MemTotal in /proc/meminfo),
// or 0 when it cannot be read.
func HostMemoryMiB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	return memTotalMiB(b)
}

// memTotalMiB parses the MemTotal line of /proc/meminfo ("MemTotal:
// 24684096 kB").
func memTotalMiB(meminfo []byte) int {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) == 3 && string(fields[0]) == "MemTotal:" && string(fields[2]) == "kB" {
			kib, err := strconv.Atoi(string(fields[1]))
			if err != nil {
				return 0
			}
			return kib / 1024
		}
	}
	return 0
}
