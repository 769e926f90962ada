#!/usr/bin/env bash
# ensure-host.sh makes sure the host has what a coracle make target needs:
# Go 1.26 or newer, and the commands named as arguments. It installs
# missing ones from Debian packages when it runs as root; otherwise it
# prints the command to run and fails.
#
# Usage: tools/ensure-host.sh [COMMAND=PACKAGE ...]
#   e.g. tools/ensure-host.sh qemu-system-x86_64=qemu-system-x86 curl=curl
set -euo pipefail

min_go_minor=26

if ! command -v go >/dev/null 2>&1; then
	echo "ensure-host: the go command is not in PATH: install Go 1.${min_go_minor} or newer (https://go.dev/dl/)" >&2
	exit 1
fi
go_version=$(go env GOVERSION)
case "$go_version" in
go1.*)
	go_minor=${go_version#go1.}
	go_minor=${go_minor%%[!0-9]*}
	if [ -z "$go_minor" ] || [ "$go_minor" -lt "$min_go_minor" ]; then
		echo "ensure-host: $(command -v go) is $go_version; coracle needs go1.${min_go_minor} or newer (https://go.dev/dl/)" >&2
		exit 1
	fi
	;;
devel*) ;; # a development toolchain: assume it is new enough
*)
	echo "ensure-host: cannot tell the Go version from \"$go_version\"; coracle needs go1.${min_go_minor} or newer" >&2
	exit 1
	;;
esac

# Each argument COMMAND=PACKAGE names a command the target needs and the
# Debian package that provides it. A command is found in PATH or in
# /usr/sbin or /sbin, which an ordinary user's PATH may lack (e2fsprogs
# installs mkfs.ext4 there; coracle looks there too).
have() {
	command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}
missing=()
for want in "$@"; do
	have "${want%%=*}" || missing+=("$want")
done
[ ${#missing[@]} -eq 0 ] && exit 0

commands=() packages=()
for want in "${missing[@]}"; do
	commands+=("${want%%=*}")
	packages+=("${want#*=}")
done
install="apt-get update && apt-get install -y ${packages[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-host: ${commands[*]} not found, and this is not a Debian-like system: install ${packages[*]} with your package manager" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "ensure-host: ${commands[*]} not found; install with:" >&2
	echo "    sudo sh -c '$install'" >&2
	exit 1
fi
echo "ensure-host: ${commands[*]} not found; installing: $install" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${packages[@]}"
for c in "${commands[@]}"; do
	have "$c"
done
