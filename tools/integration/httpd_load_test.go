package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The load TestHTTPDLoadSmallMemory puts on examples/httpd (M10: 10,000
// requests, 64 connections, keep-alive and not).
const (
	loadRequests = 10000
	loadClients  = 64 // half keep their connection, half close it after each request
	// loadRamp is how far apart the clients start, in each phase.
	loadRamp = 20 * time.Millisecond

	// A request is now and then not answered within a minute, one to
	// three in 10,000 at 32 and 256 MiB alike, often among connections
	// opened together (and at 32 MiB a dozen take over 10 s): a fault
	// of the network path (the connection, accepted by QEMU's user
	// network on the host, is not served), not of memory, which this
	// test measures. Such a request times out after loadTimeout and is
	// made again once; more than maxUnanswered of them (0.1%) fail the
	// test. Remove the allowance when the fault is found.
	loadTimeout   = time.Minute
	maxUnanswered = 10
)

// heapSample is the guest runtime's memory at one point of the run.
type heapSample struct {
	requests int
	live     uint64 // HeapAlloc right after a collection
	sys      uint64 // Sys: all the runtime has taken from the kernel
}

// examples/httpd serves 10,000 requests from 64 clients at once, half on
// kept-alive connections and half on a new connection each, in the
// smallest memory the documentation gives for it (httpdMinMiB), every
// answer the page, and its memory stays flat: sampled with the clients
// paused after 2,000, 6,000 and 10,000 requests (same open connections,
// nothing in flight), the live heap after a collection and the memory
// the runtime holds do not grow from the second sample to the third
// by more than the bounds below.
func TestHTTPDLoadSmallMemory(t *testing.T) {
	img := buildImage(t, "./examples/httpd")
	port := freePort(t)
	g := startGuest(t, 10*time.Minute, "run", "--accel", "tcg", "-m", fmt.Sprint(httpdMinMiB), "-p", fmt.Sprintf("%d:8080", port), img)
	g.waitFor(t, "from DHCP", 2*time.Minute)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	clients := make([]*http.Client, loadClients)
	for i := range clients {
		clients[i] = &http.Client{Timeout: loadTimeout, Transport: &http.Transport{
			DisableKeepAlives: i%2 == 1, MaxIdleConnsPerHost: 1,
		}}
	}
	start := time.Now()
	var samples []heapSample
	var unanswered atomic.Int64
	done := 0
	for _, upTo := range []int{2000, 6000, loadRequests} {
		if err := runLoad(clients, base, upTo-done, &unanswered); err != nil {
			t.Fatalf("after %d requests: %v\n%s", done, err, g.tail())
		}
		done = upTo
		s, err := readHeap(base)
		if err != nil {
			t.Fatalf("after %d requests: %v\n%s", done, err, g.tail())
		}
		s.requests = done
		samples = append(samples, s)
		t.Logf("after %5d requests (%v): live heap %d KiB, runtime's memory %d KiB", done, time.Since(start).Round(time.Millisecond), s.live>>10, s.sys>>10)
	}
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	checkFlat(t, samples[1], samples[2])
	if n := unanswered.Load(); n > maxUnanswered {
		t.Errorf("%d requests were not answered within %v (at most %d may be)", n, loadTimeout, maxUnanswered)
	} else if n > 0 {
		t.Logf("%d requests were not answered within %v and were made again", n, loadTimeout)
	}

	quitHTTPD(t, g, base)
}

// Flatness bounds, from the second sample (6,000 requests) to the third
// (10,000): by then every connection has been opened and closed many
// times, so 4,000 more requests must not leave more live data than a
// leak of 256 bytes a request would (between samples the live heap, 1.1
// to 1.8 MiB, moves by up to 700 KiB: closed connections wait out
// TIME_WAIT in the netstack, as many as closed in the last minute), nor
// make the runtime take more than one more 4 MiB heap growth (it
// commits its heap 4 MiB at a time; it held 12.6 MiB in most samples of
// the runs seen, 16.6 MiB in one third sample).
const (
	maxLiveGrowth = 1 << 20
	maxSysGrowth  = 4 << 20
)

// checkFlat fails t if the guest's memory grew from a to b by more than
// the bounds.
func checkFlat(t *testing.T, a, b heapSample) {
	t.Helper()
	if b.live > a.live+maxLiveGrowth {
		t.Errorf("live heap grew from %d KiB after %d requests to %d KiB after %d (more than %d KiB)", a.live>>10, a.requests, b.live>>10, b.requests, maxLiveGrowth>>10)
	}
	if b.sys > a.sys+maxSysGrowth {
		t.Errorf("the runtime's memory grew from %d KiB after %d requests to %d KiB after %d (more than %d KiB)", a.sys>>10, a.requests, b.sys>>10, b.requests, maxSysGrowth>>10)
	}
}

// runLoad makes n requests for / with the clients, each in its own
// goroutine started loadRamp after the one before, and checks every
// answer. A request that times out is counted in unanswered and made
// again, once.
func runLoad(clients []*http.Client, base string, n int, unanswered *atomic.Int64) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * loadRamp)
			for next.Add(1) <= int64(n) {
				err := getPage(c, base)
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					unanswered.Add(1)
					err = getPage(c, base)
				}
				if err != nil {
					once.Do(func() { first = fmt.Errorf("client %d (keep-alive %v): %w", i, i%2 == 0, err) })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// getPage gets / and checks that it is examples/httpd's page.
func getPage(c *http.Client, base string) error {
	resp, err := c.Get(base + "/")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Hello from coracle") {
		return fmt.Errorf("status %d, body %q", resp.StatusCode, body)
	}
	return nil
}

// readHeap reads the guest runtime's memory statistics from
// /debug/pprof/heap?debug=1&gc=1 (net/http/pprof collects first, so
// HeapAlloc is what is live).
func readHeap(base string) (heapSample, error) {
	var s heapSample
	resp, err := http.Get(base + "/debug/pprof/heap?debug=1&gc=1")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		for key, dst := range map[string]*uint64{"# HeapAlloc = ": &s.live, "# Sys = ": &s.sys} {
			if v, ok := strings.CutPrefix(sc.Text(), key); ok {
				if *dst, err = strconv.ParseUint(v, 10, 64); err != nil {
					return s, fmt.Errorf("%s%s: %v", key, v, err)
				}
				found++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	if found != 2 {
		return s, fmt.Errorf("/debug/pprof/heap?debug=1 lacks HeapAlloc or Sys")
	}
	return s, nil
}
