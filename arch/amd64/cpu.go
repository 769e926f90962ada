package amd64

// defined in cpu_amd64.s

// Inb reads a byte from an I/O port.
func Inb(port uint16) uint8

// Outb writes a byte to an I/O port.
func Outb(port uint16, v uint8)

// Inw reads 16 bits from an I/O port.
func Inw(port uint16) uint16

// Outw writes 16 bits to an I/O port.
func Outw(port uint16, v uint16)

// Inl reads 32 bits from an I/O port.
func Inl(port uint16) uint32

// Outl writes 32 bits to an I/O port.
func Outl(port uint16, v uint32)

// CPUID executes CPUID with EAX=leaf, ECX=subleaf.
func CPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// Rdmsr reads a model-specific register.
func Rdmsr(msr uint32) uint64

// Wrmsr writes a model-specific register.
func Wrmsr(msr uint32, v uint64)

// Rdtsc reads the time-stamp counter.
func Rdtsc() uint64

// ReadCR0 returns CR0.
func ReadCR0() uint64

// ReadCR2 returns CR2, the linear address of the last page fault.
func ReadCR2() uint64

// ReadCR3 returns CR3, the page-table root.
func ReadCR3() uint64

// ReadCR4 returns CR4.
func ReadCR4() uint64

// DisableInterrupts clears RFLAGS.IF.
func DisableInterrupts()

// Halt executes HLT once: the CPU sleeps until the next interrupt.
func Halt()

// Pause executes PAUSE, the spin-loop hint (SDM Vol. 2B, PAUSE): a CPU
// polling memory another CPU will write wastes less power and, under a
// hypervisor, may yield its time to the writer.
func Pause()

// lgdt loads the GDT register from a pseudo-descriptor.
//
//go:noescape
func lgdt(p *pseudoDescriptor)

// lidt loads the IDT register from a pseudo-descriptor.
//
//go:noescape
func lidt(p *pseudoDescriptor)

// ltr loads the task register.
func ltr(selector uint16)

// reloadSegments loads CS with code (by a far return) and DS, ES, SS with
// data, so that a new GDT takes effect.
func reloadSegments(code, data uint16)

// HaltForever stops this CPU with interrupts disabled.
func HaltForever() {
	for {
		DisableInterrupts()
		Halt()
	}
}

// pseudoDescriptor is the operand of LGDT and LIDT (SDM Vol. 3A §3.5.1):
// a 16-bit limit followed by a 64-bit base, packed.
type pseudoDescriptor struct {
	pad   [3]uint16 // so that limit ends where base begins, 8-aligned
	limit uint16
	base  uint64
}

// WriteCR3 loads a new page-table root, flushing non-global TLB entries.
func WriteCR3(v uint64)

// WriteCR4 sets CR4.
func WriteCR4(v uint64)

// Invlpg drops the TLB entry for the page holding addr.
func Invlpg(addr uintptr)

// Xsetbv writes extended control register xcr (XCR0 is the only one).
func Xsetbv(xcr uint32, v uint64)

// WaitForInterrupt enables interrupts and halts in one step (STI's
// one-instruction shadow covers HLT, so no interrupt is lost between
// them), then disables them again once an interrupt has been handled.
func WaitForInterrupt()

// PollWithInterrupts enables interrupts and spins until the word at flag
// is 0 or the TSC reaches deadline, then disables them again. Interrupts
// that come meanwhile are handled (a handler may clear the word). The
// idle loop polls so before it halts: a wake-up that clears the word
// needs no interrupt, and the CPU no halt and resume.
//
//go:noescape
func PollWithInterrupts(flag *uint32, deadline uint64)

// RdRand returns a random word from the CPU's DRBG; ok is false when the
// CPU had none ready (CF=0; SDM Vol. 1 §7.3.17).
func RdRand() (v uint64, ok bool)

// RdSeed returns a word from the CPU's entropy source; ok as RdRand.
func RdSeed() (v uint64, ok bool)
