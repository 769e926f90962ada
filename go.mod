module github.com/coracle-os/coracle

go 1.26
