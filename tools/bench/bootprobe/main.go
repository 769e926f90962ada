// Command bootprobe is the guest program of the boot benchmark
// (tools/bench/boot): its main prints one line, "main: ready", and
// returns. The benchmark times QEMU from its exec to that line on the
// serial console, with bootprobe built into a coracle image and, for
// comparison, as the /init of a Linux microVM.
//
// It is an ordinary Go program: nothing in it knows about coracle.
package main

import "fmt"

func main() {
	fmt.Println("main: ready")
}
