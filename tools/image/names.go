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

	// LoadAddress is where the image is linked and loaded: 1 MiB, the
	// lowest address a PVH loader may use (the first MiB holds the
	// real-mode IVT, the BIOS data area, the EBDA, option ROMs and the
	// firmware; QEMU puts the PVH start_info, the command line and, on
	// pc and q35, SeaBIOS's tables there or at the top of RAM, never in
	// between: docs/memory.md). The Go linker's default for linux/amd64
	// is 4 MiB, which leaves the 3 MiB below the image to the frame
	// allocator but makes the whole image fit in RAM only if RAM reaches
	// 3 MiB further: httpd, 11.5 MiB of image kept in RAM, would not fit
	// in 16 MiB. The image is identity-mapped (p_paddr = p_vaddr), and the
	// kernel assumes no particular address for it.
	LoadAddress = 0x100000

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
