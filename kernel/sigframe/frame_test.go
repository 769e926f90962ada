package sigframe

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

var le = binary.LittleEndian

// FPU configurations to test: FXSAVE only, XSAVE with AVX, XSAVE with
// AVX-512 (sizes as CPUID reports them).
var fpus = []FPU{
	{Size: 512, XSAVE: false, XCR0: 0x3},
	{Size: 832, XSAVE: true, XCR0: 0x7},
	{Size: 2696, XSAVE: true, XCR0: 0xe7},
}

// userMem is a stand-in for the program's memory: a byte slice at a
// user address.
type userMem struct {
	base uint64
	b    []byte
}

func newUserMem(base, size uint64) *userMem { return &userMem{base, make([]byte, size)} }

func (m *userMem) at(addr, n uint64) []byte {
	if addr < m.base || addr+n > m.base+uint64(len(m.b)) {
		return nil
	}
	return m.b[addr-m.base : addr-m.base+n]
}

// randomRegs is a register set as an interrupted program might have it.
func randomRegs(r *rand.Rand) amd64.TrapFrame {
	u := func() uint64 { return r.Uint64() }
	return amd64.TrapFrame{
		R15: u(), R14: u(), R13: u(), R12: u(), R11: u(), R10: u(), R9: u(), R8: u(),
		RBP: u(), RDI: u(), RSI: u(), RDX: u(), RCX: u(), RBX: u(), RAX: u(),
		Vector: amd64.VectorPF, ErrorCode: 6,
		RIP: 0x40_1000 + u()%0x10000, CS: amd64.UserCS,
		RFLAGS: amd64.UserRFLAGS | 1<<0 | 1<<6 | 1<<11, // CF ZF OF
		RSP:    0xc000_8000 - u()%0x1000, SS: amd64.UserDS,
	}
}

// randomXState is a save area with random registers and the header a
// CPU would write: sw bytes zero, XSTATE_BV within XCR0, XCOMP_BV zero.
func randomXState(r *rand.Rand, fpu FPU) []byte {
	x := make([]byte, fpu.Size)
	for i := range x {
		x[i] = byte(r.Uint32())
	}
	le.PutUint32(x[MXCSROff:], 0x1f80|r.Uint32()&0x3f)
	le.PutUint32(x[MXCSRMaskOff:], 0xffff)
	clear(x[FpxSWOff:FpxSWEnd])
	if fpu.XSAVE {
		le.PutUint64(x[XStateBVOff:], r.Uint64()&fpu.XCR0)
		clear(x[XCompBVOff:XHeaderEndOff])
	}
	return x
}

// deliver places and builds a frame in m for the interrupted regs, as
// the kernel does, and enters the handler; it returns the layout.
func deliver(t *testing.T, m *userMem, regs *amd64.TrapFrame, act *Action, alt *Stack, d *Delivery, fpu FPU, xstate []byte) Layout {
	t.Helper()
	l := Place(regs.RSP, act, alt, fpu)
	b := m.at(l.Frame, l.Size())
	if b == nil {
		t.Fatalf("frame %#x..%#x outside the test memory", l.Frame, l.End)
	}
	if !Build(b, l, regs, d, fpu, xstate) {
		t.Fatalf("Build refused layout %+v", l)
	}
	Enter(regs, l, int(d.Info.Signo), act.Handler)
	return l
}

func TestBuildRestoreRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, fpu := range fpus {
		for range 50 {
			m := newUserMem(0xc000_0000, 0x10000)
			regs := randomRegs(r)
			orig := regs
			xstate := randomXState(r, fpu)
			act := Action{Handler: 0x45_6780, Flags: SA_SIGINFO | SA_RESTORER, Restorer: 0x45_9990, Mask: 1 << 3}
			mask := r.Uint64() &^ Unblockable
			d := Delivery{Info: Info{Signo: 11, Code: 1, Addr: 0xdead}, Mask: mask, Restorer: act.Restorer}
			deliver(t, m, &regs, &act, &Stack{}, &d, fpu, xstate)

			// The handler returns: RET pops pretcode.
			if got := le.Uint64(m.at(regs.RSP, 8)); got != act.Restorer {
				t.Fatalf("pretcode = %#x, want the restorer %#x", got, act.Restorer)
			}
			regs.RSP += 8
			regs.RAX = 15 // SYS_rt_sigreturn, clobbered as the restorer does
			gotMask, fp, ok := Restore(m.at(regs.RSP, UcontextSize), &regs)
			if !ok {
				t.Fatal("Restore refused a frame Build wrote")
			}
			want := orig
			want.Vector, want.ErrorCode = 0, 0
			if regs != want {
				t.Fatalf("registers after the round trip:\n got %+v\nwant %+v", regs, want)
			}
			if gotMask != mask {
				t.Fatalf("mask %#x, want %#x", gotMask, mask)
			}
			area := make([]byte, fpu.Size)
			le.PutUint32(area[MXCSRMaskOff:], 0xffff) // as the CPU saved it on entry
			if !RestoreXState(area, m.at(fp, fpu.Size), fpu) {
				t.Fatal("RestoreXState refused the frame's state")
			}
			if !bytes.Equal(area, xstate) {
				t.Fatalf("vector state changed in the round trip (FPU %+v)", fpu)
			}
		}
	}
}

// TestHandlerView reads the frame as a handler does, through the
// registers it is entered with.
func TestHandlerView(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, fpu := range fpus {
		m := newUserMem(0xc000_0000, 0x10000)
		regs := randomRegs(r)
		orig := regs
		regs.RFLAGS |= amd64.RFLAGS_DF | amd64.RFLAGS_TF
		xstate := randomXState(r, fpu)
		act := Action{Handler: 0x45_6780, Restorer: 0x45_9990}
		alt := Stack{SP: 0x1000_0000, Size: 0x8000}
		d := Delivery{Info: Info{Signo: 23, Code: -6, PID: 1, UID: 7, FromUser: true}, Mask: 0x55, Restorer: act.Restorer, AltStack: alt.Status(regs.RSP)}
		l := deliver(t, m, &regs, &act, &alt, &d, fpu, xstate)

		if regs.RIP != act.Handler || regs.RDI != 23 || regs.RSI != l.Frame+312 || regs.RDX != l.Frame+8 || regs.RSP != l.Frame || regs.RAX != 0 {
			t.Fatalf("handler entry registers %+v for frame %#x", regs, l.Frame)
		}
		if regs.RFLAGS&(amd64.RFLAGS_DF|amd64.RFLAGS_TF) != 0 || regs.CS != amd64.UserCS || regs.SS != amd64.UserDS {
			t.Fatalf("handler entry RFLAGS %#x CS %#x SS %#x", regs.RFLAGS, regs.CS, regs.SS)
		}
		info := m.at(regs.RSI, SiginfoSize)
		if le.Uint32(info[0:]) != 23 || int32(le.Uint32(info[8:])) != -6 || le.Uint32(info[16:]) != 1 || le.Uint32(info[20:]) != 7 {
			t.Errorf("siginfo % x", info[:24])
		}
		uc := m.at(regs.RDX, UcontextSize)
		if got := le.Uint64(uc[UcStackOff:]); got != alt.SP {
			t.Errorf("uc_stack.ss_sp = %#x", got)
		}
		if got := le.Uint32(uc[UcStackOff+8:]); got != 0 {
			t.Errorf("uc_stack.ss_flags = %d, want 0 (not on it)", got)
		}
		if got := le.Uint64(uc[UcStackOff+16:]); got != alt.Size {
			t.Errorf("uc_stack.ss_size = %#x", got)
		}
		mc := uc[UcMcontextOff:]
		if le.Uint64(mc[ScRIP:]) != orig.RIP || le.Uint64(mc[ScRSP:]) != orig.RSP || le.Uint64(mc[ScRAX:]) != orig.RAX {
			t.Error("sigcontext does not hold the interrupted registers")
		}
		if le.Uint16(mc[ScCS:]) != amd64.UserCS || le.Uint16(mc[ScSS:]) != amd64.UserDS || le.Uint64(mc[ScTrapno:]) != amd64.VectorPF || le.Uint64(mc[ScErr:]) != 6 {
			t.Error("sigcontext segments, trapno or err wrong")
		}
		if le.Uint64(mc[ScOldmask:]) != 0x55 || le.Uint64(uc[UcSigmaskOff:]) != 0x55 {
			t.Error("oldmask or uc_sigmask is not the mask before the handler")
		}
		fp := le.Uint64(mc[ScFPState:])
		if fp != l.FPState || fp%64 != 0 {
			t.Fatalf("fpstate = %#x, layout says %#x", fp, l.FPState)
		}
		x := m.at(fp, fpu.FrameBytes())
		if !bytes.Equal(x[:FpxSWOff], xstate[:FpxSWOff]) || !bytes.Equal(x[FpxSWEnd:fpu.Size], xstate[FpxSWEnd:]) {
			t.Error("the frame's vector state is not the thread's")
		}
		flags := le.Uint64(uc[UcFlagsOff:])
		if !fpu.XSAVE {
			if flags != 0 || !bytes.Equal(x[FpxSWOff:FpxSWEnd], make([]byte, 48)) {
				t.Error("FXSAVE frame has XSAVE markings")
			}
			continue
		}
		if flags != UC_FP_XSTATE {
			t.Errorf("uc_flags = %#x, want UC_FP_XSTATE", flags)
		}
		if le.Uint32(x[464:]) != FP_XSTATE_MAGIC1 || le.Uint32(x[468:]) != uint32(fpu.Size+4) ||
			le.Uint64(x[472:]) != fpu.XCR0 || le.Uint32(x[480:]) != uint32(fpu.Size) {
			t.Errorf("_fpx_sw_bytes % x", x[464:484])
		}
		if le.Uint32(x[fpu.Size:]) != FP_XSTATE_MAGIC2 {
			t.Error("FP_XSTATE_MAGIC2 missing after the XSAVE area")
		}
	}
}

// TestSegfaultInfo: a fault's siginfo carries si_addr, and cr2 the same.
func TestSegfaultInfo(t *testing.T) {
	m := newUserMem(0xc000_0000, 0x10000)
	regs := randomRegs(rand.New(rand.NewPCG(5, 6)))
	var none Stack
	d := Delivery{Info: Info{Signo: 11, Code: 2, Addr: 0x1234_5678}, AltStack: none.Status(regs.RSP)}
	deliver(t, m, &regs, &Action{}, &none, &d, fpus[1], make([]byte, fpus[1].Size))
	info := m.at(regs.RSI, SiginfoSize)
	if le.Uint32(info[0:]) != 11 || le.Uint32(info[8:]) != 2 || le.Uint64(info[16:]) != 0x1234_5678 {
		t.Errorf("siginfo % x", info[:24])
	}
	if got := le.Uint64(m.at(regs.RDX+UcMcontextOff+ScCR2, 8)); got != 0x1234_5678 {
		t.Errorf("cr2 = %#x", got)
	}
	if got := le.Uint32(m.at(regs.RDX+UcStackOff+8, 4)); got != linux.SS_DISABLE {
		t.Errorf("uc_stack.ss_flags = %d, want SS_DISABLE", got)
	}
}

// TestBuildZeroesStaleBytes: whatever the stack held is not leaked into
// padding, uc_link or unused siginfo bytes.
func TestBuildZeroesStaleBytes(t *testing.T) {
	m := newUserMem(0xc000_0000, 0x10000)
	for i := range m.b {
		m.b[i] = 0xAA
	}
	regs := randomRegs(rand.New(rand.NewPCG(7, 8)))
	d := Delivery{Info: Info{Signo: 5, Code: 0x80}}
	l := deliver(t, m, &regs, &Action{}, &Stack{}, &d, fpus[0], make([]byte, 512))
	b := m.at(l.Frame, l.Size())
	for _, r := range [][2]int{
		{UcontextOff + UcLinkOff, UcontextOff + UcLinkOff + 8},
		{UcontextOff + UcMcontextOff + ScGS, UcontextOff + UcMcontextOff + ScSS},
		{UcontextOff + UcMcontextOff + ScFPState + 8, UcontextOff + UcMcontextOff + SigcontextSize},
		{SiginfoOff + 24, FrameSize},
		{FrameSize, int(l.FPState - l.Frame)},
	} {
		for i := r[0]; i < r[1]; i++ {
			if b[i] != 0 {
				t.Fatalf("byte %d of the frame is %#x, want 0", i, b[i])
			}
		}
	}
}

func TestPlaceAlignment(t *testing.T) {
	for _, fpu := range fpus {
		for sp := uint64(0x7fff_0000); sp < 0x7fff_0000+0x100; sp += 7 {
			l := Place(sp, &Action{}, &Stack{}, fpu)
			switch {
			case (l.Frame+8)%16 != 0:
				t.Errorf("sp %#x: frame %#x: RSP+8 not 16-byte aligned at the handler", sp, l.Frame)
			case l.FPState%64 != 0:
				t.Errorf("sp %#x: fpstate %#x not 64-byte aligned", sp, l.FPState)
			case l.End != sp-RedZone:
				t.Errorf("sp %#x: frame ends at %#x, want below the red zone %#x", sp, l.End, sp-RedZone)
			case l.FPState+fpu.FrameBytes() > l.End:
				t.Errorf("sp %#x: vector state overlaps the red zone", sp)
			case l.End-(l.FPState+fpu.FrameBytes()) >= 64:
				t.Errorf("sp %#x: %d bytes wasted above the vector state", sp, l.End-(l.FPState+fpu.FrameBytes()))
			case l.Frame+FrameSize > l.FPState:
				t.Errorf("sp %#x: frame overlaps the vector state", sp)
			case l.FPState-(l.Frame+FrameSize) >= 16+8:
				t.Errorf("sp %#x: %d bytes between frame and vector state", sp, l.FPState-(l.Frame+FrameSize))
			}
		}
	}
}

func TestAltStackSelection(t *testing.T) {
	fpu := fpus[1]
	alt := Stack{SP: 0x2000_0000, Size: 0x4000}
	top := alt.SP + alt.Size
	for _, c := range []struct {
		name  string
		sp    uint64
		flags uint64
		alt   Stack
		end   uint64
		flag  int32 // Status(sp).Flags, what uc_stack records
	}{
		{"no SA_ONSTACK", 0xc000_8000, 0, alt, 0xc000_8000 - RedZone, 0},
		{"SA_ONSTACK, no stack", 0xc000_8000, SA_ONSTACK, Stack{}, 0xc000_8000 - RedZone, linux.SS_DISABLE},
		{"SA_ONSTACK", 0xc000_8000, SA_ONSTACK, alt, top, 0},
		{"SA_ONSTACK, already on it", top - 0x1000, SA_ONSTACK, alt, top - 0x1000 - RedZone, linux.SS_ONSTACK},
		{"SA_ONSTACK, at its top", top, SA_ONSTACK, alt, top - RedZone, linux.SS_ONSTACK},
		{"SA_ONSTACK, just below it", alt.SP, SA_ONSTACK, alt, top, 0},
		{"on it without SA_ONSTACK", top - 0x100, 0, alt, top - 0x100 - RedZone, linux.SS_ONSTACK},
	} {
		l := Place(c.sp, &Action{Flags: c.flags}, &c.alt, fpu)
		if l.End != c.end {
			t.Errorf("%s: frame region ends at %#x, want %#x", c.name, l.End, c.end)
		}
		if f := c.alt.Status(c.sp).Flags; f != c.flag {
			t.Errorf("%s: ss_flags %d, want %d", c.name, f, c.flag)
		}
	}
}

func TestValidateStack(t *testing.T) {
	const SS_AUTODISARM = -1 << 31 // (1U << 31) as an int ss_flags
	for _, c := range []struct {
		in   Stack
		out  Stack
		errn linux.Errno
	}{
		{Stack{SP: 0x1000, Size: 0x8000}, Stack{SP: 0x1000, Size: 0x8000}, 0},
		{Stack{SP: 0x1000, Size: linux.MINSIGSTKSZ}, Stack{SP: 0x1000, Size: linux.MINSIGSTKSZ}, 0},
		{Stack{SP: 0x1000, Size: linux.MINSIGSTKSZ - 1}, Stack{}, linux.ENOMEM},
		{Stack{SP: 0x1000, Size: 1, Flags: linux.SS_DISABLE}, Stack{}, 0},
		{Stack{SP: 0x1000, Size: 0x8000, Flags: linux.SS_ONSTACK}, Stack{}, linux.EINVAL},
		{Stack{SP: 0x1000, Size: 0x8000, Flags: SS_AUTODISARM}, Stack{}, linux.EINVAL},
	} {
		out, e := ValidateStack(c.in)
		if out != c.out || e != c.errn {
			t.Errorf("ValidateStack(%+v) = %+v, %v; want %+v, %v", c.in, out, e, c.out, c.errn)
		}
	}
}

func TestHandlerMask(t *testing.T) {
	const sig = 11
	for _, c := range []struct {
		mask uint64
		act  Action
		want uint64
	}{
		{0, Action{}, Bit(sig)},
		{0x3, Action{Mask: 1 << 20}, 0x3 | Bit(sig) | 1<<20},
		{0, Action{Flags: SA_NODEFER}, 0},
		{0, Action{Flags: SA_NODEFER, Mask: Unblockable | 1<<4}, 1 << 4},
	} {
		if got := HandlerMask(c.mask, sig, &c.act); got != c.want {
			t.Errorf("HandlerMask(%#x, %d, %+v) = %#x, want %#x", c.mask, sig, c.act, got, c.want)
		}
	}
}

func TestBuildRefusesShortMemory(t *testing.T) {
	fpu := fpus[2]
	regs := amd64.TrapFrame{RSP: 0xc000_8000}
	l := Place(regs.RSP, &Action{}, &Stack{}, fpu)
	b := make([]byte, l.Size())
	if Build(b[:len(b)-1], l, &regs, &Delivery{}, fpu, make([]byte, fpu.Size)) {
		t.Error("Build wrote past the memory it was given")
	}
	if Build(b, l, &regs, &Delivery{}, fpu, make([]byte, 512)) {
		t.Error("Build read past the vector state it was given")
	}
	bad := l
	bad.FPState = l.Frame + 8
	if Build(b, bad, &regs, &Delivery{}, fpu, make([]byte, fpu.Size)) {
		t.Error("Build accepted a layout whose vector state overlaps the frame")
	}
}
