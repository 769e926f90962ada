// Package suite is the module that make test-compat tests packages from:
// its go.mod requires coracle (replaced by this checkout) and, at fixed
// versions, every third-party module of the compatibility suite's list
// (tools/compat/list.go) with their test dependencies, added with
// `go get -t PACKAGE@VERSION`. It is a module of its own so that
// coracle's go.mod does not require them. It has no code.
//
// Host only: never linked into an image.
package suite
