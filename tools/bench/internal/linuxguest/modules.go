package linuxguest

import (
	"bytes"
	"compress/gzip"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Module files as a kernel package ships them: plain, or compressed by
// the kernel's "make modules_install" (CONFIG_MODULE_COMPRESS_*).
var moduleSuffixes = []string{".ko", ".ko.xz", ".ko.zst", ".ko.gz"}

// moduleName returns the name of the module in the file at p
// ("./lib/modules/6.1.0-48-amd64/kernel/net/core/failover.ko" is
// "failover"), or false if p is not a module file. Names are normalized
// as the kernel compares them: '-' and '_' are the same character, and
// '_' is kept.
func moduleName(p string) (string, bool) {
	base := path.Base(p)
	for _, s := range moduleSuffixes {
		if name, ok := strings.CutSuffix(base, s); ok && name != "" {
			return normalizeModule(name), true
		}
	}
	return "", false
}

func normalizeModule(name string) string { return strings.ReplaceAll(name, "-", "_") }

// decompressModule returns the module file data at path p uncompressed:
// finit_module is given plain ELF objects, which every kernel accepts
// (taking compressed ones needs CONFIG_MODULE_DECOMPRESS and a flag).
func decompressModule(ctx context.Context, p string, data []byte) ([]byte, error) {
	switch {
	case strings.HasSuffix(p, ".ko"):
		return data, nil
	case strings.HasSuffix(p, ".ko.gz"):
		r, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	case strings.HasSuffix(p, ".ko.xz"):
		return filter(ctx, data, "xz", "xz-utils", "--decompress", "--stdout")
	case strings.HasSuffix(p, ".ko.zst"):
		return filter(ctx, data, "zstd", "zstd", "--decompress", "--stdout", "--quiet")
	}
	return nil, fmt.Errorf("not a kernel module file")
}

// filter runs tool with args, data on its standard input, and returns
// its standard output.
func filter(ctx context.Context, data []byte, tool, debian string, args ...string) ([]byte, error) {
	if _, err := exec.LookPath(tool); err != nil {
		return nil, fmt.Errorf("%s is not installed (Debian package %s)", tool, debian)
	}
	cmd := command(ctx, "", tool, args...)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", tool, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// moduleDepends returns the modules a module depends on: the "depends="
// entry of its .modinfo section, which modpost fills in at build time
// with every module whose symbols it uses (built-in code is never
// listed). These are what modprobe loads first, through modules.dep,
// which depmod derives from the same information; a kernel package does
// not ship modules.dep.
func moduleDepends(ko []byte) ([]string, error) {
	f, err := elf.NewFile(bytes.NewReader(ko))
	if err != nil {
		return nil, err
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("no .modinfo section: not a kernel module")
	}
	info, err := sec.Data()
	if err != nil {
		return nil, err
	}
	var deps []string
	for entry := range bytes.SplitSeq(info, []byte{0}) {
		list, ok := bytes.CutPrefix(entry, []byte("depends="))
		if !ok {
			continue
		}
		for d := range strings.SplitSeq(string(list), ",") {
			if d != "" {
				deps = append(deps, normalizeModule(d))
			}
		}
	}
	return deps, nil
}

// parseBuiltin returns the module names in a modules.builtin file: one
// path per line ("kernel/drivers/virtio/virtio.ko") of code that is part
// of the kernel image, and so never loaded.
func parseBuiltin(b []byte) map[string]bool {
	names := make(map[string]bool)
	for line := range strings.Lines(string(b)) {
		if name, ok := moduleName(strings.TrimSpace(line)); ok {
			names[name] = true
		}
	}
	return names
}

// packageModules are modules taken out of a kernel package.
type packageModules struct {
	files   map[string][]byte // by name, uncompressed
	builtin map[string]bool   // the names in modules.builtin
}

// builtinList renders builtin as a modules.builtin file (a name per line
// instead of a path, which parseBuiltin reads the same).
func (m packageModules) builtinList() []byte {
	var b bytes.Buffer
	for _, name := range slices.Sorted(maps.Keys(m.builtin)) {
		b.WriteString(name + ".ko\n")
	}
	return b.Bytes()
}

// collectModules takes the modules named, and every module they depend
// on, out of a kernel package. Each call of pass reads the package once
// and returns the modules of want that it holds and the package's
// built-in modules; the dependencies of what one pass found are what the
// next pass looks for. Modules built into the kernel are not taken (they
// need no loading); a name that is neither a module of the package nor
// built in is an error. pass is called at least once.
func collectModules(ctx context.Context, names []string, pass func(want map[string]bool) (packageModules, error)) (packageModules, error) {
	all := packageModules{files: make(map[string][]byte)}
	want := make(map[string]bool)
	for _, n := range names {
		want[normalizeModule(n)] = true
	}
	for first := true; first || len(want) > 0; first = false {
		if err := ctx.Err(); err != nil {
			return packageModules{}, err
		}
		got, err := pass(want)
		if err != nil {
			return packageModules{}, err
		}
		if got.builtin != nil {
			all.builtin = got.builtin
		}
		next := make(map[string]bool)
		for _, name := range slices.Sorted(maps.Keys(want)) {
			ko, ok := got.files[name]
			if !ok {
				if all.builtin[name] {
					continue
				}
				return packageModules{}, fmt.Errorf("module %s is neither in the package nor built into its kernel", name)
			}
			all.files[name] = ko
			deps, err := moduleDepends(ko)
			if err != nil {
				return packageModules{}, fmt.Errorf("module %s: %w", name, err)
			}
			for _, d := range deps {
				if _, have := all.files[d]; !have && !want[d] && !all.builtin[d] {
					next[d] = true
				}
			}
		}
		want = next
	}
	return all, nil
}

// LoadOrder returns the modules to load for the modules named: those
// among them and their dependencies that are not built into the kernel,
// each after every module it depends on, as modprobe would load them.
// Module i is in the file filepath.Join(k.ModuleDir, order[i]+".ko").
func (k Kernel) LoadOrder(names ...string) ([]string, error) {
	if k.ModuleDir == "" {
		return nil, fmt.Errorf("kernel %s comes without modules", k.Label)
	}
	builtin := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(k.ModuleDir, "modules.builtin")); err == nil {
		builtin = parseBuiltin(b)
	}
	return loadOrder(names, func(name string) ([]string, bool, error) {
		ko, err := os.ReadFile(filepath.Join(k.ModuleDir, name+".ko"))
		if err != nil {
			if builtin[name] {
				return nil, true, nil
			}
			return nil, false, fmt.Errorf("module %s: not in %s", name, k.ModuleDir)
		}
		deps, err := moduleDepends(ko)
		if err != nil {
			return nil, false, fmt.Errorf("module %s: %w", name, err)
		}
		return deps, false, nil
	})
}

// loadOrder orders names and their dependencies, as deps reports them,
// so that each module comes after those it depends on; built-in modules
// are left out. Ties keep the order in which modules are first met.
func loadOrder(names []string, deps func(name string) (d []string, builtin bool, err error)) ([]string, error) {
	const (
		visiting = 1
		done     = 2
	)
	state := make(map[string]int)
	var order []string
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("modules depend on each other: %s", strings.Join(append(path, name), " -> "))
		}
		state[name] = visiting
		d, builtin, err := deps(name)
		if err != nil {
			return err
		}
		for _, dep := range d {
			if err := visit(dep, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = done
		if !builtin {
			order = append(order, name)
		}
		return nil
	}
	for _, n := range names {
		if err := visit(normalizeModule(n), nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}
