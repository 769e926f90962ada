package pipe

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// testMem is page memory for tests: pages named by made-up addresses.
type testMem map[uint64]*[PageSize]byte

func (m testMem) Page(pa uint64) *[PageSize]byte { return m[pa] }

// newPipe returns a pipe whose pages are scattered out of order, so a
// copy that ignored the page list would be caught.
func newPipe() (*Pipe, testMem) {
	mem := testMem{}
	var pages [Pages]uint64
	for i := range pages {
		pa := uint64(0x100000 + (Pages-1-i)*3*PageSize)
		pages[i] = pa
		mem[pa] = new([PageSize]byte)
	}
	p := new(Pipe)
	p.Init(&pages)
	return p, mem
}

// write does what the kernel does for a write of b: ask, then copy.
func write(p *Pipe, mem Memory, b []byte) (int, Result) {
	k, r := p.CanWrite(len(b))
	if r != OK {
		return 0, r
	}
	if n := p.Put(mem, b[:k]); n != k {
		panic("Put took less than CanWrite allowed")
	}
	return k, OK
}

// read does what the kernel does for a read of up to n bytes.
func read(p *Pipe, mem Memory, n int) ([]byte, Result) {
	if r := p.CanRead(); r != OK {
		return nil, r
	}
	b := make([]byte, n)
	return b[:p.Take(mem, b)], OK
}

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + seed + i/251)
	}
	return b
}

func TestFreshPipe(t *testing.T) {
	p, _ := newPipe()
	if !p.InUse() || p.Len() != 0 || p.Free() != Capacity || p.Readers() != 1 || p.Writers() != 1 {
		t.Fatalf("fresh pipe: inuse %v len %d free %d ends %d/%d", p.InUse(), p.Len(), p.Free(), p.Readers(), p.Writers())
	}
	if r := p.CanRead(); r != WouldBlock {
		t.Errorf("read of an empty pipe with a writer: %v, want WouldBlock", r)
	}
	if ev := p.ReadEvents(); ev != 0 {
		t.Errorf("read events %#x, want 0", ev)
	}
	if ev := p.WriteEvents(); ev != linux.EPOLLOUT {
		t.Errorf("write events %#x, want EPOLLOUT", ev)
	}
	if Capacity != 64<<10 || Atomic != 4096 {
		t.Errorf("capacity %d, PIPE_BUF %d", Capacity, Atomic)
	}
}

func TestReadTakesWhatIsThere(t *testing.T) {
	p, mem := newPipe()
	data := pattern(10000, 1)
	if n, r := write(p, mem, data); n != len(data) || r != OK {
		t.Fatalf("write: %d %v", n, r)
	}
	if ev := p.ReadEvents(); ev != linux.EPOLLIN {
		t.Errorf("read events %#x, want EPOLLIN", ev)
	}
	got, _ := read(p, mem, 3000)
	rest, _ := read(p, mem, 20000) // more than there is: what is there
	if !bytes.Equal(append(got, rest...), data) || len(got) != 3000 || len(rest) != 7000 {
		t.Errorf("read back %d+%d bytes, not what was written", len(got), len(rest))
	}
	if r := p.CanRead(); r != WouldBlock {
		t.Errorf("drained pipe: %v, want WouldBlock", r)
	}
	if p.ReadEvents() != 0 {
		t.Errorf("drained pipe still readable")
	}
}

func TestWrapAround(t *testing.T) {
	p, mem := newPipe()
	var all, back []byte
	// Chunk sizes that are not page multiples walk the ring's start
	// through every page offset and across the end many times.
	for i := range 200 {
		n := 1 + (i*4099)%Capacity
		data := pattern(min(n, p.Free()), i)
		k, r := write(p, mem, data)
		if r != OK && len(data) > 0 {
			t.Fatalf("round %d: write of %d into %d free: %v", i, len(data), p.Free(), r)
		}
		all = append(all, data[:k]...)
		got, _ := read(p, mem, (i*5003)%Capacity+1)
		back = append(back, got...)
	}
	for p.Len() > 0 {
		got, _ := read(p, mem, 777)
		back = append(back, got...)
	}
	if !bytes.Equal(all, back) {
		t.Fatalf("%d bytes written, %d read, contents differ", len(all), len(back))
	}
	if len(all) < 4*Capacity {
		t.Fatalf("only %d bytes went through: the ring did not wrap often", len(all))
	}
}

// fillTo leaves exactly free bytes of room in p.
func fillTo(t *testing.T, p *Pipe, mem Memory, free int) {
	t.Helper()
	if n, r := write(p, mem, make([]byte, p.Free()-free)); r != OK && p.Free() != free {
		t.Fatalf("fill: %d %v", n, r)
	}
	if p.Free() != free {
		t.Fatalf("free %d, want %d", p.Free(), free)
	}
}

func TestAtomicWrites(t *testing.T) {
	cases := []struct {
		free, n int
		want    int
		r       Result
	}{
		{free: Atomic, n: Atomic, want: Atomic, r: OK},            // exactly PIPE_BUF fits whole
		{free: Atomic - 1, n: Atomic, want: 0, r: WouldBlock},     // PIPE_BUF is never split
		{free: 100, n: 101, want: 0, r: WouldBlock},               // nor is anything smaller
		{free: 100, n: 100, want: 100, r: OK},                     // a small write that fits
		{free: Atomic, n: Atomic + 1, want: Atomic, r: OK},        // PIPE_BUF+1 may be split
		{free: Atomic - 1, n: Atomic + 1, want: 0, r: WouldBlock}, // once a page is free
		{free: Atomic + 1, n: Atomic + 1, want: Atomic + 1, r: OK},
		{free: 10000, n: 70000, want: 10000, r: OK},
		{free: 0, n: 1, want: 0, r: WouldBlock},
		{free: 0, n: Capacity + 1, want: 0, r: WouldBlock},
		{free: Capacity, n: Capacity + 1, want: Capacity, r: OK},
	}
	for _, c := range cases {
		p, mem := newPipe()
		fillTo(t, p, mem, c.free)
		before := p.Len()
		n, r := write(p, mem, pattern(c.n, 3))
		if n != c.want || r != c.r {
			t.Errorf("write %d with %d free: %d %v, want %d %v", c.n, c.free, n, r, c.want, c.r)
		}
		if p.Len() != before+n {
			t.Errorf("write %d with %d free: buffered %d -> %d", c.n, c.free, before, p.Len())
		}
	}
}

func TestWritableNeedsAPage(t *testing.T) {
	p, mem := newPipe()
	fillTo(t, p, mem, Atomic)
	if p.WriteEvents() != linux.EPOLLOUT {
		t.Errorf("%d free: write events %#x, want EPOLLOUT", Atomic, p.WriteEvents())
	}
	write(p, mem, []byte{1})
	if p.WriteEvents() != 0 {
		t.Errorf("%d free: write events %#x, want none", Atomic-1, p.WriteEvents())
	}
	read(p, mem, 1)
	if p.WriteEvents() != linux.EPOLLOUT {
		t.Errorf("a read freeing a page: write events %#x, want EPOLLOUT", p.WriteEvents())
	}
}

func TestEOFAfterLastWriter(t *testing.T) {
	p, mem := newPipe()
	p.AddWriter() // a dup of the write end
	data := pattern(5000, 9)
	write(p, mem, data)
	if p.CloseWriter() {
		t.Fatal("closing one of two write ends released the pipe")
	}
	if p.ReadEvents() != linux.EPOLLIN {
		t.Errorf("one writer left: read events %#x, want EPOLLIN", p.ReadEvents())
	}
	if p.CloseWriter() {
		t.Fatal("closing the last writer released a pipe with a reader")
	}
	if ev := p.ReadEvents(); ev != linux.EPOLLIN|linux.EPOLLHUP {
		t.Errorf("no writer, data buffered: read events %#x, want EPOLLIN|EPOLLHUP", ev)
	}
	got, r := read(p, mem, len(data)+1)
	if r != OK || !bytes.Equal(got, data) {
		t.Fatalf("buffered data after the writer closed: %d bytes, %v", len(got), r)
	}
	if r := p.CanRead(); r != EOF {
		t.Errorf("empty, no writer: %v, want EOF", r)
	}
	if ev := p.ReadEvents(); ev != linux.EPOLLHUP {
		t.Errorf("at EOF: read events %#x, want EPOLLHUP", ev)
	}
	if !p.CloseReader() || p.InUse() {
		t.Error("closing the last end did not release the pipe")
	}
	if p.CloseReader() || p.CloseWriter() {
		t.Error("a released pipe was released again")
	}
}

func TestBrokenPipe(t *testing.T) {
	p, mem := newPipe()
	p.AddReader()
	p.CloseReader()
	if _, r := write(p, mem, []byte("x")); r != OK {
		t.Fatalf("one reader left: %v", r)
	}
	if p.CloseReader() {
		t.Fatal("closing the last reader released a pipe with a writer")
	}
	for _, n := range []int{1, Atomic, Atomic + 1, 2 * Capacity} {
		if k, r := p.CanWrite(n); r != Broken || k != 0 {
			t.Errorf("write %d with no reader: %d %v, want Broken", n, k, r)
		}
	}
	if ev := p.WriteEvents(); ev != linux.EPOLLOUT|linux.EPOLLERR {
		t.Errorf("no reader: write events %#x, want EPOLLOUT|EPOLLERR", ev)
	}
	fillTo(t, p, mem, p.Free()) // nothing changes
	if !p.CloseWriter() {
		t.Error("closing the last end did not release the pipe")
	}
}

func TestFullPipeBrokenBeatsWouldBlock(t *testing.T) {
	p, mem := newPipe()
	fillTo(t, p, mem, 0)
	p.CloseReader()
	if _, r := p.CanWrite(1); r != Broken {
		t.Errorf("full pipe, no reader: %v, want Broken", r)
	}
	if ev := p.WriteEvents(); ev != linux.EPOLLERR {
		t.Errorf("full pipe, no reader: write events %#x, want EPOLLERR", ev)
	}
}

func TestNoAllocation(t *testing.T) {
	p, mem := newPipe()
	var m Memory = mem
	b := make([]byte, 3*PageSize+5)
	allocs := testing.AllocsPerRun(100, func() {
		if k, r := p.CanWrite(len(b)); r == OK {
			p.Put(m, b[:k])
		}
		p.CanRead()
		p.Take(m, b)
		p.ReadEvents()
		p.WriteEvents()
		p.AddReader()
		p.CloseReader()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

// model is a pipe as the simplest code says it: a byte slice and counts.
type model struct {
	buf              []byte
	readers, writers int
}

func (m *model) write(b []byte) (int, Result) {
	free := Capacity - len(m.buf)
	switch {
	case m.readers == 0:
		return 0, Broken
	case len(b) <= free:
		m.buf = append(m.buf, b...)
		return len(b), OK
	case len(b) <= Atomic || free < Atomic:
		return 0, WouldBlock
	}
	m.buf = append(m.buf, b[:free]...)
	return free, OK
}

func (m *model) read(n int) ([]byte, Result) {
	if len(m.buf) == 0 {
		if m.writers == 0 {
			return nil, EOF
		}
		return nil, WouldBlock
	}
	k := min(n, len(m.buf))
	got := append([]byte(nil), m.buf[:k]...)
	m.buf = m.buf[k:]
	return got, OK
}

func (m *model) events() (rd, wr uint32) {
	if len(m.buf) > 0 {
		rd |= linux.EPOLLIN
	}
	if m.writers == 0 {
		rd |= linux.EPOLLHUP
	}
	if Capacity-len(m.buf) >= Atomic {
		wr |= linux.EPOLLOUT
	}
	if m.readers == 0 {
		wr |= linux.EPOLLERR
	}
	return rd, wr
}

func TestAgainstModel(t *testing.T) {
	source := pattern(2*Capacity+251, 5)
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 17))
		p, mem := newPipe()
		m := &model{readers: 1, writers: 1}
		sizes := []int{1, 7, Atomic - 1, Atomic, Atomic + 1, PageSize * 3, Capacity - 1, Capacity, Capacity + 1}
		for step := range 2000 {
			size := sizes[rng.IntN(len(sizes))]
			if rng.IntN(2) == 0 {
				size = 1 + rng.IntN(2*Capacity)
			}
			switch op := rng.IntN(20); {
			case op < 9:
				data := source[step%251:][:size]
				n, r := write(p, mem, data)
				mn, mr := m.write(data)
				if n != mn || r != mr {
					t.Fatalf("seed %d step %d: write %d (%d buffered, ends %d/%d): %d %v, model %d %v", seed, step, size, len(m.buf), m.readers, m.writers, n, r, mn, mr)
				}
			case op < 18:
				got, r := read(p, mem, size)
				want, mr := m.read(size)
				if r != mr || !bytes.Equal(got, want) {
					t.Fatalf("seed %d step %d: read %d: %d bytes %v, model %d bytes %v", seed, step, size, len(got), r, len(want), mr)
				}
			case op == 18 && rng.IntN(5) == 0:
				// A dup of the write end, or a close of one that
				// leaves the pipe in use (a read end remains).
				switch {
				case m.writers > 0 && rng.IntN(2) == 0:
					m.writers++
					p.AddWriter()
				case m.writers > 0 && m.readers > 0:
					m.writers--
					if p.CloseWriter() {
						t.Fatalf("seed %d step %d: released with a reader", seed, step)
					}
				}
			case op == 19 && rng.IntN(5) == 0:
				switch {
				case m.readers > 0 && rng.IntN(2) == 0:
					m.readers++
					p.AddReader()
				case m.readers > 0 && m.writers > 0:
					m.readers--
					if p.CloseReader() {
						t.Fatalf("seed %d step %d: released with a writer", seed, step)
					}
				}
			}
			rd, wr := m.events()
			if p.ReadEvents() != rd || p.WriteEvents() != wr || p.Len() != len(m.buf) {
				t.Fatalf("seed %d step %d: events %#x/%#x len %d, model %#x/%#x len %d", seed, step, p.ReadEvents(), p.WriteEvents(), p.Len(), rd, wr, len(m.buf))
			}
		}
	}
}
