package main

// operation is a row of the table: an operation fileprobe times.
type operation struct {
	name  string // as fileprobe reports it (op=NAME)
	about string // the table's first column
	// mibPerOp is the data one iteration moves, in MiB, for a throughput
	// figure; 0 for the rest.
	mibPerOp float64
}

// nsPerOp reads op's time per iteration in nanoseconds out of s,
// reporting whether s has it.
func (op operation) nsPerOp(s sample) (float64, bool) {
	t, ok := s.Ops[op.name]
	return t.NsPerOp(), ok
}

// operations are the tmpfs table's rows, in fileprobe's order.
var operations = []operation{
	{name: "getpid", about: "getpid, for reference: a system call's fixed cost"},
	{name: "open-stat-close", about: "open + fstat + close of an existing 4 KiB file"},
	{name: "pread-4k", about: "pread of 4 KiB from a 1 MiB file in memory"},
	{name: "pwrite-4k", about: "pwrite of 4 KiB over a 1 MiB file"},
	{name: "create-unlink", about: "create (O_CREAT, O_EXCL) + close + unlink"},
	{name: "readdir-1000", about: "open + getdents64 (8 KiB buffer) to the end + close, 1,000 files"},
	{name: "pipe-roundtrip", about: "1 byte to a goroutine and back through two os.Pipe pipes"},
	{name: "seq-write-1m", about: "sequential write to a new file, per 1 MiB write", mibPerOp: 1},
	{name: "seq-read-1m", about: "sequential read of that file, per 1 MiB read", mibPerOp: 1},
}

// missingOps returns the operations of ops that s has no figure for.
func missingOps(s sample, ops []operation) []string {
	var missing []string
	for _, op := range ops {
		if _, ok := s.Ops[op.name]; !ok {
			missing = append(missing, op.name)
		}
	}
	return missing
}
