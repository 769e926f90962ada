package pipeexample

import (
	"fmt"
	"strings"
)

func ExampleGreet() {
	fmt.Println(Greet("pipe"))
	fmt.Println(strings.Repeat("x", 70_000)[:10]) // a second write
	// Output:
	// hello, pipe
	// xxxxxxxxxx
}

// ExampleGreet_large prints more than a pipe holds before its last
// line (testing trims the blank space around the output): testing's
// reader goroutine must drain the pipe while the example writes.
func ExampleGreet_large() {
	for range 2000 {
		fmt.Println(strings.Repeat(" ", 60))
	}
	fmt.Println(Greet("large"))
	// Output:
	// hello, large
}

// ExampleGreet_mismatch prints what its Output comment does not say:
// the test binary, run for it alone, must report the difference, which
// shows the output was captured and compared.
func ExampleGreet_mismatch() {
	fmt.Println(Greet("world"))
	// Output:
	// goodbye, world
}
