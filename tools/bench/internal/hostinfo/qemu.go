package hostinfo

import (
	"os/exec"

	"github.com/coracle-os/coracle/tools/qemu"
)

// QEMUHost is the QEMU a benchmark runs and the accelerator it gives it.
type QEMUHost struct {
	Path   string
	Accel  qemu.Accel
	Reason string // why that accelerator, for a progress line
}

// FindQEMU checks a benchmark's -accel and -m flags against this host,
// finds QEMU and chooses the accelerator as coracle run does.
func FindQEMU(accel string, memoryMiB int) (QEMUHost, error) {
	want, err := qemu.ParseAccel(accel)
	if err != nil {
		return QEMUHost{}, err
	}
	if err := qemu.CheckMemory(memoryMiB, qemu.HostMemoryMiB()); err != nil {
		return QEMUHost{}, err
	}
	path, err := exec.LookPath(qemu.Binary)
	if err != nil {
		return QEMUHost{}, qemu.ErrNotFound
	}
	chosen, err := qemu.ChooseAccel(want, qemu.LocalHost())
	if err != nil {
		return QEMUHost{}, err
	}
	return QEMUHost{Path: path, Accel: chosen.Accel, Reason: chosen.Reason}, nil
}
