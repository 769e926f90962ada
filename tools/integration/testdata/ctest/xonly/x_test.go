// Package xonly_test is a directory with only an external test package.
package xonly_test

import (
	"strings"
	"testing"
)

func TestUpper(t *testing.T) {
	if got := strings.ToUpper("go"); got != "GO" {
		t.Fatalf("ToUpper(go) = %q", got)
	}
}
