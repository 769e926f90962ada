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

type walker interface{ walk() }
type mounter interface{ mount() bool }
type tree struct{}

func (tree) walk()       {}
func (tree) mount() bool { return true }

var someTree walker = tree{}

// assertsInterface converts one interface to another: the runtime looks
// the method table up in a cache it locks, and builds it on a miss.
//
//go:noinline
func assertsInterface(w walker) bool {
	m, ok := w.(mounter)
	return ok && m.mount()
}

//go:noinline
func root() {
	allocates()
	growsStack(3)
	var x int
	writesPointer(&x)
	clean(1, 2)
	assertsInterface(someTree)
}

func main() { root() }
