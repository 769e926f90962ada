// Package integration holds the end-to-end tests: they build the coracle
// command and real images, boot them in QEMU on each machine type and
// accelerator available here, and check what a user would see (serial
// output and exit status). There is no non-test code.
//
// Host only: never linked into an image.
package integration
