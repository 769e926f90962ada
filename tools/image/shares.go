package image

import (
	"debug/elf"
	"fmt"
)

// HasShares reports whether the image at path has the file service for
// shared host directories linked in (coracle build --shares): its
// symbol table names the service's package.
func HasShares(path string) (bool, error) { return hasPackage(path, SharesImportPath) }

// HasDisks reports whether the image at path has the file service for
// disks linked in (coracle build --disks).
func HasDisks(path string) (bool, error) { return hasPackage(path, DisksImportPath) }

// hasPackage reports whether the image at path has package pkg's init
// function in its symbol table.
func hasPackage(path, pkg string) (bool, error) {
	f, err := elf.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range syms {
		if s.Name == pkg+".init.0" {
			return true, nil
		}
	}
	return false, nil
}
