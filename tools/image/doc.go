// Package image implements `coracle build`: it links a user's unmodified
// Go main package together with coracle's kernel into one x86-64 ELF image
// and turns that image into one that hypervisors boot directly through the
// Xen PVH boot ABI.
//
// The build runs the user's own `go` command for GOOS=linux GOARCH=amd64
// with an overlay that adds a single blank import of the kernel to the main
// package, and with the PVH entry stub as the ELF entry point. After the
// link, RewritePVHNote replaces the linker's PT_NOTE contents with the PVH
// entry note, and Verify checks everything a PVH loader relies on before
// the image is written.
//
// Host only: never linked into an image.
package image
