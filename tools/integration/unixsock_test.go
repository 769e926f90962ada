package integration

import "testing"

// AF_UNIX sockets (testdata/unixprobe): stream, datagram and
// sequenced-packet sockets through raw system calls (names, errors,
// backlog, shutdown, close, readiness, options, blocking calls) and
// through package net (Listen, Dial, unixgram, unixpacket,
// FileListener, sendfile and splice by io.Copy). The program runs
// natively on the host too, and the guest must print the same lines.
func TestUnixSockets(t *testing.T) {
	img := buildTestProgram(t, "unixprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "unixprobe:", res.stdout, runNative(t, "unixprobe"), 150)
}
