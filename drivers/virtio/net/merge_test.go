package virtionet

import (
	"bytes"
	"encoding/binary"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// spread lays frame out in receive buffers the way a device with
// mergeable buffers does (§5.1.6.4): a 12-byte header with flags,
// csum_start, csum_offset and num_buffers, then the frame, every buffer
// but the last full.
func spread(frame []byte, flags uint8, start, offset uint16) [][]byte {
	data := append(make([]byte, modernHeaderSize), frame...)
	var bufs [][]byte
	for len(data) > 0 {
		n := min(len(data), bufferSize)
		bufs = append(bufs, data[:n])
		data = data[n:]
	}
	h := bufs[0]
	h[hdrFlags] = flags
	binary.LittleEndian.PutUint16(h[hdrCsumStart:], start)
	binary.LittleEndian.PutUint16(h[hdrCsumOffset:], offset)
	binary.LittleEndian.PutUint16(h[hdrNumBuffers:], uint16(len(bufs)))
	return bufs
}

// numBuffers rewrites the num_buffers of the frame in bufs.
func numBuffers(bufs [][]byte, n int) [][]byte {
	binary.LittleEndian.PutUint16(bufs[0][hdrNumBuffers:], uint16(n))
	return bufs
}

// frameOf returns n bytes that differ from one frame (seed) to the next.
func frameOf(n int, seed byte) []byte {
	f := make([]byte, n)
	for i := range f {
		f[i] = byte(i*7) + seed
	}
	return f
}

func join(bufs ...[][]byte) [][]byte {
	var all [][]byte
	for _, b := range bufs {
		all = append(all, b...)
	}
	return all
}

// run feeds a the steps in turn, each a used buffer or, nil, the used
// ring running dry, and returns the frames it completed.
func run(a *assembler, steps [][]byte) [][]byte {
	var got [][]byte
	for _, s := range steps {
		if s == nil {
			a.abort()
			continue
		}
		if f, ok := a.add(s); ok {
			got = append(got, bytes.Clone(f))
		}
	}
	return got
}

func TestAssemble(t *testing.T) {
	small, mid, big := frameOf(60, 1), frameOf(5000, 2), frameOf(MaxRxFrame, 3)
	full := frameOf(bufferSize-modernHeaderSize, 4)
	shortMiddle := spread(mid, 0, 0, 0)
	shortMiddle[1] = shortMiddle[1][:100]
	shortFirst := spread(mid, 0, 0, 0)
	shortFirst[0] = shortFirst[0][:1000]
	for _, c := range []struct {
		name    string
		steps   [][]byte
		want    [][]byte
		dropped uint64
	}{
		{"one buffer", spread(small, 0, 0, 0), [][]byte{small}, 0},
		{"a full buffer", spread(full, 0, 0, 0), [][]byte{full}, 0},
		{"three buffers", spread(mid, 0, 0, 0), [][]byte{mid}, 0},
		{"the largest frame", spread(big, 0, 0, 0), [][]byte{big}, 0},
		{"one after another",
			join(spread(mid, 0, 0, 0), spread(small, 0, 0, 0), spread(big, 0, 0, 0), spread(mid, 0, 0, 0)),
			[][]byte{mid, small, big, mid}, 0},
		{"header only", join(spread(nil, 0, 0, 0), spread(small, 0, 0, 0)), [][]byte{small}, 0},
		{"the ring runs dry between frames", join(spread(mid, 0, 0, 0), [][]byte{nil}, spread(small, 0, 0, 0)), [][]byte{mid, small}, 0},

		// A device that breaks the rules loses frames, and the
		// assembler finds the next one.
		{"shorter than a header", join([][]byte{make([]byte, modernHeaderSize-1)}, spread(small, 0, 0, 0)), [][]byte{small}, 1},
		{"num_buffers 0", join(numBuffers(spread(small, 0, 0, 0), 0), spread(small, 0, 0, 0)), [][]byte{small}, 1},
		{"num_buffers too large", join(numBuffers(spread(small, 0, 0, 0), maxRxBuffers+1), spread(mid, 0, 0, 0)), [][]byte{mid}, 1},
		{"fewer buffers than num_buffers", join(numBuffers(spread(mid, 0, 0, 0), 4), [][]byte{nil}, spread(small, 0, 0, 0)), [][]byte{small}, 1},
		{"a buffer short in the middle", join(shortMiddle, spread(small, 0, 0, 0)), [][]byte{small}, 1},
		{"the first of several buffers short", join(shortFirst, spread(small, 0, 0, 0)), [][]byte{small}, 1},
		{"a buffer too long", join([][]byte{append(spread(mid, 0, 0, 0)[0], 0)}, spread(mid, 0, 0, 0)[1:], spread(small, 0, 0, 0)), [][]byte{small}, 1},
	} {
		a := newAssembler(modernHeaderSize, bufferSize, true)
		got := run(a, c.steps)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d frames, want %d", c.name, len(got), len(c.want))
		} else {
			for i := range got {
				if !bytes.Equal(got[i], c.want[i]) {
					t.Errorf("%s: frame %d differs (%d bytes, want %d)", c.name, i, len(got[i]), len(c.want[i]))
				}
			}
		}
		if a.dropped != c.dropped || a.missing != 0 || a.bad {
			t.Errorf("%s: dropped %d, missing %d, bad %v; want %d, 0, false", c.name, a.dropped, a.missing, a.bad, c.dropped)
		}
	}
}

// Without mergeable buffers every buffer holds a frame, after a 10-byte
// header (legacy) or a 12-byte one whose num_buffers means nothing.
func TestAssembleSingle(t *testing.T) {
	f := frameOf(1514, 5)
	legacy := newAssembler(legacyHeaderSize, bufferSize, false)
	if got := run(legacy, [][]byte{append(make([]byte, legacyHeaderSize), f...)}); len(got) != 1 || !bytes.Equal(got[0], f) {
		t.Errorf("legacy: got %d frames", len(got))
	}
	modern := newAssembler(modernHeaderSize, bufferSize, false)
	if got := run(modern, numBuffers(spread(f, 0, 0, 0), 5)); len(got) != 1 || !bytes.Equal(got[0], f) {
		t.Errorf("modern: got %d frames", len(got))
	}
	if legacy.buf != nil || modern.buf != nil {
		t.Error("a reassembly buffer without mergeable buffers")
	}
}

// Partial checksums are finished over the whole reassembled frame; a
// checked one (DATA_VALID), or one whose csum_ fields are counts
// (RSC_INFO), is left alone.
func TestAssembleChecksum(t *testing.T) {
	for _, n := range []int{100, 5000, 65000} {
		frame, start, offset := partialFrame(false, header.TCPProtocolNumber, frameOf(n, 6))
		want := bytes.Clone(frame)
		if !finishChecksum(want, start, offset) {
			t.Fatal("finishChecksum refused")
		}
		for _, c := range []struct {
			flags uint8
			want  []byte
		}{
			{VIRTIO_NET_HDR_F_NEEDS_CSUM, want},
			{VIRTIO_NET_HDR_F_DATA_VALID, frame},
			{VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_RSC_INFO, frame},
		} {
			a := newAssembler(modernHeaderSize, bufferSize, true)
			got := run(a, spread(frame, c.flags, start, offset))
			if len(got) != 1 || !bytes.Equal(got[0], c.want) {
				t.Errorf("%d bytes, flags %#x: got %d frames, or the wrong one", n, c.flags, len(got))
			}
		}
		if !valid(t, want, false, header.TCPProtocolNumber) {
			t.Errorf("%d bytes: checksum not valid", n)
		}
	}
	a := newAssembler(modernHeaderSize, bufferSize, true)
	if got := run(a, spread(frameOf(100, 7), VIRTIO_NET_HDR_F_NEEDS_CSUM, 90, 9)); len(got) != 0 || a.dropped != 1 {
		t.Errorf("a checksum field beyond the frame: %d frames, %d dropped; want 0, 1", len(got), a.dropped)
	}
}

// Whatever the device writes, the assembler neither panics nor keeps
// more than a frame's worth, and every frame it returns fits.
func FuzzAssemble(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 34, 0, 16, 0, 3, 0}, uint16(2048), uint8(5))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0}, uint16(2000), uint8(50))
	f.Fuzz(func(t *testing.T, hdr []byte, size uint16, count uint8) {
		a := newAssembler(modernHeaderSize, bufferSize, true)
		for i := range int(count) {
			n := int(size)%(bufferSize+1) - i%3
			b := make([]byte, max(n, 0))
			copy(b, hdr)
			if i%7 == 6 {
				a.abort()
				continue
			}
			frame, ok := a.add(b)
			if ok && (len(frame) == 0 || len(frame) > maxRxBuffers*bufferSize-modernHeaderSize) {
				t.Fatalf("a frame of %d bytes", len(frame))
			}
			if a.n > len(a.buf) || a.missing >= maxRxBuffers {
				t.Fatalf("n %d, missing %d", a.n, a.missing)
			}
		}
	})
}
