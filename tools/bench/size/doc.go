// Command size is coracle's image-size report (make bench-size). For
// each program (examples/hello and examples/httpd by default) it builds
// a coracle image with tools/image.Build and the same program natively
// with go build, with the same Go, GOOS=linux GOARCH=amd64 CGO_ENABLED=0
// and no other flags (coracle build adds only the linker's entry-point
// flag, -E, and the overlay file that imports the kernel), and prints:
//
//   - the file sizes and their difference;
//   - the loaded size: what the PT_LOAD segments put in memory, file
//     backed (text, read-only data, initialised data: PT_LOAD filesz)
//     and in all (memsz, with the zero-initialised data);
//   - a breakdown of the loaded bytes by who put them there: the
//     symbols of each group of packages (the program, the runtime, the
//     rest of the standard library, the kernel, the network), and the
//     sections no symbol covers (the pc-value tables, type links,
//     linker data), natively and in the image, with the difference.
//
// The kernel is every package the kernel package
// (github.com/coracle-os/coracle/kernel) depends on outside the standard
// library; the network is every package the network service
// (github.com/coracle-os/coracle/net/autostart) depends on outside the
// standard library and the kernel: the NIC driver, gVisor's netstack and
// the modules it needs. go list -deps says which packages these are.
//
// What the kernel adds is the image less the native program for a
// program without networking (hello); what the network adds is, for a
// program with networking (httpd), its own difference less the
// kernel's. The report checks both against the targets of
// docs/image-size.md (-kernel-target, -network-target) and lists the
// largest symbols of each group when a target is missed.
//
// Usage:
//
//	go run ./tools/bench/size [-programs ./examples/hello,./examples/httpd] [-top 12]
//	                         [-kernel-target 300] [-network-target 3072] [-v]
//
// Host only: never linked into an image.
package main
