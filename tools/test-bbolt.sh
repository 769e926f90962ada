#!/bin/sh
# Runs go.etcd.io/bbolt's own test suite (-short) natively with go test
# and inside coracle with coracle test, with its TMPDIR on the guest's
# tmpfs and on an ext4 disk, and lists the tests whose results differ
# (docs/testing.md). bbolt's version is the one coracle's go.mod names.
# Usage: tools/test-bbolt.sh [coracle test flags]; needs bin/coracle.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
coracle=$repo/bin/coracle
version=$(cd "$repo" && go list -m -f '{{.Version}}' go.etcd.io/bbolt)
work=$(mktemp -d /tmp/coracle-bbolt-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
# A module that requires coracle (this checkout) and bbolt, with bbolt's
# test dependencies.
{
	echo "module example.com/bboltsuite"
	echo
	sed -n 's/^go /go /p' "$repo/go.mod"
	echo "require github.com/coracle-os/coracle v0.0.0"
	echo "replace github.com/coracle-os/coracle => $repo"
	sed -n '/^require (/,/^)/p' "$repo/go.mod"
} >go.mod
cp "$repo/go.sum" .
go get -t "go.etcd.io/bbolt@$version" >/dev/null 2>&1 || go get -t "go.etcd.io/bbolt@$version"

results() { grep -E '^--- (PASS|FAIL|SKIP)' "$1" | awk '{print $3, $2}' | tr -d : | sort; }
report() {
	status=$1 log=$2 name=$3
	printf '%s: exit status %s, %s passed, %s failed, %s skipped (%s)\n' "$name" "$status" \
		"$(grep -c '^--- PASS' "$log" || true)" "$(grep -c '^--- FAIL' "$log" || true)" \
		"$(grep -c '^--- SKIP' "$log" || true)" "$(tail -n 2 "$log" | head -n 1)"
}

st=0; go test -short -count=1 -v go.etcd.io/bbolt >native.log 2>&1 || st=$?
report $st native.log "natively"
results native.log >native.res

st=0; "$coracle" test -m 3072 "$@" -short -count=1 -v go.etcd.io/bbolt >tmpfs.log 2>&1 || st=$?
report $st tmpfs.log "coracle, TMPDIR on tmpfs"
results tmpfs.log >tmpfs.res
diff native.res tmpfs.res | sed -n 's/^> /  differs in coracle: /p' || true

"$coracle" disk create --size 2G disk.img >/dev/null 2>&1
st=0; "$coracle" test -m 3072 --disk disk.img:/mnt/disk0 --tmpdir /mnt/disk0 "$@" -short -count=1 -v go.etcd.io/bbolt >disk.log 2>&1 || st=$?
report $st disk.log "coracle, TMPDIR on an ext4 disk"
results disk.log >disk.res
diff native.res disk.res | sed -n 's/^> /  differs in coracle: /p' | head -n 20 || true
for log in tmpfs.log disk.log; do
	grep -h -A1 'Error:' "$log" | grep -v -- '^--$' | sed 's/^[[:space:]]*//' | paste - - | sort | uniq -c | sort -rn |
		sed "s|^|  errors in $log: |" | head -n 5
done
