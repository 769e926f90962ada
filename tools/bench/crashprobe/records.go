package main

import (
	"fmt"
	"hash/crc32"
	"math/rand/v2"
)

// recordSize is the size of one log record, newline included.
const recordSize = 64

// record returns record n of the log named name.
func record(name string, n int) []byte {
	head := fmt.Sprintf("%s %010d", name, n)
	line := fmt.Sprintf("%s %08x", head, crc32.ChecksumIEEE([]byte(head)))
	b := make([]byte, recordSize)
	for i := range b {
		b[i] = '.'
	}
	copy(b, line)
	b[recordSize-1] = '\n'
	return b
}

// intactRecords counts the records at the start of data that are
// exactly records 0, 1, ... of the log named name.
func intactRecords(name string, data []byte) int {
	n := 0
	for len(data) >= recordSize && string(data[:recordSize]) == string(record(name, n)) {
		data = data[recordSize:]
		n++
	}
	return n
}

// fileContent is the content of file r-N (and t-N): 1 to 12 KiB, so that
// some are several blocks, from a generator seeded with N.
func fileContent(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, 1024*(1+n%12)+n%1000)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
