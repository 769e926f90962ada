package virtionet

import (
	"bytes"
	"testing"
)

// TestTxChunksSpreadsAFrameOverItsSlots checks that a frame written in
// parts of any size lands in its slots in order, each filled before the
// next, whatever order the slots have in memory.
func TestTxChunksSpreadsAFrameOverItsSlots(t *testing.T) {
	mem := make([]byte, 4*bufferSize)
	frame := make([]byte, 2*bufferSize+100)
	for i := range frame {
		frame[i] = byte(i * 7)
	}
	slots := []uint16{3, 0, 2}
	for _, cut := range []int{1, 13, bufferSize - 12, bufferSize, bufferSize + 1, len(frame)} {
		clear(mem)
		c := txChunks{mem: mem, slots: slots, off: modernHeaderSize}
		rest := frame
		for len(rest) > 0 {
			m := min(cut, len(rest))
			c.write(rest[:m])
			rest = rest[m:]
		}
		var got []byte
		got = append(got, mem[3*bufferSize+modernHeaderSize:4*bufferSize]...)
		got = append(got, mem[0:bufferSize]...)
		got = append(got, mem[2*bufferSize:2*bufferSize+c.off]...)
		if c.i != 2 || !bytes.Equal(got, frame) {
			t.Fatalf("parts of %d: ended in slot %d at %d; frame copied wrongly", cut, c.i, c.off)
		}
		if want := modernHeaderSize + len(frame) - 2*bufferSize; c.off != want {
			t.Fatalf("parts of %d: last slot holds %d bytes, want %d", cut, c.off, want)
		}
		if !bytes.Equal(mem[bufferSize:2*bufferSize], make([]byte, bufferSize)) {
			t.Fatalf("parts of %d: a slot not in the chain was written", cut)
		}
	}
}
