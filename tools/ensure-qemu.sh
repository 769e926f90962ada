#!/usr/bin/env bash
# ensure-qemu.sh makes sure the host has what coracle's make targets need:
# Go 1.26 or newer, and qemu-system-x86_64. It installs QEMU (Debian's
# qemu-system-x86) when it is missing and the script runs as root;
# otherwise it prints the command to run and fails.
set -euo pipefail

min_go_minor=26

if ! command -v go >/dev/null 2>&1; then
	echo "ensure-qemu: the go command is not in PATH: install Go 1.${min_go_minor} or newer (https://go.dev/dl/)" >&2
	exit 1
fi
go_version=$(go env GOVERSION)
case "$go_version" in
go1.*)
	go_minor=${go_version#go1.}
	go_minor=${go_minor%%[!0-9]*}
	if [ -z "$go_minor" ] || [ "$go_minor" -lt "$min_go_minor" ]; then
		echo "ensure-qemu: $(command -v go) is $go_version; coracle needs go1.${min_go_minor} or newer (https://go.dev/dl/)" >&2
		exit 1
	fi
	;;
devel*) ;; # a development toolchain: assume it is new enough
*)
	echo "ensure-qemu: cannot tell the Go version from \"$go_version\"; coracle needs go1.${min_go_minor} or newer" >&2
	exit 1
	;;
esac

if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	exit 0
fi
install="apt-get update && apt-get install -y qemu-system-x86"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-qemu: qemu-system-x86_64 not found, and this is not a Debian-like system: install QEMU for x86-64 with your package manager" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "ensure-qemu: qemu-system-x86_64 not found; install it with:" >&2
	echo "    sudo sh -c '$install'" >&2
	exit 1
fi
echo "ensure-qemu: qemu-system-x86_64 not found; installing: $install" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y qemu-system-x86
command -v qemu-system-x86_64 >/dev/null
