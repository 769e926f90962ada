package main

import "testing"

func TestPackageOf(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"net/http.(*Server).Serve", "net/http"},
		{"runtime.mallocgc", "runtime"},
		{"main.main", "main"},
		{"main.main.func1", "main"},
		{"type:*gvisor.dev/gvisor/pkg/buffer.Buffer", "gvisor.dev/gvisor/pkg/buffer"},
		{"type:gvisor.dev/gvisor/pkg/buffer.View", "gvisor.dev/gvisor/pkg/buffer"},
		{"slices.Sort[go.shape.int]", "slices"},
		{"slices.SortFunc[[]gvisor.dev/gvisor/pkg/tcpip.Address,go.shape.struct]", "slices"},
		{"github.com/coracle-os/coracle/kernel.(*Thread).slot", "github.com/coracle-os/coracle/kernel"},
		{"github.com/coracle-os/coracle/kernel/abi/socktab.Table", "github.com/coracle-os/coracle/kernel/abi/socktab"},
		{"gvisor.dev/gvisor/pkg/sync.(*Gate[go.shape.x/y.z]).Enter", "gvisor.dev/gvisor/pkg/sync"},
		{"vendor/golang.org/x/net/idna.ToASCII", "vendor/golang.org/x/net/idna"},
		{"go:func.*", ""},
		{"go:string.*", ""},
		{"type:map[string]int", ""},
		{"trap0", ""},
		{"bootData", ""},
	} {
		if got := packageOf(c.name); got != c.want {
			t.Errorf("packageOf(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestGroupOf(t *testing.T) {
	c := classifier{
		kernel: map[string]bool{
			"github.com/coracle-os/coracle/kernel":     true,
			"github.com/coracle-os/coracle/arch/amd64": true,
		},
		network: map[string]bool{
			"github.com/coracle-os/coracle/net/stack": true,
			"gvisor.dev/gvisor/pkg/tcpip/stack":       true,
			"golang.org/x/time/rate":                  true,
		},
	}
	for _, tc := range []struct {
		name string
		want group
	}{
		{"main.main", groupProgram},
		{"github.com/google/uuid.New", groupProgram}, // a module of the program's
		{"runtime.mallocgc", groupRuntime},
		{"internal/runtime/atomic.Load", groupRuntime},
		{"runtime/pprof.StartCPUProfile", groupStd},
		{"net/http.ListenAndServe", groupStd},
		{"vendor/golang.org/x/net/idna.ToASCII", groupStd},
		{"github.com/coracle-os/coracle/kernel.dispatch", groupKernel},
		{"type:*github.com/coracle-os/coracle/arch/amd64.Frame", groupKernel},
		{"github.com/coracle-os/coracle/fs/disks.start", groupKernel}, // coracle's, though not the kernel package's dependency
		{"github.com/coracle-os/coracle/net/stack.New", groupNetwork},
		{"gvisor.dev/gvisor/pkg/tcpip/stack.(*Stack).Close", groupNetwork},
		{"golang.org/x/time/rate.NewLimiter", groupNetwork},
		{"go:func.*", groupOther},
		{"syscallEntry", groupOther},
	} {
		if got := c.groupOf(tc.name); got != tc.want {
			t.Errorf("groupOf(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
