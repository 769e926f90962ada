package boot

// Layout of bootData, the boot-time memory pvhEntry carves out of the
// image's .bss. Offsets are from bootData rounded up to a 4 KiB boundary;
// entry_amd64.s uses them through go_asm.h.
const (
	pageSize = 4096

	pml4Offset      = 0x0000 // one PML4
	pdptOffset      = 0x1000 // one PDPT
	pdOffset        = 0x2000 // four page directories: 4 GiB in 2 MiB pages
	pdCount         = 4
	pdEntries       = 512 * pdCount
	gdtOffset       = 0x6000 // null, 64-bit code (0x08), data (0x10)
	gdtrOffset      = 0x6040 // limit:16, base:32 (LGDT in 32-bit mode)
	fakeGOffset     = 0x6100 // stand-in g: stack.lo, stack.hi, stackguard0, stackguard1
	tlsOffset       = 0x6200 // the word at FS-8, where Go code finds g
	entryTSCOffset  = 0x6300 // the TSC when pvhEntry ran (after clearing the tables)
	tablesTSCOffset = 0x6308 // the TSC once the identity map is built
	longTSCOffset   = 0x6310 // the TSC at entry64's first instruction
	stackBottom     = 0x8000
	stackTop        = 0x10000 // 32 KiB boot stack below this

	bootDataSize = stackTop + pageSize // room to round the base up to a page

	// BootCodeSelector and BootDataSelector index the boot GDT.
	bootCodeSelector = 0x08
	bootDataSelector = 0x10

	// stackGuardRoom mirrors the runtime's stack guard: a function whose
	// frame would take SP below stack.lo+stackGuardRoom calls morestack.
	stackGuardRoom = 1024
)

// Page-table entry bits (Intel SDM Vol. 3A §4.5, Table 4-15..4-17).
const (
	pteP  = 1 << 0 // present
	pteRW = 1 << 1 // writable
	ptePS = 1 << 7 // 2 MiB page (in a PD entry)
)

// Control registers and MSRs the stub touches (Intel SDM Vol. 3A §2.5,
// Vol. 4 MSR tables).
const (
	cr0PE = 1 << 0  // protected mode
	cr0MP = 1 << 1  // monitor coprocessor (WAIT honours TS)
	cr0EM = 1 << 2  // x87 emulation: must be clear for SSE
	cr0NE = 1 << 5  // native x87 error reporting
	cr0WP = 1 << 16 // ring 0 honours read-only pages
	cr0PG = 1 << 31 // paging

	cr4PAE        = 1 << 5
	cr4OSFXSR     = 1 << 9  // FXSAVE/FXRSTOR and SSE
	cr4OSXMMEXCPT = 1 << 10 // SSE exceptions as #XM

	msrEFER   = 0xC0000080
	eferLME   = 1 << 8
	msrFSBase = 0xC0000100

	// Descriptor high words (SDM Vol. 3A §3.4.5): present, DPL 0, 4 GiB
	// limit; code is execute/read with L=1, data is read/write.
	gdtCode64High = 0x00AF9A00
	gdtDataHigh   = 0x00CF9200
	gdtLimitLow   = 0x0000FFFF
)
