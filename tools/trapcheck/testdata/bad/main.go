// Command bad breaks each trap-context rule once, for trapcheck's tests.
package main

var sink *int
var sinkSlice []byte

//go:noinline
func allocates() { sink = new(int) }

//go:noinline
func growsStack(n int) int {
	var buf [256]byte
	buf[n%256] = 1
	if n > 0 {
		return growsStack(n-1) + int(buf[0])
	}
	return 0
}

//go:noinline
func writesPointer(p *int) { sink = p }

//go:nosplit
//go:noinline
func clean(a, b int) int { return a*b + 1 }

//go:noinline
func root() {
	allocates()
	growsStack(3)
	var x int
	writesPointer(&x)
	clean(1, 2)
}

func main() { root() }
