package main

import "testing"

func TestParseRetransSegs(t *testing.T) {
	const snmp = `Ip: Forwarding DefaultTTL InReceives
Ip: 2 64 1234
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 64 0 0 0 64 48794 62170 176 0 143 0
Udp: InDatagrams NoPorts
Udp: 5 0
`
	got, err := parseRetransSegs(snmp)
	if err != nil || got != 176 {
		t.Errorf("parseRetransSegs = %d, %v; want 176", got, err)
	}
	for _, bad := range []string{"", "Tcp: RtoAlgorithm RetransSegs\n", "Tcp: RetransSegs\nTcp: x\n", "Udp: RetransSegs\nUdp: 3\n"} {
		if n, err := parseRetransSegs(bad); err == nil {
			t.Errorf("parseRetransSegs(%q) = %d, want an error", bad, n)
		}
	}
}
