package procfs

// Stat is what /proc/PID/stat says of a process: the fields of
// proc(5) in their order. Times are in clock ticks (USER_HZ, 100 a
// second), sizes in bytes except RSS, in pages.
type Stat struct {
	PID                 int64
	Comm                []byte
	State               byte
	PPID, Pgrp, Session int64
	TTY                 int64 // tty_nr: 0 without a controlling terminal
	TPGID               int64 // -1 without a controlling terminal
	Flags               uint64
	MinFlt, MajFlt      uint64
	UTime, STime        uint64
	Priority, Nice      int64
	Threads             int64
	StartTime           uint64
	VSize               uint64
	RSS                 uint64
	RSSLim              uint64
	StartCode, EndCode  uint64
	StartStack          uint64
	Signal, Blocked     uint64
	SigIgnore, SigCatch uint64
	ExitSignal          int64
	Processor           int64
	StartData, EndData  uint64
	StartBrk            uint64
	ArgStart, ArgEnd    uint64
	EnvStart, EnvEnd    uint64
	ExitCode            int64
}

// StatLine writes s as do_task_stat does: 52 fields on one line, the
// command in parentheses. Fields Linux keeps at 0 for other readers
// (kstkesp, kstkeip, wchan, nswap, cnswap) and those no process here
// has (children's times, itrealvalue, rt_priority, policy, delay
// accounting, guest time) are 0.
func StatLine(t *Text, s *Stat) {
	t.Int(s.PID)
	t.Str(" (")
	t.Write(s.Comm)
	t.Str(") ")
	t.Byte(s.State)
	for _, v := range [...]int64{s.PPID, s.Pgrp, s.Session, s.TTY, s.TPGID} {
		t.Byte(' ')
		t.Int(v)
	}
	for _, v := range [...]uint64{s.Flags, s.MinFlt, 0, s.MajFlt, 0, s.UTime, s.STime} {
		t.Byte(' ')
		t.Dec(v)
	}
	for _, v := range [...]int64{0, 0, s.Priority, s.Nice, s.Threads, 0} { // cutime, cstime, ..., itrealvalue
		t.Byte(' ')
		t.Int(v)
	}
	for _, v := range [...]uint64{s.StartTime, s.VSize, s.RSS, s.RSSLim, s.StartCode, s.EndCode, s.StartStack,
		0, 0, s.Signal, s.Blocked, s.SigIgnore, s.SigCatch, 0, 0, 0} { // kstkesp, kstkeip, ..., wchan, nswap, cnswap
		t.Byte(' ')
		t.Dec(v)
	}
	for _, v := range [...]int64{s.ExitSignal, s.Processor, 0, 0} { // rt_priority, policy
		t.Byte(' ')
		t.Int(v)
	}
	for _, v := range [...]uint64{0, 0, 0, s.StartData, s.EndData, s.StartBrk, s.ArgStart, s.ArgEnd, s.EnvStart, s.EnvEnd} {
		t.Byte(' ')
		t.Dec(v)
	}
	t.Byte(' ')
	t.Int(s.ExitCode)
	t.Byte('\n')
}
