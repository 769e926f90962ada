// Package pagecache keeps the data pages of files whose home is outside
// the kernel: files on a disk, which a ring-3 service reads and writes
// for the kernel. It is the one place such a file's data is cached:
// read and write copy to and from these pages, and mappings of the file
// map these same pages, so that each sees the others' changes at once.
//
// The kernel asks the service only for what the cache lacks. A page is
// in one of these states:
//
//   - absent: not cached. If it lies before the file's home size (the
//     bytes that exist on the disk) it must be fetched; past it, it
//     reads as zeros and is made on demand.
//   - filling: taken for a fetch in flight; its bytes belong to the
//     service until EndFill, and readers and writers wait.
//   - clean: the same as on the disk.
//   - dirty: changed since it was last written home.
//   - writing: being written home; still readable and writable (a write
//     makes it dirty again, so the new bytes go home next time).
//
// Fetches and write-backs are transfers of runs of pages: the kernel
// takes a run (StartFill, StartWriteback), hands its frames to the
// service, and ends it (EndFill, EndWriteback). A truncation or eviction
// never frees a frame that is in flight: the End call frees it when the
// page has left the file meanwhile.
//
// Memory. A file's pages hang from a radix tree of pages as in
// kernel/tmpfs (512 entries a level), with the state in the low bits of
// each leaf entry. Nothing is reserved up front. Evict gives back clean
// pages of files that no mapping holds, oldest file first, for the
// kernel to call when the frame allocator runs dry; dirty pages must be
// written home first, which only the service can do.
//
// Trap context: all. No allocation, no locks (the kernel serialises
// calls), no Go pointers stored: pages are named by physical address
// and reached through Pages.
package pagecache
