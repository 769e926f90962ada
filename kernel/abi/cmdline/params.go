package cmdline

// Param is one kernel parameter the kernel or one of its services reads
// from the command line.
type Param struct {
	// Word is the parameter as written, with the form of its value
	// (coracle.crash=KIND).
	Word string
	// Effect says what it does.
	Effect string
	// Package, when not empty, is the import path of the service that
	// reads it: the parameter means something only in images that link
	// that package.
	Package string
}

// Key is the parameter's name: Word up to its '='.
func (p Param) Key() string {
	for i := 0; i < len(p.Word); i++ {
		if p.Word[i] == '=' {
			return p.Word[:i]
		}
	}
	return p.Word
}

// Params lists every kernel parameter coracle's code reads, in the order
// users meet them. It is the one list that `coracle inspect` prints and
// that the README's table must agree with; a test walks the module's
// sources and fails when a "coracle.*" word read anywhere is missing
// here, or when a word listed here is read nowhere.
var Params = []Param{
	{Word: ArgKey + "=VALUE", Effect: "the next program argument (os.Args[1:], in order), percent-encoded; coracle run writes one per argument after --"},
	{Word: EnvKey + "=NAME=VALUE", Effect: "one environment variable, percent-encoded; coracle run -e writes these"},
	{Word: Argv0Key + "=NAME", Effect: "the program's os.Args[0], percent-encoded; coracle run sets it to the package or image name (default /init)"},
	{Word: "coracle.crash=de|ud|gp|pf|bp|deep|syscall", Effect: "raise that CPU exception after the banner (deep: three calls deep), or while serving the program's first write to stdout (syscall), to see the crash report"},
	{Word: WorkDirKey + "=PATH", Effect: "the program's working directory at start (absolute, percent-encoded; default /); coracle test sets it to the package directory"},
	{Word: "coracle.strace", Effect: "log every system call with its first three arguments and result"},
	{Word: "coracle.bootstamps", Effect: "print TSC stamps (entry, kernel, runtime start) before the program starts, and the program's start (runtime, network, first output) at its first write to stdout"},
	{Word: "coracle.tsc_khz=N", Effect: "the TSC's rate in kHz, used when neither CPUID nor kvmclock gives it, instead of measuring it against the PIT at boot; coracle run gives the host's under TCG"},
	{Word: "coracle.smp=on|off", Effect: "on (the default): the program's threads run on every online CPU (coracle run --cpus N); off: on the boot CPU alone, the other CPUs parked (docs/smp.md)"},
	{Word: "coracle.idlepoll=MICROSECONDS", Effect: "how long an idle CPU polls for a wake-up from another CPU before it halts, with more than one CPU (0 to 1000; default 50; 0: halt at once)"},
	{Word: "coracle.x2apic=on", Effect: "drive every CPU's local APIC in x2APIC mode (MSRs, 32-bit APIC IDs); the boot stops if the CPU has none (QEMU 7.2's TCG). Without it x2APIC mode is used where the firmware enabled it or an APIC ID is above 255"},
	{Word: "coracle.checksched", Effect: "validate the thread table and the per-CPU scheduler state at every schedule; stop with a report if they disagree"},
	{Word: "coracle.sysprof", Effect: "count system calls and their cycles; print the costliest at exit"},
	{Word: "coracle.share=TAG:GUESTDIR[:ro]", Effect: "mount the virtio-9p share TAG at GUESTDIR; coracle run -v writes these", Package: modulePath + "/fs/shares"},
	{Word: "coracle.disk=GUESTDIR[:ro]", Effect: "mount the next virtio-blk disk (ext4) at GUESTDIR; coracle run --disk writes these", Package: modulePath + "/fs/disks"},
	{Word: "coracle.nomsix", Effect: "keep virtio-pci devices on their INTx line instead of MSI-X", Package: modulePath + "/net/autostart"},
	{Word: "ip=ADDR/PREFIX[,ADDR/PREFIX...]", Effect: "static addresses for the NIC (IPv4 and/or IPv6; ip=dhcp and Linux's ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEV:AUTOCONF also); without ip= the NIC asks DHCP", Package: modulePath + "/net/autostart"},
	{Word: "gw=ADDR[,ADDR]", Effect: "default routers, one IPv4 and/or one IPv6, with ip=", Package: modulePath + "/net/autostart"},
	{Word: "dns=ADDR[,ADDR...]", Effect: "DNS servers, with ip=", Package: modulePath + "/net/autostart"},
	{Word: "search=DOMAIN[,DOMAIN...]", Effect: "DNS search domains, with ip=", Package: modulePath + "/net/autostart"},
	{Word: "hostname=NAME", Effect: "the guest's host name (os.Hostname)", Package: modulePath + "/net/autostart"},
	{Word: "tcp_rack=on|off", Effect: "TCP's RACK-TLP loss detection (on by default)", Package: modulePath + "/net/autostart"},
	{Word: "net_loss=PERCENT", Effect: "drop that share of the NIC's frames at random, each way, to try a lossy network", Package: modulePath + "/net/autostart"},
	{Word: "virtio_mmio.device=SIZE@BASE:IRQ", Effect: "a virtio-mmio device, in Linux's format (QEMU microvm and Firecracker add these themselves)"},
}

// modulePath is coracle's module, the prefix of the services' packages.
const modulePath = "github.com/coracle-os/coracle"
