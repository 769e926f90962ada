# coracle's build, run and test entry points.
#
# Host requirements: Go 1.26 or newer and qemu-system-x86_64. The qemu
# target checks both and installs QEMU (Debian's qemu-system-x86) when it
# runs as root; otherwise it prints the command to run.

GO ?= go
BIN := bin/coracle

.DEFAULT_GOAL := build
.PHONY: build run test qemu clean

# Build the coracle command. Its exit status is the guest's, which go run
# cannot pass on; that is why everything runs the built binary.
build:
	$(GO) build -o $(BIN) ./tools/cmd/coracle

# Build examples/hello into an image and boot it on QEMU microvm.
run: qemu build
	$(BIN) run ./examples/hello

# Formatting, vet, then every test (unit tests and QEMU boots).
test: qemu
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files are not formatted (run gofmt -w on them):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 25m ./...

qemu:
	@tools/ensure-qemu.sh

clean:
	rm -rf bin
