package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// The operations' sizes.
const (
	blockSize  = 4096    // one pread or pwrite
	smallFile  = 1 << 20 // the file the 4 KiB reads and writes cycle over
	dirEntries = 1000    // files in the directory read whole
	chunkSize  = 1 << 20 // one write or read of the sequential transfer
)

// benchmarks returns the operations in the order they run. The file
// calls are made through package syscall, so that each figure is the
// system calls alone (package os adds its own work, which is the same
// on both kernels); the pipe goes through os.Pipe, as Go programs use
// pipes, with the runtime's poller between the two goroutines.
func benchmarks(dir string, seqMiB int) []benchmark {
	var bs []benchmark
	bs = append(bs, nullSyscall())
	bs = append(bs, openStatClose(filepath.Join(dir, "stat-target")))
	bs = append(bs, preadBlock(filepath.Join(dir, "pread-file")))
	bs = append(bs, pwriteBlock(filepath.Join(dir, "pwrite-file")))
	bs = append(bs, createUnlink(filepath.Join(dir, "created")))
	bs = append(bs, readDir(filepath.Join(dir, "dir1000")))
	bs = append(bs, pipeRoundTrip())
	return append(bs, sequential(filepath.Join(dir, "sequential"), seqMiB)...)
}

// nullSyscall makes a system call that does next to nothing (getpid),
// the way the file calls are made (syscall.Syscall, which tells the
// runtime's scheduler): the fixed cost of entering and leaving a kernel,
// against which the other figures can be read.
func nullSyscall() benchmark {
	return benchmark{
		name: "getpid",
		op: func(n int) error {
			for range n {
				if _, _, errno := syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0); errno != 0 {
					return fmt.Errorf("getpid: %w", errno)
				}
			}
			return nil
		},
	}
}

// openStatClose opens an existing 4 KiB file, fstats it and closes it.
func openStatClose(path string) benchmark {
	return benchmark{
		name:  "open-stat-close",
		setup: func() error { return writeFile(path, blockSize) },
		op: func(n int) error {
			var st syscall.Stat_t
			for range n {
				fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
				if err != nil {
					return fmt.Errorf("open: %w", err)
				}
				if err := syscall.Fstat(fd, &st); err != nil {
					return fmt.Errorf("fstat: %w", err)
				}
				if err := syscall.Close(fd); err != nil {
					return fmt.Errorf("close: %w", err)
				}
			}
			if st.Size != blockSize {
				return fmt.Errorf("fstat: size %d, want %d", st.Size, blockSize)
			}
			return nil
		},
		teardown: func() error { return os.Remove(path) },
	}
}

// preadBlock reads 4 KiB with pread from a 1 MiB file written just
// before (so in memory on both kernels), at each 4 KiB offset in turn.
func preadBlock(path string) benchmark {
	var fd int
	buf := make([]byte, blockSize)
	return benchmark{
		name: "pread-4k",
		setup: func() (err error) {
			if err := writeFile(path, smallFile); err != nil {
				return err
			}
			fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
			return err
		},
		op: func(n int) error {
			for i := range n {
				got, err := syscall.Pread(fd, buf, int64(i%(smallFile/blockSize))*blockSize)
				if err != nil || got != blockSize {
					return fmt.Errorf("pread: %d bytes, %v", got, err)
				}
			}
			return nil
		},
		teardown: func() error { return closeRemove(fd, path) },
	}
}

// pwriteBlock writes 4 KiB with pwrite over a 1 MiB file, at each 4 KiB
// offset in turn: the pages exist, as for a file being rewritten.
func pwriteBlock(path string) benchmark {
	var fd int
	buf := pattern(blockSize)
	return benchmark{
		name: "pwrite-4k",
		setup: func() (err error) {
			if err := writeFile(path, smallFile); err != nil {
				return err
			}
			fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
			return err
		},
		op: func(n int) error {
			for i := range n {
				got, err := syscall.Pwrite(fd, buf, int64(i%(smallFile/blockSize))*blockSize)
				if err != nil || got != blockSize {
					return fmt.Errorf("pwrite: %d bytes, %v", got, err)
				}
			}
			return nil
		},
		teardown: func() error { return closeRemove(fd, path) },
	}
}

// createUnlink creates an empty file, closes it and unlinks it.
func createUnlink(path string) benchmark {
	return benchmark{
		name: "create-unlink",
		op: func(n int) error {
			for range n {
				fd, err := syscall.Open(path, syscall.O_CREAT|syscall.O_EXCL|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
				if err != nil {
					return fmt.Errorf("open O_CREAT: %w", err)
				}
				if err := syscall.Close(fd); err != nil {
					return fmt.Errorf("close: %w", err)
				}
				if err := syscall.Unlink(path); err != nil {
					return fmt.Errorf("unlink: %w", err)
				}
			}
			return nil
		},
	}
}

// readDir opens a directory of 1,000 empty files, reads all its entries
// with getdents64 into an 8 KiB buffer (the size os.File.ReadDir uses)
// and closes it; each listing must hold the 1,000 names, "." and "..".
func readDir(dir string) benchmark {
	buf := make([]byte, 8192)
	return benchmark{
		name: "readdir-1000",
		setup: func() error {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return err
			}
			for i := range dirEntries {
				if err := writeFile(filepath.Join(dir, fmt.Sprintf("file-%04d", i)), 0); err != nil {
					return err
				}
			}
			return nil
		},
		op: func(n int) error {
			for range n {
				fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
				if err != nil {
					return fmt.Errorf("open: %w", err)
				}
				entries := 0
				for {
					got, err := syscall.Getdents(fd, buf)
					if err != nil {
						syscall.Close(fd)
						return fmt.Errorf("getdents64: %w", err)
					}
					if got == 0 {
						break
					}
					entries += countDirents(buf[:got])
				}
				if err := syscall.Close(fd); err != nil {
					return fmt.Errorf("close: %w", err)
				}
				if entries != dirEntries+2 {
					return fmt.Errorf("getdents64: %d entries, want %d", entries, dirEntries+2)
				}
			}
			return nil
		},
		teardown: func() error { return os.RemoveAll(dir) },
	}
}

// countDirents counts the linux_dirent64 records in b, each of which
// holds its length (d_reclen) at offset 16.
func countDirents(b []byte) int {
	n := 0
	for len(b) >= 19 {
		reclen := int(b[16]) | int(b[17])<<8
		if reclen == 0 || reclen > len(b) {
			break
		}
		b = b[reclen:]
		n++
	}
	return n
}

// pipeRoundTrip sends one byte through a pipe to a goroutine that sends
// it back through another pipe.
func pipeRoundTrip() benchmark {
	var toEcho, fromEcho [2]*os.File // read end, write end
	echoDone := make(chan error, 1)
	return benchmark{
		name: "pipe-roundtrip",
		setup: func() (err error) {
			if toEcho[0], toEcho[1], err = os.Pipe(); err != nil {
				return err
			}
			if fromEcho[0], fromEcho[1], err = os.Pipe(); err != nil {
				return err
			}
			go func() {
				b := make([]byte, 1)
				for {
					if _, err := toEcho[0].Read(b); err != nil {
						echoDone <- nil // the write end closed: done
						return
					}
					if _, err := fromEcho[1].Write(b); err != nil {
						echoDone <- err
						return
					}
				}
			}()
			return nil
		},
		op: func(n int) error {
			b := []byte{'x'}
			for range n {
				if _, err := toEcho[1].Write(b); err != nil {
					return fmt.Errorf("write: %w", err)
				}
				if _, err := fromEcho[0].Read(b); err != nil {
					return fmt.Errorf("read: %w", err)
				}
			}
			return nil
		},
		teardown: func() error {
			toEcho[1].Close()
			err := <-echoDone
			toEcho[0].Close()
			fromEcho[0].Close()
			fromEcho[1].Close()
			return err
		},
	}
}

// sequential writes a new file of mib MiB in 1 MiB writes, then reads it
// back in 1 MiB reads: two benchmarks of one iteration per MiB.
func sequential(path string, mib int) []benchmark {
	var fd int
	wbuf, rbuf := pattern(chunkSize), make([]byte, chunkSize)
	write := benchmark{
		name:  "seq-write-1m",
		fixed: mib,
		setup: func() (err error) {
			fd, err = syscall.Open(path, syscall.O_CREAT|syscall.O_EXCL|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
			return err
		},
		op: func(n int) error {
			for range n {
				if got, err := syscall.Write(fd, wbuf); err != nil || got != chunkSize {
					return fmt.Errorf("write: %d bytes, %v", got, err)
				}
			}
			return nil
		},
		teardown: func() error { return syscall.Close(fd) },
	}
	read := benchmark{
		name:  "seq-read-1m",
		fixed: mib,
		setup: func() (err error) {
			fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
			return err
		},
		op: func(n int) error {
			for i := range n {
				if err := readFull(fd, rbuf); err != nil {
					return fmt.Errorf("read of MiB %d: %w", i, err)
				}
				if rbuf[0] != wbuf[0] || rbuf[chunkSize-1] != wbuf[chunkSize-1] {
					return fmt.Errorf("read of MiB %d: not the data written", i)
				}
			}
			return nil
		},
		teardown: func() error { return closeRemove(fd, path) },
	}
	return []benchmark{write, read}
}

// readFull fills b from fd with as many reads as it takes.
func readFull(fd int, b []byte) error {
	for len(b) > 0 {
		got, err := syscall.Read(fd, b)
		if err != nil {
			return err
		}
		if got == 0 {
			return errors.New("unexpected end of file")
		}
		b = b[got:]
	}
	return nil
}

// writeFile creates path with size bytes of pattern.
func writeFile(path string, size int) error {
	return os.WriteFile(path, pattern(size), 0o644)
}

// pattern returns size bytes that are not all zero.
func pattern(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b
}

// closeRemove closes fd and removes path.
func closeRemove(fd int, path string) error {
	cErr := syscall.Close(fd)
	if err := os.Remove(path); err != nil {
		return err
	}
	return cErr
}
