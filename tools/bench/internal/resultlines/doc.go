// Package resultlines is the line protocol between a benchmark's guest
// program (tools/bench/diskprobe, tools/bench/fileprobe) and the
// benchmark on the host that reads the guest's console. Every line the
// host reads starts with the program's prefix:
//
//	PREFIX start KEY=VALUE ... clocksource=NAME
//	PREFIX op=NAME n=COUNT ns=NANOSECONDS
//	PREFIX done
//	PREFIX error op=NAME: MESSAGE
//
// A program may print lines of its own kinds besides (diskprobe's
// latency lines); the host's parser hands those to the benchmark.
// Printer writes the lines in the guest; Parse, Finished and
// Sample.Check read them on the host.
//
// Runs in the guest programs (Linux or coracle) and on the host, never
// in trap context.
package resultlines
