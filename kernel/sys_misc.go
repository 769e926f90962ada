package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

func sysArchPrctl(t *Thread, f *amd64.TrapFrame) uint64 {
	switch f.RDI {
	case linux.ARCH_SET_FS:
		if f.RSI >= 1<<47 {
			return linux.EPERM.Ret() // not a canonical user address
		}
		t.fsBase = f.RSI
		thisPerCPU().UserFSBase = t.fsBase // t is the running thread
		return 0
	case linux.ARCH_GET_FS:
		p, ok := userU64(f.RSI, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		*p = t.fsBase
		return 0
	}
	// GS belongs to the kernel (it points at the per-CPU block).
	return linux.EINVAL.Ret()
}

// sysPrctl answers EINVAL to everything: the runtime's PR_SET_VMA naming
// of its mappings stops after the first refusal.
func sysPrctl(t *Thread, f *amd64.TrapFrame) uint64 { return linux.EINVAL.Ret() }

// The utsname coracle reports: "Linux" so that programs and libraries
// that check take their Linux paths, and a release and version that say
// what actually runs them.
const (
	utsSysname = "Linux"
	utsNode    = "coracle"
	utsRelease = "6.1.0-coracle"
	utsVersion = "#1 coracle library kernel"
	utsMachine = "x86_64"
	utsField   = 65
)

func sysUname(t *Thread, f *amd64.TrapFrame) uint64 {
	b, ok := userBytes(f.RDI, 6*utsField, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	clear(b)
	copy(b[0*utsField:], utsSysname)
	copy(b[1*utsField:], utsNode)
	copy(b[2*utsField:], utsRelease)
	copy(b[3*utsField:], utsVersion)
	copy(b[4*utsField:], utsMachine)
	copy(b[5*utsField:], "(none)")
	return 0
}

// nofileLimit is the highest RLIMIT_NOFILE: the size of the descriptor
// table.
const nofileLimit = maxFDs

// prlimit64(pid, resource, new_limit, old_limit). RLIMIT_NOFILE can be
// set, up to nofileLimit (fdtable.Table.SetLimit), and RLIMIT_FSIZE
// to anything (fs_limit.go: root may raise its hard limits); every
// other limit is infinite and fixed.
func sysPrlimit64(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI != 0 && f.RDI != pid {
		return linux.ESRCH.Ret()
	}
	return prlimit(f.RSI, f.RDX, f.R10)
}

// getrlimit(resource, rlim)
func sysGetrlimit(t *Thread, f *amd64.TrapFrame) uint64 {
	return prlimit(f.RDI, 0, f.RSI)
}

// setrlimit(resource, rlim)
func sysSetrlimit(t *Thread, f *amd64.TrapFrame) uint64 {
	return prlimit(f.RDI, f.RSI, 0)
}

// prlimit stores the struct rlimit at newAddr (if not 0) as resource's
// limits, after writing the old ones at oldAddr (if not 0).
func prlimit(resource, newAddr, oldAddr uint64) uint64 {
	cur, lim := linux.RLIM_INFINITY, linux.RLIM_INFINITY
	switch resource {
	case linux.RLIMIT_NOFILE:
		cur, lim = uint64(fdt.Limit()), uint64(fdt.HardLimit())
	case linux.RLIMIT_FSIZE:
		cur, lim = fsizeLimit[0], fsizeLimit[1]
	}
	if resource >= linux.RLIM_NLIMITS {
		return linux.EINVAL.Ret()
	}
	var old []byte
	if oldAddr != 0 {
		b, ok := userBytes(oldAddr, 16, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		old = b
	}
	if newAddr != 0 {
		b, ok := userBytes(newAddr, 16, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		ncur, nlim := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		switch resource {
		case linux.RLIMIT_NOFILE:
			if e := fdt.SetLimit(ncur, nlim); e != 0 {
				return e.Ret()
			}
		case linux.RLIMIT_FSIZE:
			if ncur > nlim {
				return linux.EINVAL.Ret()
			}
			fsizeLimit = [2]uint64{ncur, nlim}
		default:
			return linux.EPERM.Ret() // fixed
		}
	}
	if old != nil {
		binary.LittleEndian.PutUint64(old, cur)
		binary.LittleEndian.PutUint64(old[8:], lim)
	}
	return 0
}

// sysGetrandom fills the buffer from the CPU's random-number generator.
// It never blocks: RDSEED/RDRAND are ready from boot.
func sysGetrandom(t *Thread, f *amd64.TrapFrame) uint64 {
	b, ok := userBytes(f.RDI, f.RSI, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if !fillRandom(b) {
		return linux.EIO.Ret()
	}
	return uint64(len(b))
}

// sysZero answers 0: getuid, getgid, geteuid, getegid (one user,
// root) and getppid (no parent).
func sysZero(t *Thread, f *amd64.TrapFrame) uint64 { return 0 }

// sysGetgroups implements getgroups(size, list): the one user, root,
// has no supplementary groups, so the list stays empty; a negative size
// is EINVAL, as on Linux.
//
// Trap context: system call.
func sysGetgroups(t *Thread, f *amd64.TrapFrame) uint64 {
	if int32(f.RDI) < 0 {
		return linux.EINVAL.Ret()
	}
	return 0
}
