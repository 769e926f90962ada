package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/coracle-os/coracle/examples/kvstore/kv"
)

const (
	mib       = 1 << 20
	blockSize = 4096
	kvValue   = 128 // bytes per kvstore value
)

// config is what the flags ask for.
type config struct {
	dir     string
	seqMiB  int
	randOps int
	fsyncs  int
	kvOps   int
}

// measurement is one line of output: run does the work and returns the
// line's words after the prefix.
type measurement struct {
	name string
	run  func() (string, error)
}

// measurements lists what is measured, in order (see the package doc).
func measurements(c config) []measurement {
	return []measurement{
		{"seqread", func() (string, error) { return seqRead(filepath.Join(c.dir, seqFile)) }},
		{"randread", func() (string, error) { return randRead(filepath.Join(c.dir, randFile), c.randOps) }},
		{"randwrite", func() (string, error) { return randWrite(filepath.Join(c.dir, randFile), c.randOps) }},
		{"seqwrite", func() (string, error) { return seqWrite(filepath.Join(c.dir, "seqw.dat"), c.seqMiB) }},
		{"fsync", func() (string, error) { return fsyncLatency(filepath.Join(c.dir, "append.dat"), c.fsyncs) }},
		{"kv", func() (string, error) { return kvRates(filepath.Join(c.dir, "kv.db"), c.kvOps) }},
	}
}

// opLine is an op line: n units in d.
func opLine(name string, n int, d time.Duration) string {
	return fmt.Sprintf("op=%s n=%d ns=%d", name, n, d.Nanoseconds())
}

// seqRead reads path from start to end in 1 MiB reads; the file must be
// a whole number of MiB.
func seqRead(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, mib)
	var total int64
	start := time.Now()
	for {
		n, err := io.ReadFull(f, buf)
		total += int64(n)
		if err == io.EOF {
			break
		}
		if err == io.ErrUnexpectedEOF {
			return "", fmt.Errorf("%s holds %d bytes, not a whole number of MiB", path, total)
		}
		if err != nil {
			return "", fmt.Errorf("after %d bytes: %w", total, err)
		}
	}
	d := time.Since(start)
	if total == 0 || total%mib != 0 {
		return "", fmt.Errorf("%s holds %d bytes, not a whole number of MiB", path, total)
	}
	return opLine("seqread", int(total/mib), d), nil
}

// offsets returns n distinct 4 KiB-aligned offsets in a file of size
// bytes, in a random order that is the same on every run (seed).
func offsets(size int64, n int, seed uint64) ([]int64, error) {
	blocks := int(size / blockSize)
	if n > blocks {
		return nil, fmt.Errorf("%d distinct 4 KiB blocks asked of a file of %d", n, blocks)
	}
	r := rand.New(rand.NewPCG(seed, 0))
	perm := r.Perm(blocks)[:n]
	offs := make([]int64, n)
	for i, b := range perm {
		offs[i] = int64(b) * blockSize
	}
	return offs, nil
}

// openAtRandom opens path with flag and returns n distinct random 4
// KiB-aligned offsets in it, in the order seed gives.
func openAtRandom(path string, flag, n int, seed uint64) (*os.File, []int64, error) {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	offs, err := offsets(fi.Size(), n, seed)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, offs, nil
}

// randRead preads 4 KiB at n distinct random offsets of path.
func randRead(path string, n int) (string, error) {
	f, offs, err := openAtRandom(path, os.O_RDONLY, n, 1)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, blockSize)
	start := time.Now()
	for _, off := range offs {
		if _, err := f.ReadAt(buf, off); err != nil {
			return "", fmt.Errorf("pread at %d: %w", off, err)
		}
	}
	return opLine("randread", n, time.Since(start)), nil
}

// randWrite pwrites 4 KiB at n distinct random offsets of path (another
// order than randRead's), then fdatasyncs, and times it all.
func randWrite(path string, n int) (string, error) {
	f, offs, err := openAtRandom(path, os.O_RDWR, n, 2)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, blockSize)
	for i := range buf {
		buf[i] = byte(i)
	}
	start := time.Now()
	for _, off := range offs {
		if _, err := f.WriteAt(buf, off); err != nil {
			return "", fmt.Errorf("pwrite at %d: %w", off, err)
		}
	}
	if err := fdatasync(f); err != nil {
		return "", fmt.Errorf("fdatasync: %w", err)
	}
	return opLine("randwrite", n, time.Since(start)), nil
}

// seqWrite writes a new file of mibs MiB in 1 MiB writes and fsyncs it.
func seqWrite(path string, mibs int) (string, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, mib)
	r := rand.NewChaCha8([32]byte{})
	r.Read(buf)
	start := time.Now()
	for i := range mibs {
		buf[0] = byte(i) // each MiB differs from the last
		if _, err := f.Write(buf); err != nil {
			return "", fmt.Errorf("write of MiB %d: %w", i, err)
		}
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("fsync: %w", err)
	}
	return opLine("seqwrite", mibs, time.Since(start)), nil
}

// fsyncLatency appends 4 KiB to a new file and fsyncs it n times, and
// returns the median and 99th percentile of one append + fsync.
func fsyncLatency(path string, n int) (string, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, blockSize)
	lat := make([]time.Duration, n)
	for i := range n {
		buf[0] = byte(i)
		start := time.Now()
		if _, err := f.Write(buf); err != nil {
			return "", fmt.Errorf("append %d: %w", i, err)
		}
		if err := f.Sync(); err != nil {
			return "", fmt.Errorf("fsync %d: %w", i, err)
		}
		lat[i] = time.Since(start)
	}
	return fmt.Sprintf("lat=fsync n=%d p50=%d p99=%d", n, percentile(lat, 50).Nanoseconds(), percentile(lat, 99).Nanoseconds()), nil
}

// percentile returns the p-th percentile of ds by the nearest-rank
// method: the smallest value with at least p% of them at or below it.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(rank, 1)-1]
}

// kvRates PUTs n values through kvstore's handler into a new database at
// path, then GETs them back in another order, checking each, and
// returns both op lines.
func kvRates(path string, n int) (string, error) {
	s, err := kv.Open(path)
	if err != nil {
		return "", err
	}
	defer s.Close()
	h := s.Handler()
	key := func(i int) string { return fmt.Sprintf("%sbench/%08d", kv.Prefix, i) }
	value := func(i int) string { return fmt.Sprintf("%0*d", kvValue, i) }

	start := time.Now()
	for i := range n {
		if err := serve(h, http.MethodPut, key(i), value(i), http.StatusNoContent, ""); err != nil {
			return "", err
		}
	}
	puts := time.Since(start)
	order := rand.New(rand.NewPCG(3, 0)).Perm(n)
	start = time.Now()
	for _, i := range order {
		if err := serve(h, http.MethodGet, key(i), "", http.StatusOK, value(i)); err != nil {
			return "", err
		}
	}
	gets := time.Since(start)
	return opLine("kvput", n, puts) + "\n" + prefix + " " + opLine("kvget", n, gets), nil
}

// serve sends one request to h in-process and checks the answer.
func serve(h http.Handler, method, path, body string, status int, want string) error {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != status || (want != "" && rec.Body.String() != want) {
		return fmt.Errorf("%s %s: %d %q, want %d", method, path, rec.Code, strings.TrimSpace(rec.Body.String()), status)
	}
	return nil
}
