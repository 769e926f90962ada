package qemu

import (
	"slices"
	"strings"
	"testing"
)

func TestCPUsArgs(t *testing.T) {
	for _, c := range []struct {
		cpus int
		want []string // nil: no -smp
	}{
		{0, nil},
		{1, nil},
		{2, []string{"-smp", "2,sockets=1,cores=2,threads=1"}},
		{MaxCPUs, []string{"-smp", "256,sockets=1,cores=256,threads=1"}},
	} {
		args, err := Config{Image: "hello.img", Accel: TCG, CPUs: c.cpus}.Args()
		if err != nil {
			t.Fatalf("CPUs %d: %v", c.cpus, err)
		}
		i := slices.Index(args, "-smp")
		switch {
		case c.want == nil && i >= 0:
			t.Errorf("CPUs %d: args have -smp: %q", c.cpus, args)
		case c.want != nil && (i < 0 || !slices.Equal(args[i:i+2], c.want)):
			t.Errorf("CPUs %d: args %q, want %q in them", c.cpus, args, c.want)
		}
	}
	for _, n := range []int{-1, MaxCPUs + 1} {
		_, err := Config{Image: "hello.img", Accel: TCG, CPUs: n}.Args()
		if err == nil || !strings.Contains(err.Error(), "--cpus") || !strings.Contains(err.Error(), "1 to 256") {
			t.Errorf("CPUs %d: err %v, want one naming --cpus and its range", n, err)
		}
	}
}
