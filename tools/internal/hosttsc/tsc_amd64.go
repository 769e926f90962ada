package hosttsc

// rdtsc returns the time-stamp counter of the CPU it runs on.
//
// defined in tsc_amd64.s
func rdtsc() uint64
