package procfs

// Status is what /proc/PID/status says of a process. Memory is in kB.
type Status struct {
	Name                   []byte
	Umask                  uint32
	State                  byte // as in Stat; StateName gives its word
	PID, PPID              int64
	FDSize                 int64
	VmSize, VmRSS          uint64
	RssAnon, RssFile       uint64
	VmData, VmStk, VmExe   uint64
	Threads                int64
	SigPnd, ShdPnd         uint64
	SigBlk, SigIgn, SigCgt uint64
	CapPrm                 uint64 // also CapEff and CapBnd: root's set
	CPUs                   int    // CPUs allowed: 0 to CPUs-1
}

// StateName is the word status gives for a state letter
// (fs/proc/array.c, task_state_array).
func StateName(state byte) string {
	switch state {
	case 'R':
		return "R (running)"
	case 'S':
		return "S (sleeping)"
	case 'D':
		return "D (disk sleep)"
	case 'T':
		return "T (stopped)"
	case 'Z':
		return "Z (zombie)"
	}
	return "? (unknown)"
}

// StatusText writes s in the order and layout proc_pid_status does:
// "Key:\tvalue" lines, memory as "%8lu kB", signal sets and capability
// sets as 16 hexadecimal digits. A process here has one user (root),
// no namespaces, no tracer and no seccomp filter, which is what the
// lines for those say. Lines for what the kernel does not track
// (VmPeak, VmHWM, VmPTE, context switches) are left out rather than
// made up.
func StatusText(t *Text, s *Status) {
	t.Str("Name:\t")
	t.Write(s.Name)
	t.Str("\nUmask:\t")
	t.Oct(uint64(s.Umask), 4)
	t.Str("\nState:\t")
	t.Str(StateName(s.State))
	t.Str("\nTgid:\t")
	t.Int(s.PID)
	t.Str("\nNgid:\t0\nPid:\t")
	t.Int(s.PID)
	t.Str("\nPPid:\t")
	t.Int(s.PPID)
	t.Str("\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t")
	t.Int(s.FDSize)
	t.Str("\nGroups:\t \nNStgid:\t")
	t.Int(s.PID)
	t.Str("\nNSpid:\t")
	t.Int(s.PID)
	t.Str("\nNSpgid:\t")
	t.Int(s.PID)
	t.Str("\nNSsid:\t")
	t.Int(s.PID)
	t.Byte('\n')
	for _, l := range [...]struct {
		key string
		kb  uint64
	}{
		{"VmSize:", s.VmSize}, {"VmLck:", 0}, {"VmPin:", 0}, {"VmRSS:", s.VmRSS},
		{"RssAnon:", s.RssAnon}, {"RssFile:", s.RssFile}, {"RssShmem:", 0},
		{"VmData:", s.VmData}, {"VmStk:", s.VmStk}, {"VmExe:", s.VmExe}, {"VmLib:", 0},
		{"VmSwap:", 0}, {"HugetlbPages:", 0},
	} {
		t.Str(l.key)
		t.Byte('\t')
		t.DecPad(l.kb, 8)
		t.Str(" kB\n")
	}
	t.Str("CoreDumping:\t0\nThreads:\t")
	t.Int(s.Threads)
	t.Str("\nSigQ:\t0/0\n")
	for _, l := range [...]struct {
		key string
		set uint64
	}{
		{"SigPnd:", s.SigPnd}, {"ShdPnd:", s.ShdPnd}, {"SigBlk:", s.SigBlk}, {"SigIgn:", s.SigIgn}, {"SigCgt:", s.SigCgt},
		{"CapInh:", 0}, {"CapPrm:", s.CapPrm}, {"CapEff:", s.CapPrm}, {"CapBnd:", s.CapPrm}, {"CapAmb:", 0},
	} {
		t.Str(l.key)
		t.Byte('\t')
		t.Hex(l.set, 16)
		t.Byte('\n')
	}
	t.Str("NoNewPrivs:\t0\nSeccomp:\t0\nCpus_allowed:\t")
	cpus := s.CPUs
	if cpus < 1 {
		cpus = 1
	}
	t.Hex(1<<cpus-1, 1)
	t.Str("\nCpus_allowed_list:\t")
	CPUList(t, cpus)
	t.Str("\nMems_allowed:\t1\nMems_allowed_list:\t0\n")
}

// CPUList writes the list of CPUs 0 to n-1 as Linux's cpulist format
// does ("0", "0-3"), without a newline.
func CPUList(t *Text, n int) {
	t.Byte('0')
	if n > 1 {
		t.Byte('-')
		t.Dec(uint64(n - 1))
	}
}
