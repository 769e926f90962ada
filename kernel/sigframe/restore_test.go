package sigframe

import (
	"testing"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// ucontextWith is a ucontext holding a valid user context with edit
// applied to its sigcontext.
func ucontextWith(edit func(mc []byte)) []byte {
	uc := make([]byte, UcontextSize)
	mc := uc[UcMcontextOff:]
	le.PutUint64(mc[ScRIP:], 0x40_1000)
	le.PutUint64(mc[ScRSP:], 0xc000_8000)
	le.PutUint64(mc[ScEFLAGS:], amd64.UserRFLAGS)
	le.PutUint16(mc[ScCS:], amd64.UserCS)
	le.PutUint16(mc[ScSS:], amd64.UserDS)
	if edit != nil {
		edit(mc)
	}
	return uc
}

func TestRestoreSanitises(t *testing.T) {
	const VM, VIF, VIP, ID = 1 << 17, 1 << 19, 1 << 20, 1 << 21
	for _, c := range []struct {
		name  string
		edit  func(mc []byte)
		check func(r *amd64.TrapFrame) bool
	}{
		{"interrupts off, IOPL 0", func(mc []byte) { le.PutUint64(mc[ScEFLAGS:], 0x2) },
			func(r *amd64.TrapFrame) bool { return r.RFLAGS == amd64.UserRFLAGS }},
		{"VM, VIF, VIP, ID", func(mc []byte) { le.PutUint64(mc[ScEFLAGS:], VM|VIF|VIP|ID|amd64.UserRFLAGS) },
			func(r *amd64.TrapFrame) bool { return r.RFLAGS == amd64.UserRFLAGS }},
		{"all bits", func(mc []byte) { le.PutUint64(mc[ScEFLAGS:], ^uint64(0)) },
			func(r *amd64.TrapFrame) bool { return r.RFLAGS == UserRFLAGS|amd64.UserRFLAGS }},
		{"arithmetic flags, DF, AC kept", func(mc []byte) {
			le.PutUint64(mc[ScEFLAGS:], 0x8d5|amd64.RFLAGS_DF|amd64.RFLAGS_AC)
		}, func(r *amd64.TrapFrame) bool {
			return r.RFLAGS == 0x8d5|amd64.RFLAGS_DF|amd64.RFLAGS_AC|amd64.UserRFLAGS
		}},
		{"kernel CS and SS", func(mc []byte) {
			le.PutUint16(mc[ScCS:], amd64.KernelCS)
			le.PutUint16(mc[ScSS:], 0)
		}, func(r *amd64.TrapFrame) bool { return r.CS == amd64.UserCS && r.SS == amd64.UserDS }},
		{"kernel-half RIP is the program's fault, not the kernel's", func(mc []byte) {
			le.PutUint64(mc[ScRIP:], 0xffff_8000_0000_1000)
		}, func(r *amd64.TrapFrame) bool { return r.RIP == 0xffff_8000_0000_1000 }},
	} {
		var r amd64.TrapFrame
		if _, _, ok := Restore(ucontextWith(c.edit), &r); !ok {
			t.Errorf("%s: refused", c.name)
			continue
		}
		if !c.check(&r) {
			t.Errorf("%s: restored %+v", c.name, r)
		}
	}
}

func TestRestoreMask(t *testing.T) {
	uc := ucontextWith(nil)
	le.PutUint64(uc[UcSigmaskOff:], ^uint64(0))
	var r amd64.TrapFrame
	mask, _, ok := Restore(uc, &r)
	if !ok || mask != ^uint64(Unblockable) {
		t.Errorf("mask %#x, ok %v: SIGKILL and SIGSTOP must not be blocked", mask, ok)
	}
	if mask&Bit(linux.SIGKILL) != 0 || mask&Bit(linux.SIGSTOP) != 0 {
		t.Error("unblockable signal blocked")
	}
}

func TestRestoreRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		uc   []byte
	}{
		{"short ucontext", ucontextWith(nil)[:UcontextSize-1]},
		{"no ucontext", nil},
		{"non-canonical RIP", ucontextWith(func(mc []byte) { le.PutUint64(mc[ScRIP:], 0x0000_8000_0000_0000) })},
		{"non-canonical RIP, high", ucontextWith(func(mc []byte) { le.PutUint64(mc[ScRIP:], 0xfff0_0000_0000_0000) })},
	} {
		r := amd64.TrapFrame{RAX: 42, RIP: 0x1234}
		if _, _, ok := Restore(c.uc, &r); ok {
			t.Errorf("%s: accepted", c.name)
		}
		if r.RAX != 42 || r.RIP != 0x1234 {
			t.Errorf("%s: registers changed by a refused frame", c.name)
		}
	}
}

func TestRestoreXStateSanitises(t *testing.T) {
	for _, fpu := range fpus {
		src := make([]byte, fpu.Size)
		le.PutUint32(src[MXCSROff:], 0xffff_ffff)     // reserved bits: #GP in XRSTOR
		le.PutUint32(src[MXCSRMaskOff:], 0xffff_ffff) // a lie: must not widen the mask
		for i := FpxSWOff; i < FpxSWEnd; i++ {
			src[i] = 0xee
		}
		src[FCWOff] = 0x7f
		if fpu.XSAVE {
			le.PutUint64(src[XStateBVOff:], ^uint64(0))
			for i := XCompBVOff; i < XHeaderEndOff; i++ {
				src[i] = 0xcc
			}
			src[fpu.Size-1] = 0x99
		}
		for _, cpuMask := range []uint32{0xffff, 0} {
			dst := make([]byte, fpu.Size)
			le.PutUint32(dst[MXCSRMaskOff:], cpuMask)
			if !RestoreXState(dst, src, fpu) {
				t.Fatalf("%+v: refused", fpu)
			}
			want := cpuMask
			if want == 0 {
				want = DefaultMXCSRMask
			}
			if got := le.Uint32(dst[MXCSROff:]); got != want {
				t.Errorf("%+v: MXCSR %#x, want %#x", fpu, got, want)
			}
			if got := le.Uint32(dst[MXCSRMaskOff:]); got != cpuMask {
				t.Errorf("%+v: MXCSR_MASK %#x, want the CPU's %#x", fpu, got, cpuMask)
			}
			for i := FpxSWOff; i < FpxSWEnd; i++ {
				if dst[i] != 0 {
					t.Fatalf("%+v: software-reserved byte %d kept", fpu, i)
				}
			}
			if dst[FCWOff] != 0x7f {
				t.Errorf("%+v: x87 control word lost", fpu)
			}
			if !fpu.XSAVE {
				continue
			}
			if got := le.Uint64(dst[XStateBVOff:]); got != fpu.XCR0 {
				t.Errorf("%+v: XSTATE_BV %#x, want XCR0 %#x", fpu, got, fpu.XCR0)
			}
			for i := XCompBVOff; i < XHeaderEndOff; i++ {
				if dst[i] != 0 {
					t.Fatalf("%+v: XCOMP_BV/reserved header byte %d kept", fpu, i)
				}
			}
			if dst[fpu.Size-1] != 0x99 {
				t.Errorf("%+v: extended state lost", fpu)
			}
		}
	}
}

func TestRestoreXStateRefusesShort(t *testing.T) {
	fpu := fpus[1]
	dst := make([]byte, fpu.Size)
	dst[0] = 0x42
	if RestoreXState(dst, make([]byte, fpu.Size-1), fpu) {
		t.Error("accepted a short source")
	}
	if RestoreXState(dst[:fpu.Size-1], make([]byte, fpu.Size), fpu) {
		t.Error("accepted a short destination")
	}
	if dst[0] != 0x42 {
		t.Error("a refused restore changed the area")
	}
}

// TestNoAllocations: delivery and return allocate nothing (trap context).
func TestNoAllocations(t *testing.T) {
	fpu := fpus[2]
	mem := make([]byte, 0x4000)
	xstate := make([]byte, fpu.Size)
	area := make([]byte, fpu.Size)
	act := Action{Handler: 0x1000, Flags: SA_ONSTACK, Restorer: 0x2000}
	alt := Stack{SP: 0x10000, Size: 0x4000}
	n := testing.AllocsPerRun(100, func() {
		regs := amd64.TrapFrame{RSP: 0xc000_0000, RIP: 0x40_0000}
		l := Place(regs.RSP, &act, &alt, fpu)
		d := Delivery{Info: Info{Signo: 11}, Mask: HandlerMask(0, 11, &act), AltStack: alt.Status(regs.RSP)}
		b := mem[0x4000-l.Size():]
		Build(b, l, &regs, &d, fpu, xstate)
		Enter(&regs, l, 11, act.Handler)
		Restore(b[UcontextOff:], &regs)
		RestoreXState(area, b[l.FPState-l.Frame:], fpu)
		ValidateStack(alt)
	})
	if n != 0 {
		t.Errorf("%v allocations per delivery and return", n)
	}
}
