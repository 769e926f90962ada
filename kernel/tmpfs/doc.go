// Package tmpfs is an in-memory file system with Linux tmpfs semantics:
// directories, regular files, symbolic links, character device nodes
// and hard links, kept entirely in pages the kernel's frame allocator
// hands it, so that it can run in trap context. It implements vfs.Tree
// for path resolution and the operations the file system calls need
// (create, mkdir, mknod, symlink, link, unlink, rmdir, rename with
// RENAME_NOREPLACE and RENAME_EXCHANGE, read, write, truncate, readdir,
// stat, chmod, chown), with Linux's errors, and gives mappings a
// file's own pages (MapPage), telling a Mapper before it frees mapped
// pages.
//
// Memory. Nothing is reserved up front: inodes live 64 to a page, taken
// when the table needs another; a directory is a chain of pages of
// variable-length entries; a regular file's data is a radix tree of pages
// (512 entries a level) that grows in height as the file does, with holes
// where nothing was written. Running out of pages is ENOSPC, and an
// operation that runs out leaves the file system as it was before it (a
// write keeps what it wrote until then, as on Linux). Files unlinked
// while open live until their last opener closes (Open, Close).
//
// Trap context: all. No allocation and no Go pointers are stored: pages
// are named by physical address and reached through Pages.
package tmpfs
