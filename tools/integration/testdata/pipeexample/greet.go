// Package pipeexample is a package with Examples, for a test binary
// built with go test -c and booted: package testing checks an Example
// by pointing os.Stdout at an os.Pipe while it runs.
package pipeexample

// Greet returns a greeting for name.
func Greet(name string) string { return "hello, " + name }
