# coracle's build, run and test entry points.
#
# Host requirements: Go 1.26 or newer and qemu-system-x86_64; the tests
# also need e2fsprogs (mkfs.ext4, e2fsck, dumpe2fs, debugfs) and gdb. The qemu and
# test-tools targets check them and install what is missing from Debian's
# packages when they run as root; otherwise they print the command to run.

GO ?= go
BIN := bin/coracle

.DEFAULT_GOAL := build
.PHONY: build run test qemu test-tools clean

# Build the coracle command. Its exit status is the guest's, which go run
# cannot pass on; that is why everything runs the built binary.
build:
	$(GO) build -o $(BIN) ./tools/cmd/coracle

# Build examples/httpd into an image and boot it on QEMU microvm, its
# port 8080 forwarded to 127.0.0.1:$(PORT). Ctrl-C stops it.
PORT ?= 8080
run: qemu build
	@echo "coracle: open http://127.0.0.1:$(PORT)/ once httpd says it is listening (Ctrl-C stops the guest)"
	$(BIN) run -p $(PORT):8080 ./examples/httpd

# Build examples/kvstore (an HTTP key-value store over bbolt) and boot it
# with the ext4 image $(KVSTORE_DISK) as its disk (/mnt/disk0, where it
# keeps kv.db), making a 256 MiB one first if the file does not exist; its
# port 8080 forwarded to 127.0.0.1:$(PORT). The image keeps the data
# between runs (make clean leaves it). Ctrl-C stops the guest.
KVSTORE_DISK ?= kvstore.img
.PHONY: run-kvstore
run-kvstore: build
	@tools/ensure-host.sh qemu-system-x86_64=qemu-system-x86 mkfs.ext4=e2fsprogs
	@test -e $(KVSTORE_DISK) || $(BIN) disk create --size 256M $(KVSTORE_DISK)
	@echo "coracle: once kvstore says it is listening: curl -X PUT --data-binary V http://127.0.0.1:$(PORT)/kv/K, curl http://127.0.0.1:$(PORT)/kv/K (Ctrl-C stops the guest)"
	$(BIN) run -m 64 -p $(PORT):8080 --disk $(KVSTORE_DISK) ./examples/kvstore

# Formatting, vet, then every test (unit tests and QEMU boots).
test: test-tools
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files are not formatted (run gofmt -w on them):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi
	$(GO) vet ./...
	# -p 1: packages one at a time, so that QEMU guests do not compete for
	# the CPU (the conformance program checks that a 50 ms sleep ends on time).
	$(GO) test -count=1 -p 1 -timeout 25m ./...

# The host commands the targets need, installed from Debian packages when
# missing (as root; otherwise the command to run is printed).
qemu:
	@tools/ensure-host.sh qemu-system-x86_64=qemu-system-x86

# e2fsprogs: tools/disk's tests make ext4 images and read them back;
# gdb: the integration test of coracle run --gdb.
test-tools:
	@tools/ensure-host.sh qemu-system-x86_64=qemu-system-x86 curl=curl mkfs.ext4=e2fsprogs gdb=gdb

clean:
	rm -rf bin

# Boot benchmark (docs/boot-benchmark.md): QEMU from exec to the guest's
# first line, for a trivial PVH guest (the QEMU floor), a coracle image
# and Linux, 20 runs each. The first run downloads Debian's kernel package
# into ~/.cache/coracle/bench with apt-get download (it says so; nothing
# is installed). BENCH_FLAGS adds flags, e.g. BENCH_FLAGS="-skip-linux".
.PHONY: bench-boot
bench-boot: qemu
	$(GO) build -o bin/bench-boot ./tools/bench/boot
	bin/bench-boot $(BENCH_FLAGS)

# SMP benchmark (docs/smp-benchmark.md): the same program
# (tools/bench/smpprobe) on coracle (coracle.smp=on) and on Linux
# (Debian's kernel, fetched as for bench-boot) at 1, 2 and 4 vCPUs, with
# the same QEMU, machine, accelerator and memory: parallel SHA-256 and a
# GC-heavy allocator, each a fixed amount of work split over GOMAXPROCS
# goroutines; medians of 3 rounds, speedups over 1 vCPU and
# coracle/Linux ratios. BENCH_FLAGS adds flags, e.g.
# BENCH_FLAGS="-cpus-list 1,2 -count 1".
.PHONY: bench-smp
bench-smp: qemu
	$(GO) build -o bin/bench-smp ./tools/bench/smp
	bin/bench-smp $(BENCH_FLAGS)

# HTTP benchmark (docs/http-benchmark.md): wrk against examples/httpd on
# coracle and on Linux (Debian's kernel, the same httpd started by a small
# Go /init), with the same QEMU, accelerator, vCPUs (-cpus, 1 by default), memory and virtio-net
# NIC on a tap device in a network namespace that the benchmark creates
# and removes; requests/s and p99 latency, keep-alive and not, 1 and 64
# connections. Needs root (the namespace); installs wrk when missing.
# About 6 minutes. BENCH_FLAGS adds flags, e.g. BENCH_FLAGS="-rounds 1".
.PHONY: bench-http
bench-http:
	@tools/ensure-host.sh qemu-system-x86_64=qemu-system-x86 wrk=wrk
	$(GO) build -o bin/bench-http ./tools/bench/http
	bin/bench-http $(BENCH_FLAGS)

# File benchmark (docs/file-benchmark.md): the same program
# (tools/bench/fileprobe) times open+fstat+close, 4 KiB pread and pwrite,
# create+unlink, a 1,000-entry readdir, a pipe round trip between two
# goroutines and a 256 MiB sequential write and read, in coracle's /tmp
# and in a tmpfs on Linux (Debian's kernel, fetched as for bench-boot),
# with the same QEMU, accelerator, vCPU and memory (512 MiB); then the
# file operations in a directory shared from the host over virtio-9p
# (coracle run -v; Linux's 9p with the same msize, cache=none); medians
# of 5 boots each, side by side with ratios. About 3 minutes under TCG.
# BENCH_FLAGS adds flags, e.g. BENCH_FLAGS="-count 3" or "-shares=false".
.PHONY: bench-files
bench-files: qemu
	$(GO) build -o bin/bench-files ./tools/bench/files
	bin/bench-files $(BENCH_FLAGS)

# Disk benchmark (docs/disk-benchmark.md): the same program
# (tools/bench/diskprobe) on coracle (coracle run --disk) and on Linux
# (Debian's kernel, fetched as for bench-boot, mounting the same kind of
# image), each on a virtio-blk ext4 disk with the same QEMU, accelerator,
# vCPU and memory: sequential 1 MiB read and write, 4 KiB random read and
# write IOPS, append+fsync latency (p50/p99) and examples/kvstore PUT/GET
# per second; medians of 3 boots each with coracle/Linux ratios. Needs
# e2fsprogs (coracle disk create). BENCH_FLAGS adds flags, e.g.
# BENCH_FLAGS="-count 1" or "-skip-coracle".
.PHONY: bench-disk
bench-disk: test-tools
	$(GO) build -o bin/bench-disk ./tools/bench/disk
	bin/bench-disk $(BENCH_FLAGS)

# Crash test (tools/bench/crash), many kills: a guest appends
# fsync-acknowledged records to an ext4 disk and creates, renames and
# deletes files; QEMU is killed with SIGKILL after a random number of
# acks, e2fsck -E journal_only then e2fsck -fn must find a copy of the
# image clean, and the next boot must find every acknowledged change.
# `make test` runs it with 3 kills (TestCrashConsistency). KILLS sets
# the count; CRASH_GUEST=linux runs it against Debian's kernel (fetched
# as for bench-boot), which checks the test itself.
KILLS ?= 200
CRASH_GUEST ?= coracle
.PHONY: test-crash
test-crash: test-tools build
	$(GO) build -o bin/crash ./tools/bench/crash
	bin/crash -guest $(CRASH_GUEST) -coracle $(BIN) -kills $(KILLS) $(CRASH_FLAGS)

# go.etcd.io/bbolt's own test suite (-short) natively and in coracle
# (coracle test), with its TMPDIR on tmpfs and on an ext4 disk; prints
# the tests whose results differ (docs/testing.md).
.PHONY: test-bbolt
test-bbolt: test-tools build
	tools/test-bbolt.sh

# The compatibility suite (docs/compat.md, tools/compat): the test suites
# of widely used third-party modules (versions in tools/compat/suite/
# go.mod, a module of its own so that coracle's go.mod does not require
# them) and of standard library packages, each with go test -short -json
# natively and with coracle test, two packages at a time; prints the
# table of verdicts with the first failing test and its cause, and writes
# it into docs/compat.md. About an hour under TCG. COMPAT_FLAGS adds
# flags, e.g. COMPAT_FLAGS="-p 1 -logs /tmp/compat" or package paths.
.PHONY: test-compat
test-compat: test-tools build
	$(GO) run ./tools/cmd/compat -coracle $(BIN) -doc docs/compat.md $(COMPAT_FLAGS)

# Image-size report (docs/image-size.md): examples/hello and examples/httpd
# built as coracle images and natively with go build (same Go, GOOS,
# GOARCH, CGO_ENABLED=0); file and loaded sizes, the loaded bytes by
# owner (program, runtime, standard library, kernel, network) and what
# the kernel and the network add against their targets. No QEMU needed.
# BENCH_FLAGS adds flags, e.g. BENCH_FLAGS="-programs ./examples/faults,./examples/fileserver".
.PHONY: bench-size
bench-size:
	$(GO) build -o bin/bench-size ./tools/bench/size
	bin/bench-size $(BENCH_FLAGS)
