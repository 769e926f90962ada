// Package fail has one passing and one failing test.
package fail

import "testing"

func TestPasses(t *testing.T) {}

func TestFails(t *testing.T) {
	t.Errorf("got %d, want %d", 2, 1)
}
