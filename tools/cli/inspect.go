package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/coracle-os/coracle/tools/image"
)

// InspectArgs are the arguments of coracle inspect.
type InspectArgs struct {
	Image string
}

func parseInspect(args []string) (InspectArgs, error) {
	var a InspectArgs
	fs := newFlagSet("inspect")
	if err := parseFlags(fs, args); err != nil {
		return a, err
	}
	switch rest := fs.Args(); len(rest) {
	case 0:
		return a, usageErrorf("inspect: missing IMAGE")
	case 1:
		a.Image = rest[0]
	default:
		return a, usageErrorf("inspect: unexpected %q after %s: inspect one image at a time", rest[1], rest[0])
	}
	return a, nil
}

// inspect is coracle inspect: it prints what the image is made of.
func inspect(a InspectArgs, w io.Writer) error {
	img, err := os.ReadFile(a.Image)
	if err != nil {
		return err
	}
	in, err := image.Inspect(img)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Image, err)
	}
	printInspection(w, a.Image, int64(len(img)), in)
	return nil
}

func printInspection(w io.Writer, name string, size int64, in *image.Inspection) {
	bi := in.Build
	fmt.Fprintf(w, "image       %s (%s)\n", name, sizeString(uint64(size)))
	fmt.Fprintf(w, "go          %s\n", bi.GoVersion)
	fmt.Fprintf(w, "program     %s (module %s %s)\n", bi.Path, bi.Main.Path, orDevel(bi.Main.Version))
	fmt.Fprintf(w, "coracle     %s\n", in.CoracleVersion)
	fmt.Fprintf(w, "PVH entry   %#x\n", in.Entry)

	fmt.Fprintf(w, "\nbuild settings:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range bi.Settings {
		fmt.Fprintf(tw, "  %s\t%s\n", s.Key, s.Value)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nsections:\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, s := range in.Sections {
		addr := "-"
		if s.Addr != 0 {
			addr = fmt.Sprintf("%#x", s.Addr)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t\n", s.Name, addr, s.Size, sizeString(s.Size))
	}
	tw.Flush()

	fmt.Fprintf(w, "\nsymbol sizes by owner (ELF st_size summed by the package path in each name;\npclntab, type data without symbols and debug information are not counted):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  \tcode\t\tdata\t\tzeroed (bss)\t\t\n")
	for _, row := range []struct {
		name string
		get  func(image.Share) uint64
	}{
		{"coracle (kernel, boot, drivers, services)", func(s image.Share) uint64 { return s.Coracle }},
		{"Go runtime", func(s image.Share) uint64 { return s.Runtime }},
		{"program, standard library, other modules", func(s image.Share) uint64 { return s.Other }},
		{"linker's (type:*, go:*)", func(s image.Share) uint64 { return s.Unattributed }},
		{"total", image.Share.Total},
	} {
		fmt.Fprintf(tw, "  %s", row.name)
		for _, sh := range []image.Share{in.Code, in.Data, in.BSS} {
			fmt.Fprintf(tw, "\t%s\t%s", sizeString(row.get(sh)), percent(row.get(sh), sh.Total()))
		}
		fmt.Fprintf(tw, "\t\n")
	}
	tw.Flush()

	fmt.Fprintf(w, "\nservices:\n")
	for _, s := range in.Services {
		mark := "not linked"
		if s.Linked {
			mark = "linked"
		}
		fmt.Fprintf(w, "  %-50s %s\n", s.Name, mark)
	}

	if len(in.Files) == 0 {
		fmt.Fprintf(w, "\nfiles: none (coracle build --files packs them)\n")
	} else {
		fmt.Fprintf(w, "\nfiles (--files, unpacked at boot into the root file system):\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range in.Files {
			fmt.Fprintf(tw, "  %s\t%d\t/%s\n", modeString(f.Mode), f.Size, f.Name)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nkernel parameters (coracle run --cmdline):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range in.Params {
		effect := p.Effect
		if !p.Linked {
			effect = "(not in this image: needs " + p.Package + ") " + effect
		}
		fmt.Fprintf(tw, "  %s\t%s\n", p.Word, effect)
	}
	tw.Flush()
}

// modeString is ls -l's mode column for a cpio mode.
func modeString(mode uint32) string {
	m := fs.FileMode(mode & 0o777)
	switch mode & 0o170000 {
	case 0o040000:
		m |= fs.ModeDir
	case 0o120000:
		m |= fs.ModeSymlink
	}
	if mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m.String()
}

func orDevel(v string) string {
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}

// sizeString is n bytes in KiB or MiB.
func sizeString(n uint64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func percent(n, total uint64) string {
	if total == 0 {
		return "-"
	}
	return strings.TrimSpace(fmt.Sprintf("%5.1f%%", 100*float64(n)/float64(total)))
}
