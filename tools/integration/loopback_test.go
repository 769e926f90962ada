package integration

import (
	"strings"
	"testing"
)

// Loopback without a NIC (--net none): the guest talks TCP over IPv4
// and IPv6, HTTP and UDP to itself (testdata/loopprobe).
func TestLoopback(t *testing.T) {
	img := buildTestProgram(t, "loopprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img)
	for _, want := range []string{
		"loopprobe: ring pages: given back",
		"loopprobe: tcp4 echo of 1114112 bytes on 8 connections over 127.0.0.1:",
		"loopprobe: tcp6 echo of 1114112 bytes on 8 connections over [::1]:",
		`loopprobe: http: 200 OK "hello, self"`,
		"loopprobe: udp echo of 1, 512, 9000 and 60000 bytes",
		"loopprobe: done",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
	if res.err != nil || res.status != 0 {
		t.Errorf("want exit status 0\n%s", res)
	}
}
