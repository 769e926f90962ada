package virtioblk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coracle-os/coracle/drivers/virtio"
)

// opts describe the device a test runs against.
type opts struct {
	legacy    bool
	queue     uint16 // the device's maximum queue size; 256 if 0
	sectors   int64  // capacity; 16 MiB if 0
	features  uint64 // offered, besides VERSION_1
	sizeMax   uint32
	segMax    uint32
	blkSize   uint32
	topology  Topology
	maxRange  uint32 // max_discard_sectors and max_write_zeroes_sectors
	configure func(m *model)
}

// rig is an open driver with a model device behind it.
type rig struct {
	d  *Device
	m  *model
	tr *fakeTransport
}

func newRig(t *testing.T, o opts) *rig {
	t.Helper()
	if o.queue == 0 {
		o.queue = 256
	}
	if o.sectors == 0 {
		o.sectors = 16 << 20 / SectorSize
	}
	tr := newFakeTransport(o.legacy, o.features, o.queue)
	tr.cfg.update(func(b []byte) {
		binary.LittleEndian.PutUint64(b[configCapacity:], uint64(o.sectors))
		binary.LittleEndian.PutUint32(b[configSizeMax:], o.sizeMax)
		binary.LittleEndian.PutUint32(b[configSegMax:], o.segMax)
		binary.LittleEndian.PutUint32(b[configBlkSize:], o.blkSize)
		b[configPhysicalBlockExp] = o.topology.PhysicalBlockExp
		b[configAlignmentOffset] = o.topology.AlignmentOffset
		binary.LittleEndian.PutUint16(b[configMinIOSize:], o.topology.MinIOSize)
		binary.LittleEndian.PutUint32(b[configOptIOSize:], o.topology.OptIOSize)
		binary.LittleEndian.PutUint32(b[configMaxDiscardSectors:], o.maxRange)
		binary.LittleEndian.PutUint32(b[configMaxDiscardSeg:], 1)
		binary.LittleEndian.PutUint32(b[configMaxZeroesSectors:], o.maxRange)
		binary.LittleEndian.PutUint32(b[configMaxZeroesSeg:], 1)
	})
	a := newArena()
	m := newModel(tr, a, o.sectors)
	m.ro = o.features&(1<<VIRTIO_BLK_F_RO) != 0
	m.cache = o.features&(1<<VIRTIO_BLK_F_FLUSH) != 0
	if o.features&(1<<VIRTIO_BLK_F_SIZE_MAX) != 0 {
		m.sizeMax = o.sizeMax
	}
	if o.features&(1<<VIRTIO_BLK_F_SEG_MAX) != 0 {
		m.segMax = o.segMax
	}
	if o.features&(1<<VIRTIO_BLK_F_BLK_SIZE) != 0 {
		m.blockSize = int64(o.blkSize)
	}
	if o.configure != nil {
		o.configure(m)
	}
	m.start()
	d, err := open(virtio.Device{Type: virtio.Block, Transport: tr, IRQ: 5}, Interrupts{}, a)
	if err != nil {
		m.shutdown()
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		m.with(func() { m.hold = false })
		m.release()
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		m.shutdown()
		m.check(t)
	})
	return &rig{d: d, m: m, tr: tr}
}

// allFeatures are the features the driver takes, all offered.
const allFeatures = supported

func random(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func TestOpen(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			top := Topology{PhysicalBlockExp: 3, AlignmentOffset: 1, MinIOSize: 8, OptIOSize: 256}
			offered := uint64(allFeatures | 1<<VIRTIO_BLK_F_GEOMETRY | 1<<VIRTIO_BLK_F_MQ | 1<<VIRTIO_BLK_F_CONFIG_WCE)
			g := newRig(t, opts{legacy: legacy, sectors: 1 << 17, features: offered, blkSize: 4096, topology: top})
			d := g.d
			if got := d.Capacity(); got != 64<<20 {
				t.Errorf("Capacity = %d, want %d", got, 64<<20)
			}
			if got := d.BlockSize(); got != 4096 {
				t.Errorf("BlockSize = %d, want 4096", got)
			}
			if !d.ReadOnly() || !d.CanFlush() || !d.CanDiscard() || !d.CanWriteZeroes() {
				t.Errorf("ReadOnly %v CanFlush %v CanDiscard %v CanWriteZeroes %v, want all true", d.ReadOnly(), d.CanFlush(), d.CanDiscard(), d.CanWriteZeroes())
			}
			if got, ok := d.Topology(); !ok || got != top {
				t.Errorf("Topology = %+v, %v; want %+v", got, ok, top)
			}
			f := d.Features()
			for _, bit := range []int{VIRTIO_BLK_F_GEOMETRY, VIRTIO_BLK_F_MQ, VIRTIO_BLK_F_CONFIG_WCE} {
				if f&(1<<bit) != 0 {
					t.Errorf("feature %d accepted: %#x", bit, f)
				}
			}
			if f&allFeatures != allFeatures {
				t.Errorf("features %#x, want all of %#x", f, uint64(allFeatures))
			}
			if s := d.String(); !strings.Contains(s, "67108864 bytes, 4096-byte blocks, read-only, flush, discard, write-zeroes") {
				t.Errorf("String = %q", s)
			}
			if st := g.tr.Status(); st&(1<<virtio.STATUS_DRIVER_OK) == 0 {
				t.Errorf("status %#x: DRIVER_OK not set", st)
			}
		})
	}
}

func TestOpenNothingOffered(t *testing.T) {
	g := newRig(t, opts{sectors: 2048})
	d := g.d
	if d.BlockSize() != SectorSize || d.ReadOnly() || d.CanFlush() || d.CanDiscard() || d.CanWriteZeroes() {
		t.Errorf("BlockSize %d ReadOnly %v CanFlush %v CanDiscard %v CanWriteZeroes %v", d.BlockSize(), d.ReadOnly(), d.CanFlush(), d.CanDiscard(), d.CanWriteZeroes())
	}
	if _, ok := d.Topology(); ok {
		t.Error("Topology reported without VIRTIO_BLK_F_TOPOLOGY")
	}
	if d.MaxTransfer() != MaxTransfer {
		t.Errorf("MaxTransfer = %d, want %d", d.MaxTransfer(), MaxTransfer)
	}
}

func TestOpenRefuses(t *testing.T) {
	for _, c := range []struct {
		name    string
		o       opts
		typ     virtio.DeviceType
		wantErr string
	}{
		{"not a block device", opts{}, virtio.Net, "not a block device"},
		{"block size not a power of two", opts{features: 1 << VIRTIO_BLK_F_BLK_SIZE, blkSize: 1000}, virtio.Block, "block size 1000"},
		{"block size below a sector", opts{features: 1 << VIRTIO_BLK_F_BLK_SIZE, blkSize: 256}, virtio.Block, "block size 256"},
		{"segments too small for a block", opts{features: 1<<VIRTIO_BLK_F_BLK_SIZE | 1<<VIRTIO_BLK_F_SIZE_MAX | 1<<VIRTIO_BLK_F_SEG_MAX, blkSize: 4096, sizeMax: 512, segMax: 2}, virtio.Block, "cannot carry a block"},
		{"queue too small", opts{queue: 2}, virtio.Block, "cannot hold a request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newFakeTransport(false, c.o.features, max(c.o.queue, 1))
			if c.o.queue == 0 {
				tr.maxQueue = 256
			}
			tr.cfg.update(func(b []byte) {
				binary.LittleEndian.PutUint64(b[configCapacity:], 2048)
				binary.LittleEndian.PutUint32(b[configSizeMax:], c.o.sizeMax)
				binary.LittleEndian.PutUint32(b[configSegMax:], c.o.segMax)
				binary.LittleEndian.PutUint32(b[configBlkSize:], c.o.blkSize)
			})
			_, err := open(virtio.Device{Type: c.typ, Transport: tr, IRQ: 5}, Interrupts{}, newArena())
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("open: %v, want an error containing %q", err, c.wantErr)
			}
			if c.typ == virtio.Block && tr.Status()&(1<<virtio.STATUS_FAILED) == 0 {
				t.Errorf("status %#x: FAILED not set", tr.Status())
			}
		})
	}
}

func TestReadWrite(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			g := newRig(t, opts{legacy: legacy, features: 1 << VIRTIO_BLK_F_FLUSH, configure: func(m *model) { m.reorder = true }})
			d := g.d
			want := g.m.snapshot()
			// From one sector to more than all the slots carry at
			// once (32 slots of 64 KiB): one caller then waits for
			// its own requests to free slots.
			for i, c := range []struct{ off, n int64 }{
				{0, 512}, {512, 4096}, {7 * 512, 3 * 512}, {1 << 20, MaxTransfer}, {3 << 20, MaxTransfer + 512},
				{5<<20 + 512, 300 << 10}, {8 << 20, 3 << 20}, {16<<20 - 512, 512},
			} {
				p := random(int64(i), int(c.n))
				if n, err := d.WriteAt(p, c.off); n != len(p) || err != nil {
					t.Fatalf("WriteAt(%d bytes, %d) = %d, %v", c.n, c.off, n, err)
				}
				copy(want[c.off:], p)
				got := make([]byte, c.n)
				if n, err := d.ReadAt(got, c.off); n != len(got) || err != nil {
					t.Fatalf("ReadAt(%d bytes, %d) = %d, %v", c.n, c.off, n, err)
				}
				if !bytes.Equal(got, p) {
					t.Fatalf("ReadAt(%d bytes, %d) returned other data than written", c.n, c.off)
				}
			}
			if !bytes.Equal(g.m.snapshot(), want) {
				t.Error("the device's disk differs from what was written")
			}
			all := make([]byte, len(want))
			if _, err := d.ReadAt(all, 0); err != nil || !bytes.Equal(all, want) {
				t.Errorf("reading the whole disk: %v, equal %v", err, bytes.Equal(all, want))
			}
		})
	}
}

func TestSegments(t *testing.T) {
	g := newRig(t, opts{features: 1<<VIRTIO_BLK_F_SIZE_MAX | 1<<VIRTIO_BLK_F_SEG_MAX, sizeMax: 4096, segMax: 3})
	d := g.d
	if d.MaxTransfer() != 3*4096 {
		t.Fatalf("MaxTransfer = %d, want %d", d.MaxTransfer(), 3*4096)
	}
	p := random(7, 100<<10)
	if _, err := d.WriteAt(p, 4096); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(p))
	if _, err := d.ReadAt(got, 4096); err != nil || !bytes.Equal(got, p) {
		t.Fatalf("ReadAt: %v, equal %v", err, bytes.Equal(got, p))
	}
	g.m.with(func() {
		if g.m.maxSegs != 3 || g.m.maxSegLen != 4096 {
			t.Errorf("requests had up to %d segments of up to %d bytes, want 3 of 4096", g.m.maxSegs, g.m.maxSegLen)
		}
		// 100 KiB in requests of 12 KiB: 9 each way.
		if g.m.count[VIRTIO_BLK_T_OUT] != 9 || g.m.count[VIRTIO_BLK_T_IN] != 9 {
			t.Errorf("%d writes and %d reads, want 9 each", g.m.count[VIRTIO_BLK_T_OUT], g.m.count[VIRTIO_BLK_T_IN])
		}
	})
}

// TestSmallQueue: a queue of 8 descriptors gives two slots of four
// descriptors each, so two data segments per request.
func TestSmallQueue(t *testing.T) {
	g := newRig(t, opts{queue: 8, features: 1 << VIRTIO_BLK_F_SIZE_MAX, sizeMax: 8192})
	if len(g.d.slots) != 2 || g.d.MaxTransfer() != 16384 {
		t.Fatalf("%d slots, MaxTransfer %d; want 2, 16384", len(g.d.slots), g.d.MaxTransfer())
	}
	p := random(3, 256<<10)
	if _, err := g.d.WriteAt(p, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.m.snapshot()[:len(p)], p) {
		t.Error("disk differs from what was written")
	}
}

func TestConcurrent(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			g := newRig(t, opts{legacy: legacy, features: 1 << VIRTIO_BLK_F_SIZE_MAX, sizeMax: 16 << 10, configure: func(m *model) {
				m.reorder = true
				m.maxDelay = 200 * time.Microsecond
			}})
			d := g.d
			const workers = 24
			region := d.Capacity() / workers / 512 * 512
			ops := 60
			if testing.Short() {
				ops = 20
			}
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewSource(int64(w)))
					base := int64(w) * region
					mine := make([]byte, region) // what this worker's region holds
					if _, err := d.ReadAt(mine, base); err != nil {
						errs <- err
						return
					}
					for range ops {
						n := (1 + rng.Int63n(40)) * 4096
						off := rng.Int63n((region-n)/512+1) * 512
						if rng.Intn(2) == 0 {
							p := make([]byte, n)
							rng.Read(p)
							if _, err := d.WriteAt(p, base+off); err != nil {
								errs <- err
								return
							}
							copy(mine[off:], p)
						} else {
							p := make([]byte, n)
							if _, err := d.ReadAt(p, base+off); err != nil {
								errs <- err
								return
							}
							if !bytes.Equal(p, mine[off:off+n]) {
								errs <- fmt.Errorf("worker %d: read %d bytes at %d: other data than written", w, n, off)
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestQueueFull: with every slot's request held by the device, further
// callers wait, and go on when requests complete.
func TestQueueFull(t *testing.T) {
	g := newRig(t, opts{configure: func(m *model) { m.hold = true }})
	d := g.d
	slots := len(d.slots)
	callers := slots + 8
	var returned sync.WaitGroup
	var mu sync.Mutex
	done := 0
	errs := make(chan error, callers)
	for i := range callers {
		returned.Add(1)
		go func() {
			defer returned.Done()
			p := make([]byte, 512)
			_, err := d.ReadAt(p, int64(i)*512)
			if err == nil && !bytes.Equal(p, g.m.snapshot()[i*512:(i+1)*512]) {
				err = fmt.Errorf("caller %d read other data", i)
			}
			errs <- err
			mu.Lock()
			done++
			mu.Unlock()
		}()
	}
	waitFor(t, "the device holds a request from every slot", func() bool { return g.m.heldCount() == slots })
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	if done != 0 || g.m.heldCount() != slots {
		t.Errorf("with %d slots held: %d callers returned, device holds %d", slots, done, g.m.heldCount())
	}
	mu.Unlock()
	g.m.releaseOne()
	waitFor(t, "a waiting caller takes the freed slot", func() bool { return g.m.heldCount() == slots })
	g.m.with(func() { g.m.hold = false })
	g.m.release()
	g.tr.Notify(0) // serve requests made meanwhile
	returned.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestReadOnly(t *testing.T) {
	g := newRig(t, opts{features: 1<<VIRTIO_BLK_F_RO | 1<<VIRTIO_BLK_F_DISCARD | 1<<VIRTIO_BLK_F_WRITE_ZEROES | 1<<VIRTIO_BLK_F_FLUSH})
	d := g.d
	if n, err := d.WriteAt(make([]byte, 512), 0); n != 0 || !errors.Is(err, ErrReadOnly) {
		t.Errorf("WriteAt = %d, %v; want 0, ErrReadOnly", n, err)
	}
	if err := d.Discard(0, 512); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Discard = %v, want ErrReadOnly", err)
	}
	if err := d.WriteZeroes(0, 512); !errors.Is(err, ErrReadOnly) {
		t.Errorf("WriteZeroes = %v, want ErrReadOnly", err)
	}
	p := make([]byte, 4096)
	if _, err := d.ReadAt(p, 0); err != nil || !bytes.Equal(p, g.m.snapshot()[:4096]) {
		t.Errorf("ReadAt: %v", err)
	}
	if err := d.Flush(); err != nil {
		t.Errorf("Flush: %v", err)
	}
	g.m.with(func() {
		if n := g.m.count[VIRTIO_BLK_T_OUT] + g.m.count[VIRTIO_BLK_T_DISCARD] + g.m.count[VIRTIO_BLK_T_WRITE_ZEROES]; n != 0 {
			t.Errorf("the device got %d writing requests", n)
		}
	})
}

func TestUnaligned(t *testing.T) {
	g := newRig(t, opts{sectors: 2048, features: 1<<VIRTIO_BLK_F_BLK_SIZE | 1<<VIRTIO_BLK_F_DISCARD, blkSize: 4096})
	d := g.d
	capacity := d.Capacity()
	for _, c := range []struct {
		n, off int64
		want   error
	}{
		{512, 0, ErrUnaligned},
		{4096, 512, ErrUnaligned},
		{100, 0, ErrUnaligned},
		{4096, -4096, ErrUnaligned},
		{4096, capacity, ErrRange},
		{8192, capacity - 4096, ErrRange},
		{4096, 1 << 62, ErrRange},
	} {
		p := make([]byte, c.n)
		if n, err := d.ReadAt(p, c.off); n != 0 || !errors.Is(err, c.want) {
			t.Errorf("ReadAt(%d bytes, %d) = %d, %v; want 0, %v", c.n, c.off, n, err, c.want)
		}
		if n, err := d.WriteAt(p, c.off); n != 0 || !errors.Is(err, c.want) {
			t.Errorf("WriteAt(%d bytes, %d) = %d, %v; want 0, %v", c.n, c.off, n, err, c.want)
		}
		if err := d.Discard(c.off, c.n); !errors.Is(err, c.want) {
			t.Errorf("Discard(%d, %d) = %v, want %v", c.off, c.n, err, c.want)
		}
	}
	if err := d.Discard(0, -4096); !errors.Is(err, ErrUnaligned) {
		t.Errorf("Discard of a negative length = %v, want ErrUnaligned", err)
	}
	if n, err := d.ReadAt(nil, capacity); n != 0 || err != nil {
		t.Errorf("ReadAt(nothing, at the end) = %d, %v; want 0, nil", n, err)
	}
	g.m.with(func() {
		if len(g.m.count) != 0 {
			t.Errorf("refused requests reached the device: %v", g.m.count)
		}
	})
}

func TestErrors(t *testing.T) {
	g := newRig(t, opts{features: 1<<VIRTIO_BLK_F_DISCARD | 1<<VIRTIO_BLK_F_WRITE_ZEROES})
	d := g.d
	// Sector 300 lies in the third 64 KiB request of a read from 0.
	g.m.with(func() { g.m.failFrom, g.m.failTo = 300, 301 })
	p := make([]byte, 512<<10)
	n, err := d.ReadAt(p, 0)
	if !errors.Is(err, ErrIO) || n != 2*MaxTransfer {
		t.Errorf("ReadAt over a bad sector = %d, %v; want %d, ErrIO", n, err, 2*MaxTransfer)
	}
	if !bytes.Equal(p[:n], g.m.snapshot()[:n]) {
		t.Error("the bytes before the failed request are not the disk's")
	}
	if n, err := d.WriteAt(p, 0); !errors.Is(err, ErrIO) || n != 2*MaxTransfer {
		t.Errorf("WriteAt over a bad sector = %d, %v; want %d, ErrIO", n, err, 2*MaxTransfer)
	}
	if _, err := d.ReadAt(p[:4096], 1<<20); err != nil {
		t.Errorf("ReadAt elsewhere: %v", err)
	}

	g.m.with(func() { g.m.unsupp[VIRTIO_BLK_T_WRITE_ZEROES] = true })
	if err := d.WriteZeroes(0, 4096); !errors.Is(err, ErrUnsupported) {
		t.Errorf("WriteZeroes answered UNSUPP = %v, want ErrUnsupported", err)
	}
	g.m.with(func() { g.m.badStatus = 7 })
	if _, err := d.ReadAt(p[:512], 0); !errors.Is(err, ErrIO) || !strings.Contains(err.Error(), "status 7") {
		t.Errorf("ReadAt answered with status 7 = %v, want ErrIO", err)
	}
	g.m.with(func() { g.m.badStatus = 0 })
	if err := d.Flush(); err != nil {
		t.Errorf("Flush without VIRTIO_BLK_F_FLUSH: %v", err)
	}
	g.m.with(func() {
		if g.m.count[VIRTIO_BLK_T_FLUSH] != 0 {
			t.Errorf("%d flush requests without VIRTIO_BLK_F_FLUSH", g.m.count[VIRTIO_BLK_T_FLUSH])
		}
	})
}

func TestUnsupportedFeatures(t *testing.T) {
	g := newRig(t, opts{})
	if err := g.d.Discard(0, 512); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Discard = %v, want ErrUnsupported", err)
	}
	if err := g.d.WriteZeroes(0, 512); !errors.Is(err, ErrUnsupported) {
		t.Errorf("WriteZeroes = %v, want ErrUnsupported", err)
	}
	g.m.with(func() {
		if len(g.m.count) != 0 {
			t.Errorf("requests reached the device: %v", g.m.count)
		}
	})
}

func TestFlush(t *testing.T) {
	g := newRig(t, opts{features: 1 << VIRTIO_BLK_F_FLUSH})
	d := g.d
	p := random(9, 8192)
	if _, err := d.WriteAt(p, 4096); err != nil {
		t.Fatal(err)
	}
	durable := func() []byte {
		var b []byte
		g.m.with(func() { b = append(b, g.m.durable[4096:4096+8192]...) })
		return b
	}
	if bytes.Equal(durable(), p) {
		t.Fatal("the model made a write durable without a flush")
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(durable(), p) {
		t.Error("the write is not durable after Flush")
	}
	g.m.with(func() {
		if g.m.count[VIRTIO_BLK_T_FLUSH] != 1 {
			t.Errorf("%d flush requests, want 1", g.m.count[VIRTIO_BLK_T_FLUSH])
		}
	})
}

func TestDiscardWriteZeroes(t *testing.T) {
	g := newRig(t, opts{features: 1<<VIRTIO_BLK_F_DISCARD | 1<<VIRTIO_BLK_F_WRITE_ZEROES, maxRange: 16})
	d := g.d
	if err := d.Discard(8192, 64*512); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteZeroes(1<<20, 8*512); err != nil {
		t.Fatal(err)
	}
	disk := g.m.snapshot()
	if !bytes.Equal(disk[8192:8192+64*512], make([]byte, 64*512)) || !bytes.Equal(disk[1<<20:1<<20+4096], make([]byte, 4096)) {
		t.Error("ranges not zeroed")
	}
	if disk[8191] == 0 && disk[8192+64*512] == 0 {
		t.Error("bytes around the range were zeroed too")
	}
	g.m.with(func() {
		want := [][3]uint64{{16, 16, 0}, {32, 16, 0}, {48, 16, 0}, {64, 16, 0}, {2048, 8, 0}}
		got := append([][3]uint64(nil), g.m.ranges...)
		// The four discards may reach the device in any order.
		for i := 0; i < 4; i++ {
			for j := i + 1; j < 4 && j < len(got); j++ {
				if got[j][0] < got[i][0] {
					got[i], got[j] = got[j], got[i]
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ranges %v, want %v", got, want)
		}
		if g.m.count[VIRTIO_BLK_T_DISCARD] != 4 || g.m.count[VIRTIO_BLK_T_WRITE_ZEROES] != 1 {
			t.Errorf("requests %v", g.m.count)
		}
	})
}

// TestInterruptSuppression: requests the device finishes while the
// driver drains the used ring raise no interrupt.
func TestInterruptSuppression(t *testing.T) {
	g := newRig(t, opts{configure: func(m *model) { m.hold = true }})
	d := g.d
	const n = 3
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make([]byte, 512)
			if _, err := d.ReadAt(p, int64(i)*512); err != nil {
				t.Error(err)
			}
		}()
	}
	waitFor(t, "the device holds every request", func() bool { return g.m.heldCount() == n })
	// Inside the driver's next pass, with interrupts off, the device
	// finishes the other two.
	hook := func() {
		if g.m.heldCount() > 0 {
			g.m.release()
		}
	}
	g.tr.onAck.Store(&hook)
	g.m.releaseOne()
	wg.Wait()
	g.tr.onAck.Store(nil)
	g.m.with(func() {
		if g.m.suppressed != n-1 {
			t.Errorf("%d completions without an interrupt, want %d (interrupts: %d)", g.m.suppressed, n-1, g.m.interrupts)
		}
	})
	// Interrupts are on again afterwards.
	g.m.with(func() { g.m.hold = false })
	before := g.m.interrupts
	if _, err := d.ReadAt(make([]byte, 512), 0); err != nil {
		t.Fatal(err)
	}
	g.m.with(func() {
		if g.m.interrupts == before {
			t.Error("no interrupt for a request made after the pass")
		}
	})
}

func TestConfigChange(t *testing.T) {
	g := newRig(t, opts{sectors: 2048})
	g.tr.cfg.update(func(b []byte) { binary.LittleEndian.PutUint64(b[configCapacity:], 4096) })
	g.tr.isr.Or(1 << virtio.ISR_CONFIG)
	g.m.irq.raise()
	waitFor(t, "Capacity follows the resize", func() bool { return g.d.Capacity() == 4096*SectorSize })
}

func TestClose(t *testing.T) {
	g := newRig(t, opts{configure: func(m *model) { m.hold = true }})
	d := g.d
	read := make(chan error, 1)
	go func() {
		_, err := d.ReadAt(make([]byte, 512), 0)
		read <- err
	}()
	waitFor(t, "the device holds the read", func() bool { return g.m.heldCount() == 1 })
	closed := make(chan error, 1)
	go func() { closed <- d.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with a request in flight", err)
	case <-time.After(20 * time.Millisecond):
	}
	g.m.release()
	if err := <-read; err != nil {
		t.Errorf("read in flight at Close: %v", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := d.ReadAt(make([]byte, 512), 0); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadAt after Close = %v, want ErrClosed", err)
	}
	if st := g.tr.Status(); st != 0 {
		t.Errorf("status after Close %#x, want 0 (reset)", st)
	}
}

func TestBrokenDevice(t *testing.T) {
	g := newRig(t, opts{configure: func(m *model) { m.bogusUsed = true }})
	if _, err := g.d.ReadAt(make([]byte, 512), 0); !errors.Is(err, ErrBroken) {
		t.Fatalf("ReadAt from a device that returns a bogus chain = %v, want ErrBroken", err)
	}
	if _, err := g.d.ReadAt(make([]byte, 512), 0); !errors.Is(err, ErrBroken) {
		t.Errorf("the next ReadAt = %v, want ErrBroken", err)
	}
}
