package pvh

import "encoding/binary"

// Memory gives read access to guest-physical memory.
type Memory interface {
	// Bytes returns the n bytes at physical address pa, or nil if any of
	// them lies outside the memory the reader can see.
	Bytes(pa, n uint64) []byte
}

// MemMapEntry is one range of the hypervisor's memory map.
type MemMapEntry struct {
	Addr, Size uint64
	Type       uint32 // MemRAM, MemReserved, ...
}

// End is the first address past the range.
func (e MemMapEntry) End() uint64 { return e.Addr + e.Size }

// Module is a blob the hypervisor loaded beside the image (an initrd).
type Module struct {
	Addr, Size uint64
	Cmdline    string
}

// StartInfo is hvm_start_info decoded. Strings point into guest memory; the
// fixed-size arrays keep Parse free of allocation.
type StartInfo struct {
	Version, Flags uint32
	RSDP           uint64 // ACPI RSDP, 0 when the hypervisor has none (Firecracker)
	Cmdline        string

	memMap     [MaxMemMap]MemMapEntry
	numMemMap  int
	modules    [MaxModules]Module
	numModules int
}

// MemMap returns the memory map in the order the hypervisor gave it.
func (s *StartInfo) MemMap() []MemMapEntry { return s.memMap[:s.numMemMap] }

// Modules returns the modules in the order the hypervisor gave them.
func (s *StartInfo) Modules() []Module { return s.modules[:s.numModules] }

// RAMBytes is the total size of the usable RAM ranges.
func (s *StartInfo) RAMBytes() uint64 {
	var n uint64
	for _, e := range s.MemMap() {
		if e.Type == MemRAM {
			n += e.Size
		}
	}
	return n
}

// Error is a reason Parse refused a start-info structure. Its values are
// constants so that returning one does not allocate.
type Error string

func (e Error) Error() string { return string(e) }

const (
	ErrUnreadable     Error = "hvm_start_info lies outside guest memory"
	ErrBadMagic       Error = "hvm_start_info magic is not 0x336ec578: the image was not started through the PVH boot ABI"
	ErrOldVersion     Error = "hvm_start_info version 0 has no memory map; the hypervisor is too old for PVH version 1"
	ErrNoMemMap       Error = "hvm_start_info memory map is empty"
	ErrMemMapTooLong  Error = "hvm_start_info memory map has more than 128 entries"
	ErrMemMapBad      Error = "hvm_start_info memory map lies outside guest memory"
	ErrMemMapOverflow Error = "hvm_start_info memory map entry wraps past 2^64"
	ErrNoRAM          Error = "hvm_start_info memory map has no RAM range"
	ErrModulesTooMany Error = "hvm_start_info lists more than 16 modules"
	ErrModulesBad     Error = "hvm_start_info module list lies outside guest memory"
	ErrCmdlineBad     Error = "kernel command line lies outside guest memory"
	ErrCmdlineTooLong Error = "kernel command line is not NUL-terminated within 64 KiB"
)

// Parse decodes the hvm_start_info at physical address pa into si.
func Parse(mem Memory, pa uint64, si *StartInfo) error {
	b := mem.Bytes(pa, startInfoSize)
	if b == nil {
		return ErrUnreadable
	}
	le := binary.LittleEndian
	if le.Uint32(b[offMagic:]) != StartMagic {
		return ErrBadMagic
	}
	*si = StartInfo{
		Version: le.Uint32(b[offVersion:]),
		Flags:   le.Uint32(b[offFlags:]),
		RSDP:    le.Uint64(b[offRsdpPaddr:]),
	}
	if si.Version < 1 {
		return ErrOldVersion
	}
	if err := parseMemMap(mem, le.Uint64(b[offMemmapPaddr:]), le.Uint32(b[offMemmapEntries:]), si); err != nil {
		return err
	}
	if err := parseModules(mem, le.Uint64(b[offModlistPaddr:]), le.Uint32(b[offNrModules:]), si); err != nil {
		return err
	}
	if pa := le.Uint64(b[offCmdlinePaddr:]); pa != 0 {
		s, err := cString(mem, pa, MaxCmdline)
		if err != nil {
			return err
		}
		si.Cmdline = s
	}
	return nil
}

func parseMemMap(mem Memory, pa uint64, n uint32, si *StartInfo) error {
	switch {
	case n == 0:
		return ErrNoMemMap
	case n > MaxMemMap:
		return ErrMemMapTooLong
	}
	b := mem.Bytes(pa, uint64(n)*memmapEntrySize)
	if b == nil {
		return ErrMemMapBad
	}
	le := binary.LittleEndian
	ram := false
	for i := range int(n) {
		e := b[i*memmapEntrySize:]
		ent := MemMapEntry{Addr: le.Uint64(e[0:]), Size: le.Uint64(e[8:]), Type: le.Uint32(e[16:])}
		if ent.End() < ent.Addr {
			return ErrMemMapOverflow
		}
		if ent.Type == MemRAM && ent.Size > 0 {
			ram = true
		}
		si.memMap[i] = ent
	}
	si.numMemMap = int(n)
	if !ram {
		return ErrNoRAM
	}
	return nil
}

func parseModules(mem Memory, pa uint64, n uint32, si *StartInfo) error {
	if n == 0 {
		return nil
	}
	if n > MaxModules {
		return ErrModulesTooMany
	}
	b := mem.Bytes(pa, uint64(n)*moduleEntrySize)
	if b == nil {
		return ErrModulesBad
	}
	le := binary.LittleEndian
	for i := range int(n) {
		e := b[i*moduleEntrySize:]
		m := Module{Addr: le.Uint64(e[0:]), Size: le.Uint64(e[8:])}
		if m.Addr+m.Size < m.Addr || mem.Bytes(m.Addr, m.Size) == nil {
			return ErrModulesBad
		}
		if cl := le.Uint64(e[16:]); cl != 0 {
			s, err := cString(mem, cl, maxModuleCl)
			if err != nil {
				return ErrModulesBad
			}
			m.Cmdline = s
		}
		si.modules[i] = m
	}
	si.numModules = int(n)
	return nil
}

// cString returns the NUL-terminated string at pa, at most max bytes long,
// as a view of guest memory.
func cString(mem Memory, pa uint64, max uint64) (string, error) {
	for n := uint64(0); n <= max; n++ {
		c := mem.Bytes(pa+n, 1)
		if c == nil {
			return "", ErrCmdlineBad
		}
		if c[0] == 0 {
			return bytesString(mem.Bytes(pa, n)), nil
		}
	}
	return "", ErrCmdlineTooLong
}
