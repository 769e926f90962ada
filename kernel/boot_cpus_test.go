package kernel

import "testing"

func TestCPUListFindsTheBootCPU(t *testing.T) {
	var c cpuList
	c.reset(cpusMADT)
	for _, id := range []uint32{0, 2, 4, 6} {
		c.add(id)
	}
	if !c.setBoot(4) || c.boot != 2 || c.n != 4 {
		t.Errorf("boot CPU 4: index %d of %d", c.boot, c.n)
	}
	if c.setBoot(5) {
		t.Error("APIC ID 5, not in the list, was taken for the boot CPU")
	}
	c.reset(cpusFwCfg)
	if c.n != 0 || c.boot != 0 || c.source != cpusFwCfg {
		t.Errorf("reset left %+v", c)
	}
}

func TestCPUListIsBounded(t *testing.T) {
	var c cpuList
	for i := range maxCPUs + 5 {
		c.add(uint32(i))
	}
	if c.n != maxCPUs || c.apicIDs[maxCPUs-1] != maxCPUs-1 {
		t.Errorf("%d CPUs after %d adds, last %d", c.n, maxCPUs+5, c.apicIDs[c.n-1])
	}
}

func TestCPUSourceNames(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range []cpuSource{cpusBootOnly, cpusMADT, cpusMPTable, cpusFwCfg} {
		name := s.String()
		if name == "" || seen[name] {
			t.Errorf("source %d has the name %q, empty or taken", s, name)
		}
		seen[name] = true
	}
}
