// Goroutineprobe uses files in the directory its first argument names (a
// directory shared from the host with coracle run -v in the guest) and
// prints what it can see of its goroutines before and while it does:
// runtime.NumGoroutine and the goroutine profile. Natively a program
// that only uses files has no goroutine but main; in the guest the file
// service and the virtio-9p driver run goroutines of their own, and the
// program must not see them (kernel/sysgo). With a second argument
// "crash" it ends in a panic, whose traceback shows the services only
// with GOTRACEBACK=system.
package main

import (
	"os"
	"path/filepath"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/goroutines"
	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

var pr = probe.P("goroutineprobe")

func main() {
	goroutines.Count(pr, "start")
	if len(os.Args) < 2 {
		pr.Fail("usage: goroutineprobe DIR [crash]")
	}
	dir := os.Args[1]
	name := filepath.Join(dir, "goroutineprobe.txt")
	pr.Check(os.WriteFile(name, []byte("written by goroutineprobe\n"), 0o644))
	f, err := os.Open(name)
	pr.Check(err)
	buf := make([]byte, 64)
	n, err := f.Read(buf)
	pr.Check(err)
	pr.Say("read", string(buf[:n]) == "written by goroutineprobe\n")
	entries, err := os.ReadDir(dir)
	pr.Check(err)
	pr.Say("listed", len(entries) > 0)
	goroutines.Count(pr, "a file open")
	goroutines.Profile(pr)
	if len(os.Args) > 2 && os.Args[2] == "crash" {
		goroutines.Crash(pr)
	}
	pr.Check(f.Close())
	pr.Check(os.Remove(name))
	goroutines.Count(pr, "end")
	pr.Printf("done")
}
