package amd64

// TSS is the 64-bit task-state segment (SDM Vol. 3A §7.7, Figure 7-11). In
// long mode it only holds stack pointers: RSP0 for interrupts that arrive
// from ring 3, and IST1-7 for vectors that must always switch stacks. Its
// 64-bit fields sit at 4-byte offsets, so it is kept as 32-bit words.
type TSS struct {
	words [tssSize / 4]uint32
}

const (
	tssSize      = 104
	tssRSP0Word  = 1  // offset 0x04
	tssIST1Word  = 9  // offset 0x24
	tssIOMapWord = 25 // offset 0x64; I/O map base in the high half
)

// SetRSP0 sets the stack the CPU switches to on an interrupt from ring 3.
func (t *TSS) SetRSP0(sp uintptr) { t.set(tssRSP0Word, uint64(sp)) }

// SetIST sets interrupt stack n (1-7).
func (t *TSS) SetIST(n int, sp uintptr) { t.set(tssIST1Word+2*(n-1), uint64(sp)) }

// NoIOMap places the I/O permission map past the segment's limit: no
// map, so port access is governed by IOPL alone.
func (t *TSS) NoIOMap() { t.words[tssIOMapWord] = tssSize << 16 }

func (t *TSS) set(word int, v uint64) {
	t.words[word] = uint32(v)
	t.words[word+1] = uint32(v >> 32)
}
