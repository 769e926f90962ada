package virtio

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
)

// CmdlineKey is the kernel parameter that describes a virtio-mmio
// device, as QEMU microvm and Firecracker write it.
const CmdlineKey = "virtio_mmio.device"

// MMIODevice is one virtio_mmio.device=<size>@<base>:<irq>[:<id>] word.
type MMIODevice struct {
	Base uint64 // physical address of the registers
	Size uint64 // bytes
	IRQ  uint32 // interrupt (GSI); never 0
	ID   int    // platform device id; -1 when the word has none
}

// ParseCmdline returns the virtio-mmio devices a kernel command line
// describes, in order. The format is Linux's (vm_cmdline_set in
// drivers/virtio/virtio_mmio.c):
//
//	virtio_mmio.device=<size>@<base>:<irq>[:<id>]
//
// size is a number (decimal, 0x hex or 0 octal) with an optional K, M,
// G, T, P or E suffix (memparse); base is a number in the same bases; irq
// is decimal and not 0; id is decimal. QEMU microvm writes
// "512@0xfeb00e00:12", Firecracker "4K@0xd0000000:5".
//
// Malformed words are reported in err, one error each, and skipped; the
// devices from the other words are still returned.
func ParseCmdline(s string) ([]MMIODevice, error) {
	var devs []MMIODevice
	var errs []error
	sc := cmdline.NewScanner(s)
	for {
		w, ok := sc.Next()
		if !ok {
			break
		}
		if w.Key != CmdlineKey {
			continue
		}
		d, err := parseMMIODevice(w.Value)
		if err != nil {
			errs = append(errs, fmt.Errorf("virtio: %s=%s at offset %d: %w", w.Key, w.Value, w.Offset, err))
			continue
		}
		devs = append(devs, d)
	}
	return devs, errors.Join(errs...)
}

func parseMMIODevice(v string) (MMIODevice, error) {
	d := MMIODevice{ID: -1}
	sizeStr, rest, ok := strings.Cut(v, "@")
	if !ok {
		return d, errors.New("want <size>@<base>:<irq>[:<id>]")
	}
	size, err := parseMemSize(sizeStr)
	if err != nil {
		return d, fmt.Errorf("size: %w", err)
	}
	if size == 0 {
		return d, errors.New("size is 0")
	}
	fields := strings.Split(rest, ":")
	if len(fields) < 2 || len(fields) > 3 {
		return d, errors.New("want <base>:<irq>[:<id>] after @")
	}
	base, err := parseUint(fields[0], 0)
	if err != nil {
		return d, fmt.Errorf("base: %w", err)
	}
	if base+size < base {
		return d, errors.New("base+size overflows")
	}
	irq, err := parseUint(fields[1], 10)
	if err != nil || irq == 0 || irq > math.MaxUint32 {
		return d, fmt.Errorf("irq %q: want a decimal number from 1", fields[1])
	}
	d.Base, d.Size, d.IRQ = base, size, uint32(irq)
	if len(fields) == 3 {
		id, err := parseUint(fields[2], 10)
		if err != nil || id > math.MaxInt32 {
			return d, fmt.Errorf("id %q: want a decimal number", fields[2])
		}
		d.ID = int(id)
	}
	return d, nil
}

// parseMemSize parses a number with an optional binary suffix (K, M, G,
// T, P, E, either case), as Linux's memparse does: the number first, as
// long as it has digits ("0x1E" is 30), then at most one suffix letter.
func parseMemSize(s string) (uint64, error) {
	v, rest, err := scanUint(s, 0)
	if err != nil {
		return 0, err
	}
	shift := 0
	switch rest {
	case "":
	case "K", "k":
		shift = 10
	case "M", "m":
		shift = 20
	case "G", "g":
		shift = 30
	case "T", "t":
		shift = 40
	case "P", "p":
		shift = 50
	case "E", "e":
		shift = 60
	default:
		return 0, fmt.Errorf("bad suffix %q in %q", rest, s)
	}
	if v > math.MaxUint64>>shift {
		return 0, fmt.Errorf("%q overflows 64 bits", s)
	}
	return v << shift, nil
}

// parseUint parses an unsigned number, all of s, in base; see scanUint.
func parseUint(s string, base uint64) (uint64, error) {
	v, rest, err := scanUint(s, base)
	if err == nil && rest != "" {
		err = fmt.Errorf("bad digit %q in %q", rest[0], s)
	}
	return v, err
}

// scanUint parses the unsigned number at the start of s in base, or for
// base 0 in the base its prefix gives (0x or 0X hex, 0 octal, decimal),
// as C's strtoull does, and returns what follows it.
func scanUint(s string, base uint64) (v uint64, rest string, err error) {
	if base == 0 {
		switch {
		case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digitValue(s[2]) < 16:
			base, s = 16, s[2:]
		case len(s) > 1 && s[0] == '0':
			base = 8 // the leading 0 is an octal digit itself
		default:
			base = 10
		}
	}
	i := 0
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-d)/base {
			return 0, "", fmt.Errorf("%q overflows 64 bits", s)
		}
		v = v*base + d
	}
	if i == 0 {
		return 0, "", fmt.Errorf("missing number in %q", s)
	}
	return v, s[i:], nil
}

// digitValue is c's value as a digit, or 36 if it is none.
func digitValue(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'z':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return uint64(c-'A') + 10
	}
	return 36
}
