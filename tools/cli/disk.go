package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/coracle-os/coracle/tools/disk"
)

// DiskArgs are the arguments of coracle disk create.
type DiskArgs struct {
	Size  int64  // --size, in bytes; checked with disk.CheckSize
	From  string // --from DIR; empty for an empty file system
	Label string // --label
	Force bool   // --force
	File  string
}

// diskCreateFlags defines coracle disk create's flags. Their help is in
// usage.
func diskCreateFlags(d *DiskArgs) *flag.FlagSet {
	fs := newFlagSet("disk create")
	fs.Func("size", "", func(v string) error {
		size, err := disk.ParseSize(v)
		if err != nil {
			return err
		}
		d.Size = size
		return nil
	})
	fs.StringVar(&d.From, "from", "", "")
	fs.StringVar(&d.Label, "label", "", "")
	fs.BoolVar(&d.Force, "force", false, "")
	return fs
}

// parseDisk parses coracle disk's arguments: a subcommand (create is the
// only one) and its own.
func parseDisk(args []string) (DiskArgs, error) {
	var d DiskArgs
	if len(args) == 0 {
		return d, usageErrorf("disk: missing subcommand: coracle disk create --size SIZE [--from DIR] FILE")
	}
	switch sub := args[0]; sub {
	case "create":
	case "-h", "-help", "--help", "help":
		return d, flag.ErrHelp
	default:
		return d, usageErrorf("disk: unknown subcommand %q: use create", sub)
	}
	fs := diskCreateFlags(&d)
	if err := parseFlags(fs, args[1:]); err != nil {
		return d, err
	}
	switch rest := fs.Args(); {
	case len(rest) == 0:
		return d, usageErrorf("disk create: missing FILE, the image to write")
	case len(rest) > 1:
		return d, usageErrorf("disk create: unexpected %q after %s: put flags before FILE, and make one image at a time", rest[1], rest[0])
	default:
		d.File = rest[0]
	}
	if !sizeGiven(fs) {
		return d, usageErrorf("disk create: missing --size SIZE (e.g. --size 1G)")
	}
	if err := disk.CheckSize(d.Size); err != nil {
		return d, usageErrorf("disk create: --size: %v", err)
	}
	if len(d.Label) > disk.MaxLabel {
		return d, usageErrorf("disk create: --label %q is %d bytes; ext4 holds at most %d", d.Label, len(d.Label), disk.MaxLabel)
	}
	return d, nil
}

// sizeGiven says whether --size was on the command line.
func sizeGiven(fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "size" })
	return given
}

// diskCreate is coracle disk create.
func diskCreate(ctx context.Context, d DiskArgs, stdio Stdio) error {
	err := disk.Create(ctx, disk.Options{File: d.File, Size: d.Size, From: d.From, Label: d.Label, Force: d.Force})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Stderr, "coracle: wrote %s: %s ext4, checked with e2fsck -fn\n", d.File, disk.FormatSize(d.Size))
	return nil
}
