package boots

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/guestrun"
)

// doneLine is a guest whose last line is "done".
type doneLine struct{}

func (doneLine) DoneLine() string { return "done" }

func (doneLine) Finished(console string) bool { return strings.Contains(console, "done\n") }

// parseX reads "x N" lines into a sample.
func parseX(console string) (sample, error) {
	s := sample{}
	for line := range strings.Lines(console) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "x "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, err
			}
			s["x"] = n
		}
	}
	return s, nil
}

func needX(s sample) error {
	if _, ok := s["x"]; !ok {
		return errors.New("no x")
	}
	return nil
}

func TestRead(t *testing.T) {
	read := func(script string) Result[sample] {
		spec := guestrun.Boot{Command: []string{"sh", "-c", script}, Timeout: time.Minute}
		return Read(context.Background(), 3, spec, doneLine{}, parseX, needX)
	}
	if r := read("echo x 42; echo done"); r.Err != nil || r.Boot != 3 || r.Sample["x"] != 42 {
		t.Errorf("a good boot: %+v", r)
	}
	if r := read("echo done"); r.Err == nil || r.Err.Error() != "no x" {
		t.Errorf("a sample without x: err %v, want the check's", r.Err)
	}
	if r := read("echo x forty; echo done"); r.Err == nil || !strings.Contains(r.Err.Error(), "forty") {
		t.Errorf("an unreadable sample: err %v, want the parser's", r.Err)
	}
	checked := false
	spec := guestrun.Boot{Command: []string{"sh", "-c", "echo x 1; exit 1"}, Timeout: time.Minute}
	r := Read(context.Background(), 1, spec, doneLine{}, parseX, func(sample) error { checked = true; return nil })
	if r.Err == nil || checked {
		t.Errorf("a boot that ends before its last line: err %v, checked %v; want an error and no check", r.Err, checked)
	}
}
