package cli

import (
	"strings"

	"github.com/coracle-os/coracle/tools/internal/hosttsc"
	"github.com/coracle-os/coracle/tools/qemu"
)

// withTSCRate adds coracle.tsc_khz with the host's TSC rate to cmdline
// for a guest under TCG, whose TSC is the host's counter unscaled, so
// that the kernel takes the rate from the command line instead of
// measuring it against the PIT at every boot (5 ms or more; hosttsc
// measures it once per host boot). A command line that names a rate
// already, another accelerator (KVM gives kvmclock), or a host whose
// rate is unknown is left as it is.
func withTSCRate(cmdline string, accel qemu.Accel) string {
	if accel != qemu.TCG || strings.Contains(" "+cmdline, " coracle.tsc_khz=") {
		return cmdline
	}
	return strings.TrimSpace(cmdline + " " + hosttsc.CoracleParam())
}
