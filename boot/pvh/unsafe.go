package pvh

import "unsafe"

// bytesString views b as a string without copying: before the Go runtime
// runs there is no heap to copy into, and guest memory under b stays put.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
