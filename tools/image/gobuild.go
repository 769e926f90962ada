package image

import (
	"context"
	"fmt"
	"strings"
)

// goBuild links pkg, with the overlay, into the ELF file out.
func goBuild(ctx context.Context, dir string, p *listedPackage, pkg, overlay, entrySymbol, out string) error {
	cmd := goCommand(ctx, dir, "build",
		"-overlay", overlay,
		"-ldflags", linkFlags(entrySymbol),
		"-o", out,
		"--", pkg)
	output, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	text := strings.TrimSpace(string(output))
	if strings.Contains(text, "no required module provides package "+ModulePath+"/") {
		return missingRequirement(p)
	}
	if strings.Contains(text, fmt.Sprintf("missing entry symbol %q", entrySymbol)) {
		return fmt.Errorf("go build %s failed: the program has no PVH entry point %s, which the kernel's boot package defines; is the kernel linked?\n%s", pkg, entrySymbol, text)
	}
	if text == "" {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return fmt.Errorf("go build %s failed:\n%s", pkg, text)
}

// missingRequirement explains that the user's module lacks coracle.
func missingRequirement(p *listedPackage) error {
	if p.Module == nil {
		return fmt.Errorf("%s is not in a module that requires %s: create one (go mod init) and run `go get %s` in it", p.ImportPath, ModulePath, ModulePath)
	}
	return fmt.Errorf("module %s does not require %s: run `go get %s` in %s", p.Module.Path, ModulePath, ModulePath, p.Module.Dir)
}
