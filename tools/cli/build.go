package cli

import (
	"context"

	"github.com/coracle-os/coracle/tools/image"
)

// build is coracle build.
func build(ctx context.Context, b BuildArgs, stdio Stdio) error {
	_, err := image.Build(ctx, image.Options{
		Pkg:      b.Pkg,
		Output:   b.Output,
		Files:    b.Files,
		TZData:   b.TZData,
		Shares:   b.Shares,
		Disks:    b.Disks,
		Progress: stdio.Stderr,
	})
	return err
}
