package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/coracle-os/coracle/tools/disk"
)

// The files diskprobe reads, which the template image holds
// (tools/bench/diskprobe's seqFile and randFile).
const (
	seqFile  = "seq.dat"
	randFile = "rand.dat"
)

// makeTemplate writes the image every boot starts from: an ext4 file
// system of o.diskMiB made by coracle disk create (tools/disk, mkfs.ext4
// -d) holding seq.dat (o.seqMiB MiB) and rand.dat (o.randMiB MiB) of
// pseudo-random bytes, so that nothing can store them as holes.
func makeTemplate(ctx context.Context, o options, tmp string) (string, error) {
	tree := filepath.Join(tmp, "tree")
	if err := os.Mkdir(tree, 0o755); err != nil {
		return "", err
	}
	r := rand.NewChaCha8([32]byte{'d', 'i', 's', 'k'})
	for name, mibs := range map[string]int{seqFile: o.seqMiB, randFile: o.randMiB} {
		if err := writeRandom(filepath.Join(tree, name), r, int64(mibs)<<20); err != nil {
			return "", err
		}
	}
	img := filepath.Join(tmp, "template.img")
	if err := disk.Create(ctx, disk.Options{File: img, Size: int64(o.diskMiB) << 20, From: tree, Label: "diskbench"}); err != nil {
		return "", err
	}
	return img, os.RemoveAll(tree)
}

// writeRandom writes size bytes read from r to a new file.
func writeRandom(path string, r io.Reader, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := io.CopyN(w, r, size); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// freshCopy replaces dst with a copy of the template src, holes kept, so
// that each boot starts from the same file system and no guest reads
// what another one wrote.
func freshCopy(ctx context.Context, src, dst string) error {
	os.Remove(dst)
	out, err := exec.CommandContext(ctx, "cp", "--sparse=always", src, dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp %s %s: %v: %s", src, dst, err, out)
	}
	return nil
}
