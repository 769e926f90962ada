package mm

// PTE is an x86-64 paging-structure entry: a PML4E, PDPTE, PDE or PTE
// (SDM Vol. 3A §4.5, Tables 4-14 to 4-20). All levels share the flag
// positions below; the address field is bits 51:12 for a table or a
// 4 KiB page and bits 51:21 for a 2 MiB page (bit 12 is then PAT).
type PTE uint64

// Entry bits, named as in the SDM.
const (
	P   PTE = 1 << 0  // present
	RW  PTE = 1 << 1  // read/write: writes allowed
	US  PTE = 1 << 2  // user/supervisor: ring 3 may access
	PWT PTE = 1 << 3  // page-level write-through
	PCD PTE = 1 << 4  // page-level cache disable
	A   PTE = 1 << 5  // accessed (set by the CPU)
	D   PTE = 1 << 6  // dirty (set by the CPU; leaf entries only)
	PS  PTE = 1 << 7  // page size: this PDE maps a 2 MiB page
	G   PTE = 1 << 8  // global: kept across CR3 loads (needs CR4.PGE)
	XD  PTE = 1 << 63 // execute-disable (needs IA32_EFER.NXE, else reserved)

	// Bits 9 to 11 of a leaf are ignored by the CPU (SDM Table 4-20)
	// and free for software; mm uses two.

	// FilePage marks a leaf that maps a file's frame: the file owns
	// it, so unmapping never frees it.
	FilePage PTE = 1 << 9
	// CopyOnWrite marks a file's frame in a private mapping: it stays
	// read-only whatever the area allows, and a write fault copies it.
	CopyOnWrite PTE = 1 << 10

	// AddrMask selects the address of a table or a 4 KiB page: bits
	// 51:12 (MAXPHYADDR is at most 52).
	AddrMask PTE = 0x000f_ffff_ffff_f000
	// LargeAddrMask selects the address of a 2 MiB page: bits 51:21.
	LargeAddrMask PTE = 0x000f_ffff_ffe0_0000

	// flagMask is the flags a caller may set on a leaf.
	flagMask = P | RW | US | PWT | PCD | A | D | G | XD
	// tableFlags are given to every entry that points to a table: the
	// leaf alone then decides the access rights (the CPU ANDs RW and
	// US and ORs XD down the walk, §4.6).
	tableFlags = P | RW | US
)

// Addr returns the physical address of the table or 4 KiB page the entry
// points to.
//
// Trap context: bit arithmetic.
//
//go:nosplit
func (e PTE) Addr() uint64 { return uint64(e & AddrMask) }

// LargeAddr returns the physical address of the 2 MiB page a PDE with PS
// set maps.
//
// Trap context: bit arithmetic.
//
//go:nosplit
func (e PTE) LargeAddr() uint64 { return uint64(e & LargeAddrMask) }

// Present reports whether P is set.
//
// Trap context: bit arithmetic.
//
//go:nosplit
func (e PTE) Present() bool { return e&P != 0 }

// Canonical reports whether va is canonical for 4-level paging: bits
// 63:47 all equal bit 47 (SDM Vol. 3A §4.5, §3.3.7.1).
//
// Trap context: bit arithmetic.
//
//go:nosplit
func Canonical(va uint64) bool { return uint64(int64(va<<16)>>16) == va }

// Page-table geometry: 512 entries per table; level 0 is the page table
// (4 KiB pages), 1 the page directory, 2 the PDPT, 3 the PML4.
const (
	entriesPerTable = 512
	levels          = 4
)

// levelShift returns the number of low address bits one entry at level l
// covers: 12, 21, 30 or 39.
//
// Trap context: arithmetic.
//
//go:nosplit
func levelShift(l int) uint { return 12 + 9*uint(l) }

// index returns va's entry index in its level-l table.
//
// Trap context: arithmetic.
//
//go:nosplit
func index(va uint64, l int) uint64 { return (va >> levelShift(l)) & (entriesPerTable - 1) }
