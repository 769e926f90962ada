package kernel

// filesArchive is the program's files: a newc archive that coracle build
// --files embeds by replacing this file, through go build's -overlay,
// with one that declares the same variable with //go:embed (see
// tools/image/files.go). The compiler lays an embedded string out as
// static data, so the kernel can read it at boot, before the runtime
// starts. Empty without --files.
var filesArchive string
