package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Retransmissions: the host's TCP in the benchmark's namespace counts
// the segments it sent again (RetransSegs in /proc/net/snmp, the
// namespace's own). wrk is the only TCP user there, so the difference
// around a measured run is how often wrk's requests, or the ACKs and
// answers they waited for, were lost or late enough to be sent again:
// a loss inside a guest shows as requests waiting a retransmission
// timeout, which the rate and p99 alone do not explain.

// retransSegs reads the namespace's RetransSegs.
func (n netns) retransSegs(ctx context.Context) (int64, error) {
	argv := n.exec("cat", "/proc/net/snmp")
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
	if err != nil {
		return 0, fmt.Errorf("reading /proc/net/snmp in %s: %w", n.name, err)
	}
	return parseRetransSegs(string(out))
}

// parseRetransSegs finds RetransSegs in the text of /proc/net/snmp,
// whose Tcp: lines come in pairs, names then values.
func parseRetransSegs(snmp string) (int64, error) {
	var names []string
	for line := range strings.Lines(snmp) {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "Tcp:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i, name := range names {
			if name == "RetransSegs" && i < len(fields) {
				return strconv.ParseInt(fields[i], 10, 64)
			}
		}
		break
	}
	return 0, fmt.Errorf("no Tcp: RetransSegs in /proc/net/snmp")
}
