// Hello is coracle's first example: an ordinary Go program that knows
// nothing of coracle. `coracle build ./examples/hello` turns it into a
// bootable image.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Printf("hello from %s/%s, Go %s\n", runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Printf("args %q\n", os.Args[1:])
}
