// Package trapcheck checks, on a linked coracle image, the rules for
// kernel code that runs without the Go runtime's help: the boot path
// (before the runtime exists) must not allocate, and trap handlers must
// also be free of write barriers (docs/design.md, "Trap context"). The
// compiler cannot see these contexts, so the check reads the machine
// code: it disassembles every function reachable by direct calls from
// the given roots and reports each forbidden runtime function it
// reaches, with the call path.
//
// Indirect calls (function values) are invisible to it; name their
// targets as roots.
//
// Host only: never linked into an image.
package trapcheck

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// Image is the code of a linked image, indexed by function.
type Image struct {
	funcs  []function // sorted by addr
	byName map[string]int
}

type function struct {
	name       string
	addr, size uint64
	code       []byte
}

// Load reads the functions of the ELF file at path.
func Load(path string) (*Image, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text := f.Section(".text")
	if text == nil {
		return nil, fmt.Errorf("%s: no .text section", path)
	}
	data, err := text.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: reading .text: %w", path, err)
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("%s: reading symbols (was the image stripped?): %w", path, err)
	}
	img := &Image{byName: map[string]int{}}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Size == 0 ||
			s.Value < text.Addr || s.Value+s.Size > text.Addr+text.Size {
			continue
		}
		off := s.Value - text.Addr
		img.funcs = append(img.funcs, function{s.Name, s.Value, s.Size, data[off : off+s.Size]})
	}
	sort.Slice(img.funcs, func(i, j int) bool { return img.funcs[i].addr < img.funcs[j].addr })
	for i, fn := range img.funcs {
		img.byName[fn.name] = i
	}
	return img, nil
}

// Rule names the runtime functions a context must not reach. Forbid
// returns why callee is forbidden, or "" if it is allowed. A root that
// ends in "*" names every function whose name has that prefix.
type Rule struct {
	Context string // e.g. "trap context"
	Roots   []string
	Forbid  func(callee string) string
}

// Violation is one forbidden call reachable from a root.
type Violation struct {
	Context string
	Path    []string // root ... caller, callee
	Reason  string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: %s", v.Context, strings.Join(v.Path, " -> "), v.Reason)
}

// Check walks the direct-call graph from the rule's roots. It does not
// descend into the runtime: every runtime function reached is judged by
// the rule and treated as a leaf.
func (img *Image) Check(r Rule) ([]Violation, error) {
	parent := map[int]int{}
	var queue []int
	for _, name := range r.Roots {
		found := false
		for i, fn := range img.funcs {
			if fn.name == name || strings.HasSuffix(name, "*") && strings.HasPrefix(fn.name, strings.TrimSuffix(name, "*")) {
				parent[i] = -1
				queue = append(queue, i)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("root %s is not a function in the image", name)
		}
	}
	var out []Violation
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, callee := range img.callees(i) {
			name := img.funcs[callee].name
			if strings.HasPrefix(name, "runtime.") {
				if reason := r.Forbid(name); reason != "" {
					out = append(out, Violation{r.Context, append(img.path(parent, i), name), reason})
				}
				continue
			}
			if _, seen := parent[callee]; !seen {
				parent[callee] = i
				queue = append(queue, callee)
			}
		}
	}
	return out, nil
}

// path lists the call chain from a root to function i.
func (img *Image) path(parent map[int]int, i int) []string {
	var p []string
	for ; i >= 0; i = parent[i] {
		p = append([]string{img.funcs[i].name}, p...)
	}
	return p
}

// callees returns the functions that function i calls or tail-jumps to
// directly.
func (img *Image) callees(i int) []int {
	fn := img.funcs[i]
	var out []int
	for pc := 0; pc < len(fn.code); {
		inst, err := x86asm.Decode(fn.code[pc:], 64)
		if err != nil {
			pc++ // padding or data
			continue
		}
		next := fn.addr + uint64(pc+inst.Len)
		pc += inst.Len
		if inst.Op != x86asm.CALL && inst.Op != x86asm.JMP {
			continue
		}
		rel, ok := inst.Args[0].(x86asm.Rel)
		if !ok {
			continue
		}
		target := next + uint64(int64(rel))
		j := img.funcAt(target)
		if j < 0 || j == i {
			continue
		}
		out = append(out, j)
	}
	return out
}

// funcAt returns the index of the function containing addr, or -1.
func (img *Image) funcAt(addr uint64) int {
	j := sort.Search(len(img.funcs), func(k int) bool { return img.funcs[k].addr > addr }) - 1
	if j < 0 || addr >= img.funcs[j].addr+img.funcs[j].size {
		return -1
	}
	return j
}
