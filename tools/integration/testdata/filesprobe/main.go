// Command filesprobe prints what it finds under the directory named by
// its argument: each entry's path, type and mode, modification time,
// and a regular file's size and SHA-256 or a link's target, then writes,
// reads back and removes a file there. It runs in the guest on the
// files coracle run --files unpacked, and natively on the host directory
// they came from; the two outputs must be the same.
package main

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

func main() {
	root := os.Args[1]
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		line := fmt.Sprintf("filesprobe: %s %v mtime=%d", rel, fi.Mode(), fi.ModTime().Unix())
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" size=%d sha256=%x", len(data), sha256.Sum256(data))
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			line += " -> " + target
			if data, err := os.ReadFile(p); err == nil {
				line += fmt.Sprintf(" (reads %d bytes)", len(data))
			}
		}
		fmt.Println(line)
		return nil
	})
	if err != nil {
		fmt.Println("filesprobe: walk:", err)
		os.Exit(1)
	}
	matches, err := filepath.Glob(filepath.Join(root, "*", "*.conf"))
	for i := range matches {
		matches[i], _ = filepath.Rel(root, matches[i])
	}
	fmt.Println("filesprobe: glob */*.conf:", matches, err)
	name := filepath.Join(root, "sub", "written.txt")
	if err := os.WriteFile(name, []byte("written in place\n"), 0o644); err != nil {
		fmt.Println("filesprobe: write:", err)
		os.Exit(1)
	}
	data, err := os.ReadFile(name)
	fmt.Printf("filesprobe: wrote and read %q %v\n", data, err)
	fmt.Println("filesprobe: remove:", os.Remove(name))
	fmt.Println("filesprobe: done")
}
