// Command gdbprobe is the program the gdb integration test debugs:
// main.main calls a function that is not inlined and keeps a local
// variable with a known value, which the test reads with gdb's print.
package main

import "fmt"

// product multiplies; it is not inlined so that gdb can step into it.
//
//go:noinline
func product(a, b int) int {
	p := a * b
	return p
}

func main() {
	answer := product(6, 7)
	fmt.Println("gdbprobe: answer is", answer)
}
