package integration

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/qemu"
)

// CPU profiles count CPU time, as on Linux (ITIMER_PROF): a goroutine
// busy a fifth of the time gets samples for its busy time only, not for
// the gaps between (kernel/time_prof.go), and goroutines busy on N CPUs
// get N times the samples of one (testdata/profprobe).
func TestCPUProfile(t *testing.T) {
	img := buildTestProgram(t, "profprobe")
	const seconds = 2
	for _, cpus := range []int{1, 2} {
		t.Run(fmt.Sprintf("%dcpu", cpus), func(t *testing.T) {
			console := bootSMP(t, img, "profprobe", qemu.Microvm, cpus, "coracle.arg=-seconds coracle.arg="+strconv.Itoa(seconds))
			if !strings.Contains(console, "profprobe: done\n") {
				t.Fatalf("the probe did not finish\n%s", console)
			}
			m := regexp.MustCompile(`profprobe: duty busy (\d+)\n`).FindStringSubmatch(console)
			if m == nil {
				t.Fatalf("no duty line\n%s", console)
			}
			busyMs, _ := strconv.Atoi(m[1])
			busy := time.Duration(busyMs) * time.Millisecond

			// The duty profile: about the time spun (100 Hz ticks), far
			// from the whole duration, which counting idle gaps would give.
			duty := profileSamples(t, console, "duty")
			if duty < busy/2 || duty > 2*busy {
				t.Errorf("duty profile: %v of samples for %v spun in %d s, want between half and twice the time spun", duty, busy, seconds)
			}
			// Every CPU busy: about cpus times the duration.
			par := profileSamples(t, console, "parallel")
			want := time.Duration(cpus*seconds) * time.Second
			if par < want*3/4 || par > want*5/4 {
				t.Errorf("parallel profile on %d CPUs: %v of samples in %d s, want about %v", cpus, par, seconds, want)
			}
			t.Logf("%d CPU(s): duty %v of samples for %v spun; parallel %v of samples in %d s", cpus, duty, busy, par, seconds)
		})
	}
}

// profileSamples decodes the profile the probe printed as name and
// returns its samples' total, as go tool pprof -top reports it.
func profileSamples(t *testing.T, console, name string) time.Duration {
	t.Helper()
	m := regexp.MustCompile(`profprobe: ` + name + ` ([A-Za-z0-9+/=]+)\n`).FindStringSubmatch(console)
	if m == nil {
		t.Fatalf("no %s profile on the console", name)
	}
	pb, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatalf("%s profile: %v", name, err)
	}
	f := filepath.Join(t.TempDir(), name+".pb.gz")
	if err := os.WriteFile(f, pb, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", f).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -top %s: %v\n%s", name, err, out)
	}
	total := regexp.MustCompile(`Total samples = ([0-9.]+m?s)`).FindSubmatch(out)
	if total == nil {
		t.Fatalf("go tool pprof -top %s: no total\n%s", name, out)
	}
	d, err := time.ParseDuration(string(total[1]))
	if err != nil {
		t.Fatalf("go tool pprof -top %s: %v", name, err)
	}
	return d
}
