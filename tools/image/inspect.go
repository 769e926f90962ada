package image

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/cpio"
)

// Inspection is what coracle inspect reports about an image.
type Inspection struct {
	// Build is the Go build information the linker stored in the image:
	// Go version, main module, dependencies and build settings.
	Build *debug.BuildInfo
	// CoracleVersion is the version of coracle's module the image was
	// built with: the main module's or a dependency's version (after a
	// replace), "devel" for a build inside coracle's own module or a
	// replacement by a directory.
	CoracleVersion string
	Entry          uint32 // the PVH entry point (physical address)
	Sections       []Section
	// Code, Data and BSS divide the symbols of the executable sections,
	// the other sections with contents in the file, and the zeroed
	// ones (.bss, .noptrbss), by owner.
	Code, Data, BSS Share
	// Files are the entries of the --files archive, in archive order.
	Files []FileEntry
	// Services are the optional packages and whether each is linked.
	Services []Service
	// Params are the kernel parameters the kernel reads; Linked is
	// false for those whose service is not in the image.
	Params []ImageParam
}

// Section is one ELF section.
type Section struct {
	Name string
	Addr uint64 // 0 for sections not loaded (debug information)
	Size uint64 // bytes in memory (.bss, .noptrbss) or in the file
}

// Share divides the sizes of the image's function and data symbols
// (their ELF st_size) by who they belong to, judged by the package path
// at the start of the symbol's name: coracle's module (kernel, boot,
// drivers, file and network services), the Go runtime (runtime and
// internal/runtime/...) and everything else (the program, the rest of
// the standard library, other modules). Symbols named by the linker
// rather than a package (type:*, go:*) are Unattributed. Tables the
// linker writes without symbols (most of .gopclntab) and debug
// information are in no bucket.
type Share struct {
	Coracle, Runtime, Other, Unattributed uint64
}

// add counts n bytes of package pkg's symbols.
func (sh *Share) add(pkg string, n uint64) {
	switch {
	case pkg == "":
		sh.Unattributed += n
	case pkg == ModulePath || strings.HasPrefix(pkg, ModulePath+"/"):
		sh.Coracle += n
	case pkg == "runtime" || strings.HasPrefix(pkg, "runtime/") || strings.HasPrefix(pkg, "internal/runtime/"):
		sh.Runtime += n
	default:
		sh.Other += n
	}
}

// Total is the sum of the buckets.
func (sh Share) Total() uint64 { return sh.Coracle + sh.Runtime + sh.Other + sh.Unattributed }

// FileEntry is one member of the --files archive.
type FileEntry struct {
	Name string // the path in the guest, without the leading "/"
	Mode uint32 // file type and permission bits (cpio's mode)
	Size int    // bytes of data (a symbolic link's target)
}

// Service is one optional package and whether the image links it.
type Service struct {
	Name, Package string
	Linked        bool
}

// ImageParam is a kernel parameter and whether the image's code reads
// it.
type ImageParam struct {
	cmdline.Param
	Linked bool
}

// filesArchiveSymbol is the kernel's variable that holds the --files
// archive (see filesSource): a Go string header, pointer and length.
const filesArchiveSymbol = KernelImportPath + ".filesArchive"

// Inspect reads the image img.
func Inspect(img []byte) (*Inspection, error) {
	entry, err := Verify(img)
	if err != nil {
		return nil, err
	}
	bi, err := buildinfo.Read(bytes.NewReader(img))
	if err != nil {
		return nil, fmt.Errorf("reading the Go build information: %w", err)
	}
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		return nil, err
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("reading the symbol table: %w", err)
	}
	in := &Inspection{Build: bi, CoracleVersion: coracleVersion(bi), Entry: entry}
	for _, s := range f.Sections {
		if s.Name == "" {
			continue
		}
		in.Sections = append(in.Sections, Section{Name: s.Name, Addr: s.Addr, Size: s.Size})
	}
	// linked holds every package with a symbol in the image.
	linked := map[string]bool{}
	for _, s := range syms {
		linked[SymbolPackage(s.Name)] = true
		if t := elf.ST_TYPE(s.Info); t != elf.STT_FUNC && t != elf.STT_OBJECT {
			continue
		}
		if int(s.Section) >= len(f.Sections) {
			continue // absolute or undefined
		}
		share := &in.Data
		switch sec := f.Sections[s.Section]; {
		case sec.Type == elf.SHT_NOBITS:
			share = &in.BSS
		case sec.Flags&elf.SHF_EXECINSTR != 0:
			share = &in.Code
		}
		share.add(SymbolPackage(s.Name), s.Size)
	}
	for _, sv := range []Service{
		{Name: "network (virtio-net, netstack, sockets)", Package: NetworkImportPath},
		{Name: "shares (coracle run -v, virtio-9p)", Package: SharesImportPath},
		{Name: "disks (coracle run --disk, ext4 over virtio-blk)", Package: DisksImportPath},
		{Name: "time zone database (--tzdata)", Package: TZDataImportPath},
	} {
		sv.Linked = linked[sv.Package]
		in.Services = append(in.Services, sv)
	}
	for _, p := range cmdline.Params {
		in.Params = append(in.Params, ImageParam{Param: p, Linked: p.Package == "" || linked[p.Package]})
	}
	if in.Files, err = packagedFiles(f, syms); err != nil {
		return nil, err
	}
	return in, nil
}

// SymbolPackage returns the import path of the package a Go symbol
// belongs to: the name up to the first '.' after its last '/' (so
// "github.com/a/b.(*T).M" is in "github.com/a/b"; the linker writes a
// '.' after the last '/' of a path as %2e), or "" for names the
// linker gives (type:*, go:*) and names without a package.
func SymbolPackage(name string) string {
	if strings.HasPrefix(name, "type:") || strings.HasPrefix(name, "go:") {
		return ""
	}
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}

// coracleVersion finds coracle's module in the build information.
func coracleVersion(bi *debug.BuildInfo) string {
	mod := &bi.Main
	if bi.Main.Path != ModulePath {
		i := slices.IndexFunc(bi.Deps, func(m *debug.Module) bool { return m.Path == ModulePath })
		if i < 0 {
			return "unknown (the image does not list " + ModulePath + ")"
		}
		mod = bi.Deps[i]
	}
	if mod.Replace != nil {
		mod = mod.Replace
	}
	if mod.Version == "" || mod.Version == "(devel)" {
		return "devel"
	}
	return mod.Version
}

// packagedFiles reads the --files archive the kernel's filesArchive
// string points at; nil when it is empty.
func packagedFiles(f *elf.File, syms []elf.Symbol) ([]FileEntry, error) {
	i := slices.IndexFunc(syms, func(s elf.Symbol) bool { return s.Name == filesArchiveSymbol })
	if i < 0 {
		return nil, fmt.Errorf("the image has no %s: is the kernel linked?", filesArchiveSymbol)
	}
	hdr, err := readVirtual(f, syms[i].Value, 16)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filesArchiveSymbol, err)
	}
	ptr, n := binary.LittleEndian.Uint64(hdr), binary.LittleEndian.Uint64(hdr[8:])
	if n == 0 {
		return nil, nil
	}
	archive, err := readVirtual(f, ptr, n)
	if err != nil {
		return nil, fmt.Errorf("reading the --files archive: %w", err)
	}
	var files []FileEntry
	r := cpio.NewReader(archive)
	for {
		e, cerr := r.Next()
		if cerr == cpio.End {
			return files, nil
		}
		if cerr != 0 {
			return nil, fmt.Errorf("the --files archive: %v at byte %d", cerr, r.Offset())
		}
		files = append(files, FileEntry{Name: string(e.Name), Mode: e.Mode, Size: len(e.Data)})
	}
}

// readVirtual reads n bytes at virtual address addr from the PT_LOAD
// segment that holds them; what lies past the segment's contents in the
// file (.bss) reads as zeros, as the loader leaves it.
func readVirtual(f *elf.File, addr, n uint64) ([]byte, error) {
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || addr < p.Vaddr || addr+n > p.Vaddr+p.Memsz {
			continue
		}
		b := make([]byte, n)
		off := addr - p.Vaddr
		if off < p.Filesz {
			end := min(off+n, p.Filesz)
			if _, err := p.ReadAt(b[:end-off], int64(off)); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("%#x+%d is not in the image's loaded segments", addr, n)
}
