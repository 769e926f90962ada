package main

import (
	"strings"

	"github.com/coracle-os/coracle/tools/image"
)

// A group is who a symbol's bytes belong to.
type group int

const (
	groupProgram group = iota // the main package and modules of its own
	groupRuntime              // runtime, runtime/..., internal/runtime/...
	groupStd                  // the rest of the standard library
	groupKernel               // the kernel and what it needs outside std
	groupNetwork              // the network service and what it alone needs
	groupOther                // linker data and assembly labels: no package
	numGroups
)

var groupNames = [numGroups]string{
	groupProgram: "program",
	groupRuntime: "Go runtime",
	groupStd:     "standard library",
	groupKernel:  "kernel",
	groupNetwork: "network",
	groupOther:   "no package (linker data, assembly labels)",
}

func (g group) String() string { return groupNames[g] }

// classifier puts a package into its group. kernel and network hold
// import paths outside the standard library (from go list -deps):
// network none of kernel's.
type classifier struct {
	kernel, network map[string]bool
}

// packageOf returns the import path of the package that defines the
// symbol name as the Go linker writes it ("net/http.(*Server).Serve",
// "type:*gvisor.dev/gvisor/pkg/buffer.Buffer",
// "slices.Sort[go.shape.int]"), or "" for a symbol of no package
// ("go:func.*", "runtime.text"'s assembly neighbours such as "trap0").
func packageOf(name string) string {
	if rest, ok := strings.CutPrefix(name, "type:"); ok {
		name = strings.TrimLeft(rest, "*")
	}
	if strings.HasPrefix(name, "go:") {
		return ""
	}
	// The package path ends at the first dot after its last slash; a
	// type argument or receiver in brackets or parentheses may hold
	// slashes and dots of other packages, so look only before them.
	head := name
	if i := strings.IndexAny(head, "[("); i >= 0 {
		head = head[:i]
	}
	slash := strings.LastIndexByte(head, '/')
	dot := strings.IndexByte(head[slash+1:], '.')
	if dot <= 0 {
		return ""
	}
	return head[:slash+1+dot]
}

// isStd reports whether path is a standard library package: its first
// element has no dot (as go list's Standard, for the paths a build
// links), vendored copies of golang.org/x included.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// isRuntime reports whether path is the runtime or one of its internal
// packages.
func isRuntime(path string) bool {
	return path == "runtime" || strings.HasPrefix(path, "runtime/internal/") ||
		strings.HasPrefix(path, "internal/runtime/")
}

// groupOf returns the group of the symbol name.
func (c classifier) groupOf(name string) group {
	pkg := packageOf(name)
	switch {
	case pkg == "":
		return groupOther
	case pkg == "main":
		return groupProgram
	case isRuntime(pkg):
		return groupRuntime
	case c.network[pkg]:
		return groupNetwork
	case c.kernel[pkg], strings.HasPrefix(pkg, image.ModulePath+"/"):
		// The file services of --disks and --shares are coracle's too.
		return groupKernel
	case isStd(pkg):
		return groupStd
	}
	return groupProgram
}
