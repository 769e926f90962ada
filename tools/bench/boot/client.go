package main

import (
	"context"
	"errors"
	"io"
	"net"
	"time"
)

// The client's pace. It is the host's, not the guest's: it decides how
// soon after the server is up the host notices, never what the guest
// does.
//
// An attempt that fails at once (QEMU not listening yet, or the guest
// resetting the connection: nothing listens there yet) is followed by
// the next after attemptEvery. An attempt that stays open is either
// being answered or was lost: QEMU's user networking accepts a
// forwarded connection before the guest has seen it, and a SYN sent
// while the guest's NIC is not up yet is never answered (QEMU sends it
// again only seconds later). So while attempts are open, another starts
// every openEvery, up to maxOpen of them, and one open longer than
// attemptLife is given up: the guest should have answered long before.
const (
	attemptEvery = time.Millisecond
	openEvery    = 10 * time.Millisecond
	maxOpen      = 128
	attemptLife  = time.Second
)

// attempt is one connection's outcome.
type attempt struct {
	id  int
	at  time.Time // when the answer was complete, or the attempt ended
	err error     // nil: a complete 200; errNotYet: no answer
}

// firstAnswer GETs / from addr, over and over, until a complete
// HTTP/1.1 200 arrives, and returns when it was complete. It stops with
// an error when an answer is wrong (another status, cut short) or ctx
// ends. tries counts the attempts made.
func firstAnswer(ctx context.Context, addr string) (at time.Time, tries int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan attempt)
	type open struct {
		started time.Time
		cancel  context.CancelFunc
	}
	inFlight := map[int]open{}
	defer func() {
		for _, o := range inFlight {
			o.cancel()
		}
	}()
	tick := time.NewTicker(attemptEvery)
	defer tick.Stop()
	var last time.Time // the latest start
	for {
		now := time.Now()
		for id, o := range inFlight {
			if now.Sub(o.started) > attemptLife {
				o.cancel()
				delete(inFlight, id) // its result is ignored
			}
		}
		if len(inFlight) == 0 || (len(inFlight) < maxOpen && now.Sub(last) >= openEvery) {
			tries++
			actx, acancel := context.WithCancel(ctx)
			inFlight[tries], last = open{now, acancel}, now
			go func(id int) {
				a := get(actx, id, addr)
				select {
				case done <- a:
				case <-ctx.Done(): // firstAnswer has returned
				}
			}(tries)
		}
		select {
		case a := <-done:
			o, ok := inFlight[a.id]
			if !ok {
				continue // given up already
			}
			o.cancel()
			delete(inFlight, a.id)
			switch {
			case a.err == nil:
				return a.at, tries, nil
			case !errors.Is(a.err, errNotYet):
				return time.Time{}, tries, a.err
			}
			// No answer: the next attempt after attemptEvery.
			tick.Reset(attemptEvery)
			select {
			case <-tick.C:
			case <-ctx.Done():
				return time.Time{}, tries, context.Cause(ctx)
			}
		case <-tick.C:
		case <-ctx.Done():
			return time.Time{}, tries, context.Cause(ctx)
		}
	}
}

// get makes one attempt: connect, send the request, read the answer.
// Failures to connect or to send count as no answer yet: the server is
// not there.
func get(ctx context.Context, id int, addr string) attempt {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return attempt{id: id, at: time.Now(), err: errNotYet}
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(c, request); err != nil {
		return attempt{id: id, at: time.Now(), err: errNotYet}
	}
	err = readAnswer(c)
	return attempt{id: id, at: time.Now(), err: err}
}
