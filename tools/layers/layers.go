// Package layers is coracle's architecture as data: which layer and which
// ring each folder of the tree belongs to, and the rule that holds them
// together: a package may import packages of its own layer or of layers
// below it, never above. The test beside it reads the real import graph
// with `go list` and fails on any edge that breaks the rule, naming it.
//
// The layers, bottom to top (docs/design.md draws them):
//
//	abi       kernel/abi/...    contracts both rings import: Linux ABI values, private device calls, the socket table layout, the command-line encoding, exit statuses
//	arch      arch/amd64        ring 0: CPU primitives (port I/O, MSRs, descriptor tables, trap entry, LAPIC and IPIs, the AP trampoline, TSC, XSAVE)
//	platform  arch/amd64/pc/... ring 0: PC platform devices (8254 PIT, 8259 PIC, MC146818 RTC, 16550 UART, 82093AA IOAPIC, QEMU fw_cfg)
//	boot      boot/...          ring 0 before the Go runtime: PVH entry, hvm_start_info, firmware tables (ACPI, MP table, BIOS Data Area, the scan they share)
//	kernel    kernel/...        ring 0: system calls, threads, memory, signals, time, crash reports
//	drivers   drivers/...       ring 3 goroutines: PCI, virtio transports and devices
//	fs        fs/...            ring 3 goroutines: file services (shared host directories over 9P; ext4 and its journal)
//	net       net/...           ring 3 goroutines: gVisor netstack glue and the socket service
//	app       examples/...      ring 3: programs
//	host      tools/...         never in an image: the coracle command, tests, benchmarks
//
// Trap context: none; this package runs on the host only.
package layers

import (
	"fmt"
	"sort"
	"strings"
)

// Module is coracle's module path.
const Module = "github.com/coracle-os/coracle"

// A Layer is a set of folders at one height of the architecture.
type Layer struct {
	Name string
	Ring string // "0", "3", "0 and 3" (contracts) or "host"
	// Folders are module-relative package folders; "x/..." means x and
	// everything below it. A package belongs to the layer with the
	// longest matching folder.
	Folders []string
}

// Layers lists the layers bottom to top.
var Layers = []Layer{
	{Name: "abi", Ring: "0 and 3", Folders: []string{"kernel/abi/..."}},
	{Name: "arch", Ring: "0", Folders: []string{"arch/amd64"}},
	{Name: "platform", Ring: "0", Folders: []string{"arch/amd64/pc/..."}},
	{Name: "boot", Ring: "0", Folders: []string{"boot/..."}},
	{Name: "kernel", Ring: "0", Folders: []string{"kernel/..."}},
	{Name: "drivers", Ring: "3", Folders: []string{"drivers/..."}},
	{Name: "fs", Ring: "3", Folders: []string{"fs/..."}},
	{Name: "net", Ring: "3", Folders: []string{"net/..."}},
	{Name: "app", Ring: "3", Folders: []string{"examples/..."}},
	{Name: "host", Ring: "host", Folders: []string{"tools/..."}},
}

// An Exception is an upward edge the architecture needs, with the reason.
type Exception struct {
	From, To string // module-relative package folders
	Reason   string
}

// Exceptions are the only upward edges allowed.
var Exceptions = []Exception{{
	From: "boot",
	To:   "kernel",
	Reason: "the PVH entry stub must hand the CPU to the kernel, but package kernel " +
		"imports boot (for the start info); kernel provides boot.kernelMain with " +
		"go:linkname, so the upward edge is a symbol, never an import",
}}

// LayerOf returns the index in Layers of the package at module-relative
// folder dir, or -1 when no layer claims it.
func LayerOf(dir string) int {
	best, bestLen := -1, -1
	for i, l := range Layers {
		for _, f := range l.Folders {
			base, tree := strings.CutSuffix(f, "/...")
			if dir == base || tree && strings.HasPrefix(dir, base+"/") {
				if len(base) > bestLen {
					best, bestLen = i, len(base)
				}
			}
		}
	}
	return best
}

// An Edge is one package naming another: an import, or a go:linkname.
type Edge struct {
	From, To string // module-relative folders
	How      string // Imports, TestImports or Linkname
}

// Kinds of Edge.
const (
	Imports     = "imports"
	TestImports = "imports in its tests"
	Linkname    = "go:linkname"
)

// Check returns one message for every package no layer claims and every
// edge that points to a higher layer and is not an Exception. pkgs are
// module-relative folders.
func Check(pkgs []string, edges []Edge) []string {
	var bad []string
	for _, p := range pkgs {
		if LayerOf(p) < 0 {
			bad = append(bad, fmt.Sprintf("%s belongs to no layer: add its folder to layers.Layers", p))
		}
	}
	for _, e := range edges {
		from, to := LayerOf(e.From), LayerOf(e.To)
		if from < 0 || to < 0 || to <= from || excepted(e) {
			continue
		}
		// Tests run on the host, never in an image: they may use the
		// host's tools (trapcheck, test images).
		if e.How == TestImports && Layers[to].Ring == "host" {
			continue
		}
		bad = append(bad, fmt.Sprintf("%s (layer %s) %s %s (layer %s, above it)",
			e.From, Layers[from].Name, e.How, e.To, Layers[to].Name))
	}
	sort.Strings(bad)
	return bad
}

func excepted(e Edge) bool {
	for _, x := range Exceptions {
		if x.From == e.From && x.To == e.To {
			return true
		}
	}
	return false
}
