package main

import (
	"fmt"
	"io"
	"strconv"
)

// program is one program's two builds, measured.
type program struct {
	pkg           string
	native, image sizes
}

// networked reports whether the image links the network.
func (p program) networked() bool { return p.image.Loaded[groupNetwork] > 0 }

// report is what the command prints after the header.
type report struct {
	programs []program
	// Targets, in KiB, for what the kernel and the network add.
	kernelTarget, networkTarget int64
	top                         int // contributors listed per group
}

// kib formats n bytes as whole KiB with thousands separators.
func kib(n int64) string {
	v := (n + 512) / 1024
	if n < 0 {
		v = (n - 512) / 1024
	}
	s := strconv.FormatInt(max(v, -v), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if v < 0 {
		s = "-" + s
	}
	return s + " KiB"
}

// signedKiB is kib with a plus sign for growth.
func signedKiB(n int64) string {
	if n >= 0 {
		return "+" + kib(n)
	}
	return kib(n)
}

func (r report) write(w io.Writer) {
	for _, p := range r.programs {
		fmt.Fprintf(w, "\n## %s\n\n", p.pkg)
		fmt.Fprintln(w, "| | native | image | image - native |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
		row := func(name string, n, i int64) {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, kib(n), kib(i), signedKiB(i-n))
		}
		row("file", p.native.File, p.image.File)
		row("loaded, file-backed (PT_LOAD filesz)", int64(p.native.LoadFile), int64(p.image.LoadFile))
		row("loaded, in all (PT_LOAD memsz)", int64(p.native.LoadMem), int64(p.image.LoadMem))
		fmt.Fprintln(w, "| **file-backed loaded bytes by owner** | | | |")
		for g := range numGroups {
			row(g.String(), int64(p.native.Loaded[g]), int64(p.image.Loaded[g]))
		}
		row("no symbol (pc-value tables, type links, padding)", int64(p.native.Unattributed), int64(p.image.Unattributed))
		fmt.Fprintln(w, "| **zero-initialised bytes by owner** | | | |")
		for g := range numGroups {
			if p.native.Zero[g] != 0 || p.image.Zero[g] != 0 {
				row(g.String(), int64(p.native.Zero[g]), int64(p.image.Zero[g]))
			}
		}
	}
	r.writeTargets(w)
}

// writeTargets compares what the kernel and the network add with the
// targets, and lists the largest contributors to a missed one.
func (r report) writeTargets(w io.Writer) {
	var base *program
	for i := range r.programs {
		if !r.programs[i].networked() {
			base = &r.programs[i]
			break
		}
	}
	fmt.Fprintf(w, "\n## Targets\n\n")
	if base == nil {
		fmt.Fprintln(w, "No program without networking was measured: what the kernel adds is unknown.")
		return
	}
	kernelLoad := int64(base.image.LoadFile) - int64(base.native.LoadFile)
	kernelFile := base.image.File - base.native.File
	fmt.Fprintln(w, "| addition | measured as | loaded, file-backed | file | target | verdict |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | --- |")
	kernelMet := verdict(w, "kernel", base.pkg+": image - native", kernelLoad, kernelFile, r.kernelTarget)
	type miss struct {
		p *program
		g group
	}
	var misses []miss
	if !kernelMet {
		misses = append(misses, miss{base, groupKernel})
	}
	for i := range r.programs {
		p := &r.programs[i]
		if !p.networked() {
			continue
		}
		load := int64(p.image.LoadFile) - int64(p.native.LoadFile) - kernelLoad
		file := p.image.File - p.native.File - kernelFile
		if !verdict(w, "network", p.pkg+": image - native - kernel", load, file, r.networkTarget) {
			misses = append(misses, miss{p, groupNetwork})
		}
	}
	for _, m := range misses {
		fmt.Fprintf(w, "\nLargest %s packages in %s (file-backed):\n\n", m.g, m.p.pkg)
		for _, e := range m.p.image.largest(m.g, false, r.top) {
			fmt.Fprintf(w, "- %s: %s\n", e.name, kib(int64(e.size)))
		}
		if m.p.image.Zero[m.g] < minZeroListed {
			continue
		}
		fmt.Fprintf(w, "\nLargest %s zero-initialised symbols in %s (loaded size, not file):\n\n", m.g, m.p.pkg)
		for _, e := range m.p.image.largest(m.g, true, r.top) {
			fmt.Fprintf(w, "- %s: %s\n", e.name, kib(int64(e.size)))
		}
	}
}

// minZeroListed is how much zero-initialised data a group must have for
// its largest such symbols to be listed.
const minZeroListed = 64 << 10

// verdict prints one row of the targets table and reports whether the
// loaded file-backed addition meets target (KiB).
func verdict(w io.Writer, what, how string, load, file, target int64) bool {
	met := load <= target*1024
	v := "met"
	if !met {
		v = fmt.Sprintf("missed by %s", kib(load-target*1024))
	}
	fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", what, how, signedKiB(load), signedKiB(file), kib(target*1024), v)
	return met
}
