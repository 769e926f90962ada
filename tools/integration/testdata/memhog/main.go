// Memhog allocates memory and keeps it, writing every page, until the VM
// runs out: the Go runtime must then stop it with its own out-of-memory
// report. It imports crypto, as most real programs do, so its image
// carries crypto's 32 MiB zero-initialised DRBG buffer, which in a small
// VM reaches past the end of RAM.
//
// Modes (the first argument):
//
//	big    1 MiB blocks, each a heap allocation of its own
//	small  64-byte objects in a linked list: many spans, GC metadata
//	       grows with the heap
//	limit  allocate nothing; print the runtime's memory limit, every
//	       GOMEMLIMIT entry of the environment and MemTotal
package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
)

type node struct {
	next *node
	pad  [56]byte
}

func main() {
	mode := "big"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	seed := make([]byte, 16)
	rand.Read(seed)
	fmt.Printf("memhog: %s, seed %x\n", mode, seed[:4])
	switch mode {
	case "limit":
		fmt.Printf("memhog: limit %d\n", debug.SetMemoryLimit(-1))
		for _, kv := range os.Environ() {
			if strings.HasPrefix(kv, "GOMEMLIMIT=") {
				fmt.Printf("memhog: env %s\n", kv)
			}
		}
		meminfo, err := os.ReadFile("/proc/meminfo")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		total, _, _ := strings.Cut(string(meminfo), "\n")
		fmt.Printf("memhog: %s\n", strings.Join(strings.Fields(total), " "))
	case "big":
		var keep [][]byte
		for {
			b := make([]byte, 1<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = seed[i%len(seed)] | 1
			}
			keep = append(keep, b)
			fmt.Printf("memhog: %d MiB kept\n", len(keep))
		}
	case "small":
		var head *node
		for n := 1; ; n++ {
			head = &node{next: head}
			head.pad[0] = byte(n)
			if n%(1<<14) == 0 { // every MiB
				fmt.Printf("memhog: %d MiB kept\n", n>>14)
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "memhog: unknown mode %q\n", mode)
		os.Exit(64)
	}
}
