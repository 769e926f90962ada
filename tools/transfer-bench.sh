#!/usr/bin/env bash
# transfer-bench.sh times bulk HTTP transfers to and from examples/httpd
# in a coracle guest on a tap device, inside a network namespace the
# script creates (192.0.2.1 host side, 192.0.2.2 guest; TEST-NET-1 only).
# It needs root, curl and ip (iproute2). Each line is one curl run.
#
# Usage: tools/transfer-bench.sh [IMAGE] [MiB]
#   IMAGE defaults to a fresh build of examples/httpd; MiB to 64.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${2:-64}
if [ "$(id -u)" != 0 ]; then
	echo "transfer-bench: needs root (network namespace and tap device)" >&2
	exit 1
fi
go build -o bin/coracle ./tools/cmd/coracle
work=$(mktemp -d)
ns=coracle-xfer-$$
cleanup() {
	[ -n "${guest:-}" ] && kill "$guest" 2>/dev/null && wait "$guest" 2>/dev/null
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
img=${1:-$work/httpd.img}
[ -n "${1:-}" ] || bin/coracle build -o "$img" ./examples/httpd >/dev/null 2>&1
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev xtap0 mode tap
ip -n "$ns" addr add 192.0.2.1/24 dev xtap0
ip -n "$ns" link set xtap0 up
ip netns exec "$ns" bin/coracle run --accel tcg --tap xtap0 --cmdline "ip=192.0.2.2/24" "$img" >"$work/console" 2>&1 &
guest=$!
for _ in $(seq 100); do
	grep -q "listening on" "$work/console" && break
	sleep 0.1
done
grep "offloads" "$work/console" || true
bytes=$((mib << 20))
for _ in 1 2 3; do
	ip netns exec "$ns" curl -sS -o /dev/null -w "download $mib MiB: %{time_total} s, %{speed_download} B/s\n" "http://192.0.2.2:8080/bytes?n=$bytes"
done
head -c "$bytes" /dev/urandom >"$work/body"
for _ in 1 2 3; do
	ip netns exec "$ns" curl -sS -o /dev/null -w "upload $mib MiB: %{time_total} s, %{speed_upload} B/s\n" --data-binary @"$work/body" http://192.0.2.2:8080/upload
done
