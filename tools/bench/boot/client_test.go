package main

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serveFake accepts connections on a loopback listener and hands each,
// numbered from 1, to handle. It returns the address.
func serveFake(t *testing.T, handle func(n int, c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go handle(int(n.Add(1)), c)
		}
	}()
	return l.Addr().String()
}

// answer reads the request and writes an answer.
func answer(c net.Conn, resp string) {
	defer c.Close()
	buf := make([]byte, len(request))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != request {
		return
	}
	io.WriteString(c, resp)
}

const okAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

func TestFirstAnswerAfterRefusals(t *testing.T) {
	// As QEMU's forward before the guest listens: accepted, then closed.
	addr := serveFake(t, func(n int, c net.Conn) {
		if n <= 20 {
			c.Close()
			return
		}
		answer(c, okAnswer)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	at, tries, err := firstAnswer(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	// One after the other while each fails at once; a parallel one
	// only if the host stalls an attempt for openEvery.
	if tries < 21 || tries > 24 {
		t.Errorf("%d tries, want 21", tries)
	}
	// 20 retries at attemptEvery: well under a second, and not before
	// the answer.
	if d := at.Sub(start); d < 20*attemptEvery || d > 2*time.Second {
		t.Errorf("answer after %v", d)
	}
}

func TestFirstAnswerPastAHungAttempt(t *testing.T) {
	// The first connection is never answered (its SYN lost): the next
	// attempts must not wait for it.
	hung := make(chan struct{})
	t.Cleanup(func() { close(hung) })
	addr := serveFake(t, func(n int, c net.Conn) {
		if n == 1 {
			<-hung
			c.Close()
			return
		}
		answer(c, okAnswer)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, tries, err := firstAnswer(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d >= attemptLife {
		t.Errorf("answer after %v: the hung attempt held up the others", d)
	}
	if tries < 2 {
		t.Errorf("%d tries", tries)
	}
}

func TestFirstAnswerWrong(t *testing.T) {
	addr := serveFake(t, func(n int, c net.Conn) {
		answer(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nfail")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := firstAnswer(ctx, addr)
	if err == nil || errors.Is(err, errNotYet) || !strings.Contains(err.Error(), "500") {
		t.Errorf("got %v, want the 500", err)
	}
}

func TestFirstAnswerGivesUp(t *testing.T) {
	// Nothing listens: attempts fail until ctx ends.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, tries, err := firstAnswer(ctx, addr)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the deadline", err)
	}
	if tries < 2 {
		t.Errorf("%d tries in 50 ms", tries)
	}
}
