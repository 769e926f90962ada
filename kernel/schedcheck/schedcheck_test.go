package schedcheck

import "testing"

func good() ([]Thread, []CPU) {
	return []Thread{
			{State: Running, OnCPU: 0, Allowed: true},
			{State: Running, OnCPU: 1, Allowed: true},
			{State: Blocked, OnFutex: true, Futex: true},
			{State: Runnable, OnCPU: 0},
			{State: Free},
		}, []CPU{
			{Scheduling: true, Current: 0},
			{Scheduling: true, Current: 1},
			{Scheduling: true, Current: 3, Idle: true},
		}
}

func TestConsistent(t *testing.T) {
	th, c := good()
	for self := range 2 {
		if r := Check(th, c, self); r != "" {
			t.Fatalf("CPU %d: %s", self, r)
		}
	}
}

func TestInconsistent(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(th []Thread, c []CPU)
		self   int
	}{
		{"self idle thread", func(th []Thread, c []CPU) {}, 2},
		{"self not scheduling", func(th []Thread, c []CPU) { c[0].Scheduling = false }, 0},
		{"self's thread runs elsewhere", func(th []Thread, c []CPU) { th[0].OnCPU = 1 }, 0},
		{"two CPUs one thread", func(th []Thread, c []CPU) { c[1].Current = 0 }, 0},
		{"running on idle CPU", func(th []Thread, c []CPU) { th[3] = Thread{State: Running, OnCPU: 2, Allowed: true}; c[2].Current = 3 }, 0},
		{"running nowhere", func(th []Thread, c []CPU) { th[3] = Thread{State: Running, OnCPU: 7, Allowed: true} }, 0},
		{"affinity", func(th []Thread, c []CPU) { th[1].Allowed = false }, 0},
		{"free on futex", func(th []Thread, c []CPU) { th[4].OnFutex = true }, 0},
		{"runnable on futex", func(th []Thread, c []CPU) { th[3].OnFutex = true }, 0},
		{"unknown state", func(th []Thread, c []CPU) { th[4].State = 9 }, 0},
	}
	for _, tt := range tests {
		th, c := good()
		tt.mutate(th, c)
		if r := Check(th, c, tt.self); r == "" {
			t.Errorf("%s: no report", tt.name)
		}
	}
}
