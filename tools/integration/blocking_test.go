package integration

import (
	"strings"
	"testing"
)

// Blocking sockets through package syscall (testdata/blockprobe), over
// loopback: accept, connect, read, write and recvfrom without
// O_NONBLOCK wait for their peers; MSG_DONTWAIT does not, and
// SO_RCVTIMEO bounds the wait.
func TestBlockingSockets(t *testing.T) {
	img := buildTestProgram(t, "blockprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img)
	for _, want := range []string{
		"blockprobe: tcp accept, connect, read and write blocked and completed (true)",
		"blockprobe: udp recvfrom blocked and completed; MSG_DONTWAIT did not; SO_RCVTIMEO timed out",
		"blockprobe: done",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
	if res.err != nil || res.status != 0 {
		t.Errorf("want exit status 0\n%s", res)
	}
}
