// Package cli is the coracle command: `coracle build` links a Go main
// package with the coracle kernel into a PVH image, and `coracle run`
// boots an image (building it first when given a package) on QEMU and
// exits with the guest's exit status; `coracle disk create` makes an ext4
// disk image with the host's e2fsprogs. tools/cmd/coracle is a thin main
// around Main; the argument handling lives here so that it is tested.
//
// Host only: never linked into an image.
package cli
