package guestrun

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// doneLine is a guest whose last line is "done".
type doneLine struct{}

func (doneLine) DoneLine() string { return "done" }

func (doneLine) Finished(console string) bool { return strings.Contains(console, "done\n") }

// hasDone waits for "done".
var hasDone doneLine

// boot is a Boot of command with a timeout of a minute.
func boot(command ...string) Boot {
	return Boot{Command: command, Timeout: time.Minute}
}

// A guest that prints its last line and then lingers is killed at once,
// and what it printed comes back.
func TestRunStopsAtLastLine(t *testing.T) {
	start := time.Now()
	text, err := Run(context.Background(), boot("sh", "-c", "echo hello; echo done; sleep 30"), hasDone)
	if err != nil {
		t.Fatal(err)
	}
	if text != "hello\ndone\n" {
		t.Errorf("console %q", text)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v: the guest was not killed after its last line", d)
	}
}

// A child of the command (as QEMU is of coracle run) is killed with it.
func TestRunKillsProcessGroup(t *testing.T) {
	start := time.Now()
	// The background sleep keeps stdout open: Run returns only once it
	// is gone too.
	_, err := Run(context.Background(), boot("sh", "-c", "sleep 30 & echo done; wait"), hasDone)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v: the command's child outlived it", d)
	}
}

func TestRunEndsEarly(t *testing.T) {
	text, err := Run(context.Background(), boot("sh", "-c", "echo partial; echo oops >&2; exit 3"), hasDone)
	if err == nil {
		t.Fatal("no error for a command that ended before the last line")
	}
	for _, want := range []string{`sh ended (exit status 3) before the guest printed "done"`, "partial", "oops"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if text != "partial\n" {
		t.Errorf("console %q", text)
	}
}

// An ending command whose last line came is no failure.
func TestRunEndsAfterLastLine(t *testing.T) {
	if _, err := Run(context.Background(), boot("sh", "-c", "echo done"), hasDone); err != nil {
		t.Fatal(err)
	}
}

func TestRunTimeout(t *testing.T) {
	_, err := Run(context.Background(), Boot{Command: []string{"sleep", "30"}, Timeout: 100 * time.Millisecond}, hasDone)
	if err == nil || !strings.Contains(err.Error(), `no "done" line within 100ms`) {
		t.Fatalf("got %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	cause := errors.New("interrupted")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	if _, err := Run(ctx, boot("sleep", "30"), hasDone); !errors.Is(err, cause) {
		t.Fatalf("got %v, want the context's cause", err)
	}
}

func TestRunNoCommand(t *testing.T) {
	if _, err := Run(context.Background(), boot("/nonexistent/qemu"), hasDone); err == nil || !strings.HasPrefix(err.Error(), "starting /nonexistent/qemu: ") {
		t.Fatalf("got %v", err)
	}
}

func TestWatchedBuffer(t *testing.T) {
	b := newWatchedBuffer()
	b.Write([]byte("a"))
	b.Write([]byte("b")) // does not block: one signal is pending
	<-b.changed
	select {
	case <-b.changed:
		t.Error("two signals pending for two writes")
	default:
	}
	if b.String() != "ab" {
		t.Errorf("String() = %q", b.String())
	}
}

// Echo gets the console after the boot, with its title.
func TestRunEcho(t *testing.T) {
	var echo strings.Builder
	b := Boot{Command: []string{"sh", "-c", "echo '  hi'; echo done"}, Timeout: time.Minute, Echo: &echo, Title: "coracle, boot 2"}
	if _, err := Run(context.Background(), b, hasDone); err != nil {
		t.Fatal(err)
	}
	if want := "--- coracle, boot 2: console ---\nhi\ndone\n"; echo.String() != want {
		t.Errorf("echo %q, want %q", echo.String(), want)
	}
}

func TestEchoIf(t *testing.T) {
	var w strings.Builder
	if EchoIf(true, &w) != &w || EchoIf(false, &w) != nil {
		t.Error("EchoIf")
	}
}
