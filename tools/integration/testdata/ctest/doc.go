// Package ctest holds the packages whose tests TestCoracleTest runs with
// coracle test and natively with go test, to compare the two.
package ctest
