// Package compat runs the compatibility suite: the test suites of widely
// used third-party modules and of standard library packages (List), each
// with `go test -short -json` natively and with `coracle test` in a
// guest, and compares the verdicts in a table (docs/compat.md; make
// test-compat runs it through tools/cmd/compat). The modules' versions
// are in the separate module tools/compat/suite, so that coracle's own
// go.mod does not require them.
//
// Host only: never linked into an image.
package compat
