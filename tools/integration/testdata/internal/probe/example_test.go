package probe

import "syscall"

func ExampleP_Say() {
	p := P("fsprobe")
	p.Say("open a missing file", Errno(syscall.ENOENT))
	p.Say("two values", 1, 2)
	p.Say("a string and a number", "n", 3)
	// Output:
	// fsprobe: open a missing file: ENOENT
	// fsprobe: two values: 1 2
	// fsprobe: a string and a number: n3
}

func ExampleP_Printf() {
	P("procprobe").Printf("comm is the program's name: %v", true)
	// Output: procprobe: comm is the program's name: true
}
