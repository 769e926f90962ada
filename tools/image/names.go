package image

// The coracle names an image build depends on. They live here, in one
// place, because the overlay, the linker flags and the error messages all
// have to agree on them.
const (
	// ModulePath is coracle's module; the user's module must require it.
	ModulePath = "github.com/coracle-os/coracle"

	// KernelImportPath is the package the generated overlay file imports
	// for its side effects: importing it links the kernel into the image.
	KernelImportPath = ModulePath + "/kernel"

	// NetworkImportPath is the package that starts the network (NIC
	// driver, netstack, the socket service): the overlay imports it too
	// when the program depends on package net.
	NetworkImportPath = ModulePath + "/net/autostart"

	// SharesImportPath is the file service for host directories shared
	// over virtio-9p (coracle run -v): the overlay imports it for
	// coracle build --shares; HasShares finds it in an image.
	SharesImportPath = ModulePath + "/fs/shares"

	// DisksImportPath is the file service for disks (ext4 over
	// virtio-blk, coracle run --disk): the overlay imports it for
	// coracle build --disks; HasDisks finds it in an image.
	DisksImportPath = ModulePath + "/fs/disks"

	// TZDataImportPath is the standard library's embedded time zone
	// database: the overlay imports it for coracle build --tzdata. The
	// time package falls back to it when $ZONEINFO and the system
	// directories (/usr/share/zoneinfo/, ...) do not have the zone.
	TZDataImportPath = "time/tzdata"

	// EntrySymbol is the ELF entry point: the 32-bit PVH entry stub,
	// written in assembly in package boot. The linker's -E flag makes it
	// e_entry, and RewritePVHNote copies e_entry into the PVH note.
	EntrySymbol = ModulePath + "/boot.pvhEntry"

	// OverlayFileName is the file the overlay adds to the main package's
	// directory. The zz_ prefix sorts it last, after the user's files.
	OverlayFileName = "zz_coracle_kernel.go"
)

// Target platform of every image: the stock linux/amd64 port, without cgo
// (there is no C library inside the image).
const (
	targetGOOS   = "linux"
	targetGOARCH = "amd64"
)

// targetEnv is the environment the go command runs with, on top of the
// user's own.
var targetEnv = []string{"GOOS=" + targetGOOS, "GOARCH=" + targetGOARCH, "CGO_ENABLED=0"}
