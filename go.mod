module github.com/coracle-os/coracle

go 1.26.3

require (
	golang.org/x/arch v0.32.0
	golang.org/x/exp v0.0.0-20250711185948-6ae5c78190dc
	golang.org/x/sys v0.49.0
	gvisor.dev/gvisor v0.0.0-20260905035102-160fafc42237
)

require (
	github.com/google/btree v1.1.2 // indirect
	github.com/hugelgupf/p9 v0.3.0 // indirect
	github.com/u-root/uio v0.0.0-20230305220412-3e8cd9d6bf63 // indirect
	go.etcd.io/bbolt v1.4.3 // indirect
	golang.org/x/time v0.15.0 // indirect
)
